// Markdown: headings (ATX and setext), lists, code (fenced and indented), tables, block quotes;
// inline markup reduced to its text. Enough of CommonMark for notes people write, no more.

#include "documents/layout_text.hpp"
#include "documents/readers.hpp"

#include <cctype>
#include <string>
#include <vector>

namespace mcqgen::detail {
namespace {

bool fence(std::string_view line) {
    line = trim(line);
    return line.substr(0, 3) == "```" || line.substr(0, 3) == "~~~";
}

// "## Title ##" -> level 2, "Title"; 0 when the line is no ATX heading.
int atx_level(std::string_view line, std::string& title) {
    const auto hashes = line.find_first_not_of('#');
    if (hashes == 0 || hashes > 6 || hashes == std::string_view::npos || line[hashes] != ' ')
        return 0;
    auto rest = trim(line.substr(hashes));
    while (!rest.empty() && rest.back() == '#')
        rest.remove_suffix(1);
    title = std::string(trim(rest));
    return static_cast<int>(hashes);
}

int setext_level(std::string_view underline) {
    underline = trim(underline);
    if (underline.size() < 2) return 0;
    if (underline.find_first_not_of('=') == std::string_view::npos) return 1;
    if (underline.find_first_not_of('-') == std::string_view::npos) return 2;
    return 0;
}

bool table_row(std::string_view line) {
    line = trim(line);
    return line.size() > 1 && line.front() == '|';
}

// Links keep their text, images go, emphasis and code markers go.
std::string inline_text(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if ((c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '['))) {
            const bool image = c == '!';
            const auto close = s.find("](", i);
            const auto end = close == std::string_view::npos ? close : s.find(')', close);
            if (end != std::string_view::npos) {
                if (!image) out += inline_text(s.substr(i + 1, close - i - 1));
                i = end;
                continue;
            }
        }
        if (c == '`' || c == '*') continue;
        if (c == '_' &&
            (i == 0 || i + 1 == s.size() || !std::isalnum(static_cast<unsigned char>(s[i - 1])) ||
             !std::isalnum(static_cast<unsigned char>(s[i + 1]))))
            continue;
        out += c;
    }
    return out;
}

class MarkdownReader {
  public:
    explicit MarkdownReader(std::string_view text) : lines_(split_lines(text)) {}

    Document read() && {
        while (at_ < lines_.size())
            step();
        flush();
        return std::move(builder_).finish();
    }

  private:
    void step() {
        const auto& line = lines_[at_].text;
        std::string title;
        if (blank(line)) {
            flush();
            ++at_;
        } else if (fence(line)) {
            code_fence();
        } else if (const int level = atx_level(line, title)) {
            flush();
            builder_.heading(level, inline_text(title));
            ++at_;
        } else if (paragraph_.empty() && indented(line)) {
            indented_code();
        } else if (table_row(line)) {
            table();
        } else if (!paragraph_.empty() && setext_level(line) && list_marker(line) == 0) {
            const auto text = inline_text(join_lines(paragraph_).text);
            paragraph_.clear();
            builder_.heading(setext_level(line), text);
            ++at_;
        } else if (const auto marker = list_marker(line)) {
            flush();
            paragraph_.push_back(Line{std::string(trim(line).substr(0)), 0});
            in_list_ = true;
            (void)marker;
            ++at_;
        } else {
            auto text = std::string(trim(line));
            if (text.substr(0, 1) == ">") text = std::string(trim(text.substr(1)));
            paragraph_.push_back(Line{std::move(text), 0});
            ++at_;
        }
    }

    static bool indented(std::string_view line) {
        return line.substr(0, 4) == "    " || line.substr(0, 1) == "\t";
    }

    void code_fence() {
        flush();
        std::string code;
        for (++at_; at_ < lines_.size() && !fence(lines_[at_].text); ++at_)
            code += lines_[at_].text + "\n";
        ++at_; // the closing fence, or the end
        builder_.block(BlockKind::code, code);
    }

    void indented_code() {
        std::string code;
        for (; at_ < lines_.size() && (indented(lines_[at_].text) || blank(lines_[at_].text));
             ++at_)
            code += lines_[at_].text + "\n";
        builder_.block(BlockKind::code, code);
    }

    void table() {
        flush();
        std::string rows;
        for (; at_ < lines_.size() && table_row(lines_[at_].text); ++at_) {
            const auto row = trim(lines_[at_].text);
            if (row.find_first_not_of("|-: ") == std::string_view::npos) continue; // |---|
            rows += inline_text(row) + "\n";
        }
        builder_.block(BlockKind::table, rows);
    }

    // The paragraph or list item gathered so far becomes a block.
    void flush() {
        if (paragraph_.empty()) return;
        const auto joined = join_lines(paragraph_, in_list_).text;
        builder_.block(in_list_ ? BlockKind::list : BlockKind::prose, inline_text(joined));
        paragraph_.clear();
        in_list_ = false;
    }

    std::vector<Line> lines_;
    std::size_t at_ = 0;
    std::vector<Line> paragraph_;
    bool in_list_ = false;
    DocumentBuilder builder_{DocumentFormat::markdown};
};

} // namespace

Document read_markdown(std::string_view bytes, const ReadOptions&) {
    const auto text = text_of(bytes);
    return MarkdownReader(normalize_text(text)).read();
}

} // namespace mcqgen::detail
