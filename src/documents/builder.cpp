// DocumentBuilder: what readers find, normalised into one text with its blocks, pages and
// sections. Paginated input (PDF, form-fed text) arrives as raw lines and is turned into
// paragraphs here, so every reader gets the same header/footer removal and the same joining of
// hard-wrapped lines and hyphenated words, across page breaks too.

#include "core/text.hpp"
#include "documents/layout_text.hpp"

#include <mcqgen/document.hpp>
#include <mcqgen/errors.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace mcqgen {
namespace {

using detail::Line;

// A paragraph of a paginated input: its lines and the page each comes from.
using Paragraph = std::vector<Line>;

bool ends_sentence(std::string_view line) {
    while (!line.empty() && (line.back() == '"' || line.back() == '\'' || line.back() == ')'))
        line.remove_suffix(1);
    if (line.size() >= 3 && line.substr(line.size() - 3) == "\xE2\x80\x9D") // closing quote
        line.remove_suffix(3);
    if (line.empty()) return false;
    return line.back() == ':' || detail::ends_sentence_at(line, line.size() - 1); // not "Guy L."
}

bool starts_lower(std::string_view line) {
    return !line.empty() && line[0] >= 'a' && line[0] <= 'z';
}

// Splits the lines of consecutive pages into paragraphs: at blank lines, at a short line that
// ends a sentence (text without blank lines between paragraphs), at every line of text that is
// not hard-wrapped at all, and at a page break only where the sentence ended.
std::vector<Paragraph> paragraphs(const std::vector<Line>& lines) {
    std::vector<std::size_t> lengths;
    for (const auto& l : lines)
        if (!detail::blank(l.text)) lengths.push_back(l.text.size());
    std::sort(lengths.begin(), lengths.end());
    const std::size_t median = lengths.empty() ? 0 : lengths[lengths.size() / 2];
    const std::size_t width = lengths.empty() ? 0 : lengths[lengths.size() * 9 / 10];
    const bool unwrapped = median > 150;

    std::vector<Paragraph> out;
    Paragraph current;
    auto close = [&] {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
    };
    for (const auto& line : lines) {
        if (detail::blank(line.text)) {
            close();
            continue;
        }
        if (!current.empty()) {
            const auto& last = current.back();
            const bool page_break = last.page != line.page;
            const bool short_end =
                ends_sentence(detail::trim(last.text)) && last.text.size() * 4 < width * 3;
            if (unwrapped || short_end ||
                (page_break && ends_sentence(detail::trim(last.text)) &&
                 !starts_lower(detail::trim(line.text))))
                close();
        }
        current.push_back(line);
    }
    close();
    return out;
}

} // namespace

DocumentBuilder::DocumentBuilder(DocumentFormat format) {
    doc_.format_ = format;
}

void DocumentBuilder::heading(int level, std::string_view text) {
    flush_pages();
    auto title = detail::join_lines(detail::split_lines(normalize_text(text))).text;
    if (title.empty()) return;
    level = std::max(level, 1);
    while (!heading_levels_.empty() && heading_levels_.back() >= level) {
        heading_levels_.pop_back();
        heading_path_.pop_back();
    }
    heading_levels_.push_back(level);
    heading_path_.push_back(title);
    doc_.sections_.push_back(Section{heading_path_});
    append(BlockKind::heading, std::move(title));
}

void DocumentBuilder::block(BlockKind kind, std::string_view text) {
    flush_pages();
    if (kind == BlockKind::heading) {
        heading(1, text);
        return;
    }
    const auto lines = detail::split_lines(normalize_text(text));
    append(kind,
           detail::keeps_lines(kind) ? detail::keep_lines(lines) : detail::join_lines(lines).text);
}

void DocumentBuilder::page(std::string_view text, std::string label, bool cite) {
    raw_pages_.push_back(RawPage{std::string(text), std::move(label), cite});
}

void DocumentBuilder::outline(int level, std::string title) {
    outline_.emplace_back(level, detail::join_lines(detail::split_lines(title)).text);
}

void DocumentBuilder::warn(std::string message) {
    doc_.warnings_.push_back(std::move(message));
}

void DocumentBuilder::append(BlockKind kind, std::string text) {
    if (detail::blank(text)) return;
    auto& all = doc_.text_;
    if (!all.empty()) all += "\n\n";
    const auto begin = all.size();
    all += text;
    const int section = doc_.sections_.empty() ? -1 : static_cast<int>(doc_.sections_.size()) - 1;
    doc_.blocks_.push_back(Block{begin, all.size(), kind, section});
}

void DocumentBuilder::flush_pages() {
    if (raw_pages_.empty()) return;
    // Taken out first: an outline heading found below calls heading(), which flushes again.
    const auto raw_pages = std::exchange(raw_pages_, {});
    std::vector<std::vector<Line>> page_lines;
    for (const auto& p : raw_pages)
        page_lines.push_back(detail::split_lines(normalize_text(p.text)));
    std::set<std::string> titles;
    for (const auto& [level, title] : outline_)
        titles.insert(title);
    const auto folios = detail::remove_running_lines(page_lines, titles);

    // Blank lines at a page's edges are no paragraph breaks: paragraphs() decides at the break.
    std::vector<Line> lines;
    for (std::size_t p = 0; p < page_lines.size(); ++p) {
        auto& page = page_lines[p];
        std::size_t first = 0, last = page.size();
        while (first < last && detail::blank(page[first].text))
            ++first;
        while (last > first && detail::blank(page[last - 1].text))
            --last;
        for (std::size_t i = first; i < last; ++i)
            lines.push_back(Line{std::move(page[i].text), static_cast<int>(p)});
    }

    // Where each page's text begins; pages without text begin where the next one does.
    const std::size_t first_page = doc_.pages_.size();
    std::vector<std::size_t> starts(raw_pages.size(), std::string::npos);
    for (const auto& para : paragraphs(lines))
        emit(para, starts);
    std::size_t next = doc_.text_.size();
    for (std::size_t p = raw_pages.size(); p-- > 0;) {
        if (starts[p] == std::string::npos) starts[p] = next;
        next = starts[p];
    }
    for (std::size_t p = 0; p < raw_pages.size(); ++p) {
        if (!raw_pages[p].cite) continue;
        const auto end = p + 1 < raw_pages.size() ? starts[p + 1] : doc_.text_.size();
        doc_.pages_.push_back(Page{starts[p], end, static_cast<int>(first_page + p) + 1,
                                   raw_pages[p].label, folios[p]});
    }
}

void DocumentBuilder::emit(const std::vector<Line>& paragraph,
                           std::vector<std::size_t>& page_starts) {
    // Each line's page begins where the line landed in the text, unless it began before.
    auto note_pages = [&](std::size_t first, const std::vector<std::size_t>& line_starts) {
        if (doc_.blocks_.empty()) return;
        const auto begin = doc_.blocks_.back().begin;
        for (std::size_t i = 0; i < line_starts.size(); ++i) {
            auto& start = page_starts[static_cast<std::size_t>(paragraph[first + i].page)];
            if (start == std::string::npos) start = begin + line_starts[i];
        }
    };
    // An outline title is the whole paragraph, or its first line (headings are often set
    // without a blank line after them).
    std::size_t body = 0;
    for (const std::size_t lines : {paragraph.size(), std::size_t{1}}) {
        const std::vector<Line> head(paragraph.begin(),
                                     paragraph.begin() + static_cast<long>(lines));
        const auto title = detail::join_lines(head).text;
        if (const auto level = outline_level(title)) {
            heading(*level, title);
            note_pages(0, std::vector<std::size_t>(lines, 0));
            body = lines;
            break;
        }
    }
    const std::vector<Line> rest(paragraph.begin() + static_cast<long>(body), paragraph.end());
    for (const auto& piece : detail::classify(rest)) {
        const auto from = rest.begin() + static_cast<long>(piece.first);
        const std::vector<Line> part(from, from + static_cast<long>(piece.count));
        const auto blocks = doc_.blocks_.size();
        std::vector<std::size_t> line_starts;
        if (detail::keeps_lines(piece.kind)) {
            append(piece.kind, detail::keep_lines(part));
            std::size_t at = 0;
            for (const auto& l : part) {
                line_starts.push_back(at);
                at += detail::rtrim(l.text).size() + 1;
            }
        } else {
            auto joined = detail::join_lines(part, piece.kind == BlockKind::list);
            append(piece.kind, std::move(joined.text));
            line_starts = std::move(joined.starts);
        }
        if (doc_.blocks_.size() > blocks) note_pages(body + piece.first, line_starts);
    }
}

std::optional<int> DocumentBuilder::outline_level(const std::string& text) {
    // Bookmarks often leave out the number the page prints: "Quoting" for "3.1.2 Quoting".
    const auto unnumbered = detail::without_numbering(text);
    for (auto it = outline_.begin(); it != outline_.end(); ++it) {
        if (it->second == text || it->second == unnumbered) {
            const int level = it->first;
            outline_.erase(it);
            return level;
        }
    }
    return std::nullopt;
}

Document DocumentBuilder::finish() && {
    flush_pages();
    if (doc_.blocks_.empty())
        throw Error(errc::invalid_argument, "the document has no text (it is empty or only white "
                                            "space once read)");
    return std::move(doc_);
}

} // namespace mcqgen
