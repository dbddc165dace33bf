#include "documents/layout_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace mcqgen::detail {
namespace {

bool space(char c) {
    return c == ' ' || c == '\t';
}

bool letter(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

bool digit(char c) {
    return c >= '0' && c <= '9';
}

// A line that is only a roman numeral ("xii", "IV"): a folio of front matter.
bool roman(std::string_view s) {
    if (s.empty() || s.size() > 8) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::string_view("ivxlcdmIVXLCDM").find(c) != std::string_view::npos;
    });
}

// Count of cells when a line is split at tabs, at runs of three or more spaces, or at '|'.
int cells(std::string_view line) {
    line = trim(line);
    if (std::count(line.begin(), line.end(), '|') >= 2) return 2;
    int n = 1;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\t' || line.compare(i, 3, "   ") == 0) {
            ++n;
            while (i + 1 < line.size() && space(line[i + 1]))
                ++i;
        }
    }
    return n;
}

// A table-of-contents row: dot leaders before a page number ("Quoting . . . . 7").
bool leader_row(std::string_view line) {
    line = trim(line);
    while (!line.empty() && (digit(line.back()) || roman(line.substr(line.size() - 1))))
        line.remove_suffix(1);
    line = rtrim(line);
    return line.size() >= 4 && (line.substr(line.size() - 4) == "...." ||
                                (line.size() >= 5 && line.substr(line.size() - 5) == ". . ."));
}

bool indented(std::string_view line) {
    return line.compare(0, 4, "    ") == 0 || (!line.empty() && line[0] == '\t');
}

bool prompt(std::string_view line) {
    line = trim(line);
    return line.compare(0, 2, "$ ") == 0 || line.compare(0, 4, ">>> ") == 0 ||
           line.compare(0, 2, "# ") == 0;
}

bool looks_like_code(const std::vector<Line>& lines) {
    const bool all_indented =
        std::all_of(lines.begin(), lines.end(), [](const Line& l) { return indented(l.text); });
    return all_indented || prompt(lines.front().text);
}

bool looks_like_table(const std::vector<Line>& lines) {
    if (lines.size() < 2) return false;
    const auto rows = std::count_if(lines.begin(), lines.end(), [](const Line& l) {
        return cells(l.text) >= 2 || leader_row(l.text);
    });
    return rows * 5 >= static_cast<long>(lines.size()) * 3;
}

// What identifies a running line on every page: case and white space aside, every number
// (arabic or a lone roman numeral) counted as one.
std::string signature(std::string_view line) {
    line = trim(line);
    if (roman(line)) return "#";
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (digit(c)) {
            while (i + 1 < line.size() && digit(line[i + 1]))
                ++i;
            out += '#';
        } else if (space(c)) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

// The page number a running line carries: its last number, or the line when it is a numeral.
std::string folio(std::string_view line) {
    line = trim(line);
    if (roman(line)) return std::string(line);
    std::string last;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (!digit(line[i])) continue;
        std::size_t j = i;
        while (j < line.size() && digit(line[j]))
            ++j;
        last = std::string(line.substr(i, j - i));
        i = j;
    }
    return last;
}

// The index of the `depth`-th non-blank line from the top (or the bottom) of a page.
std::optional<std::size_t> edge_line(const std::vector<Line>& page, bool top, int depth) {
    int seen = 0;
    for (std::size_t k = 0; k < page.size(); ++k) {
        const std::size_t i = top ? k : page.size() - 1 - k;
        if (blank(page[i].text)) continue;
        if (seen++ == depth) return i;
    }
    return std::nullopt;
}

// The printed page number among a page's running lines: a line that is only a number first,
// then the last number of a footer (running lines below the middle of the page), then of a
// header.
std::string page_number(const std::vector<Line>& page, const std::vector<std::size_t>& running) {
    for (const auto i : running)
        if (signature(page[i].text) == "#") return folio(page[i].text);
    for (const bool footer : {true, false})
        for (const auto i : running)
            if ((i * 2 >= page.size()) == footer)
                if (auto f = folio(page[i].text); !f.empty()) return f;
    return {};
}

} // namespace

bool blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return space(c) || c == '\n' || c == '\f' || c == '\v'; });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && space(text.front()))
        text.remove_prefix(1);
    return rtrim(text);
}

std::string_view rtrim(std::string_view text) {
    while (!text.empty() && (space(text.back()) || text.back() == '\n'))
        text.remove_suffix(1);
    return text;
}

std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        lines.push_back(Line{std::string(text.substr(start, end - start)), 0});
        start = end + 1;
    }
    return lines;
}

Joined join_lines(const std::vector<Line>& lines, bool list_item) {
    Joined out;
    for (std::size_t n = 0; n < lines.size(); ++n) {
        std::string_view line = trim(lines[n].text);
        if (n == 0 && list_item) line = trim(line.substr(list_marker(line)));
        auto& text = out.text;
        const bool hyphenated = text.size() >= 2 && text.back() == '-' &&
                                letter(text[text.size() - 2]) && !line.empty() &&
                                std::islower(static_cast<unsigned char>(line[0]));
        if (hyphenated) {
            text.pop_back();
        } else if (!text.empty() && !line.empty()) {
            text += ' ';
        }
        out.starts.push_back(text.size());
        for (const char c : line) {
            if (space(c)) {
                if (!text.empty() && text.back() != ' ') text += ' ';
            } else {
                text += c;
            }
        }
    }
    while (!out.text.empty() && out.text.back() == ' ')
        out.text.pop_back();
    return out;
}

bool keeps_lines(BlockKind kind) {
    return kind == BlockKind::code || kind == BlockKind::table;
}

std::string keep_lines(const std::vector<Line>& lines) {
    std::size_t first = 0, last = lines.size();
    while (first < last && blank(lines[first].text))
        ++first;
    while (last > first && blank(lines[last - 1].text))
        --last;
    std::string out;
    for (std::size_t i = first; i < last; ++i) {
        if (i > first) out += '\n';
        out += rtrim(lines[i].text);
    }
    return out;
}

std::string_view without_numbering(std::string_view text) {
    std::size_t i = 0;
    const bool letter_first = // "A.1 Copying", not "A fragment"
        text.size() > 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] == '.' && digit(text[2]);
    if (letter_first) i = 1;
    while (i < text.size() && (digit(text[i]) || (text[i] == '.' && i > 0)))
        ++i;
    if (i == 0 || i >= text.size() || text[i] != ' ') return text;
    return trim(text.substr(i));
}

std::size_t list_marker(std::string_view line) {
    const std::size_t lead =
        line.size() - line.substr(line.find_first_not_of(" \t") == std::string_view::npos
                                      ? line.size()
                                      : line.find_first_not_of(" \t"))
                          .size();
    const auto rest = line.substr(lead);
    static const std::string_view bullets[] = {
        "\xE2\x80\xA2", "\xE2\x97\xA6", "\xE2\x96\xAA", "\xE2\x80\xA3", "-", "*", "+"};
    for (const auto b : bullets)
        if (rest.compare(0, b.size(), b) == 0 && rest.size() > b.size() && space(rest[b.size()]))
            return lead + b.size() + 1;
    // "3. ", "3) ", "(b) ", "b) ", "iv. "
    std::size_t i = rest.size() > 0 && rest[0] == '(' ? 1 : 0;
    const std::size_t start = i;
    while (i < rest.size() && i - start < 4 && std::isalnum(static_cast<unsigned char>(rest[i])))
        ++i;
    if (i == start || i + 1 >= rest.size()) return 0;
    const auto label = rest.substr(start, i - start);
    const bool numeric = std::all_of(label.begin(), label.end(), digit);
    const bool lettered = label.size() == 1 || roman(label);
    const bool closed = rest[i] == ')' || (rest[i] == '.' && start == 0);
    if ((numeric || lettered) && closed && space(rest[i + 1])) return lead + i + 2;
    return 0;
}

std::vector<Piece> classify(const std::vector<Line>& paragraph) {
    if (paragraph.empty()) return {};
    if (looks_like_code(paragraph)) return {Piece{0, paragraph.size(), BlockKind::code}};
    if (looks_like_table(paragraph)) return {Piece{0, paragraph.size(), BlockKind::table}};
    std::vector<Piece> pieces;
    for (std::size_t i = 0; i < paragraph.size(); ++i) {
        const bool item = list_marker(paragraph[i].text) > 0;
        if (item || pieces.empty()) {
            pieces.push_back(Piece{i, 1, item ? BlockKind::list : BlockKind::prose});
        } else {
            ++pieces.back().count;
        }
    }
    return pieces;
}

std::vector<std::string> remove_running_lines(std::vector<std::vector<Line>>& pages,
                                              const std::set<std::string>& keep) {
    std::vector<std::string> folios(pages.size());
    const std::size_t needed = std::max<std::size_t>(3, (pages.size() + 1) / 2);
    if (pages.size() < 3) return folios;
    std::vector<std::vector<std::size_t>> running(pages.size());
    for (const bool top : {true, false}) {
        // A running header may take two lines; the second counts only under a removed first.
        std::vector<bool> under_removed(pages.size(), true);
        for (int depth = 0; depth < 2; ++depth) {
            std::map<std::string, std::size_t> seen;
            std::vector<std::optional<std::size_t>> at(pages.size());
            for (std::size_t p = 0; p < pages.size(); ++p) {
                if (!under_removed[p]) continue;
                at[p] = edge_line(pages[p], top, depth);
                if (at[p]) ++seen[signature(pages[p][*at[p]].text)];
            }
            for (std::size_t p = 0; p < pages.size(); ++p) {
                under_removed[p] = at[p] && seen[signature(pages[p][*at[p]].text)] >= needed &&
                                   !keep.contains(join_lines({pages[p][*at[p]]}).text);
                if (under_removed[p]) running[p].push_back(*at[p]);
            }
        }
    }
    for (std::size_t p = 0; p < pages.size(); ++p)
        folios[p] = page_number(pages[p], running[p]);
    // A number the same on every page ("Science for Class 9") belongs to the title, not the page.
    std::set<std::string> distinct;
    std::size_t with_number = 0;
    for (const auto& f : folios)
        if (!f.empty()) distinct.insert(f), ++with_number;
    if (with_number >= 3 && distinct.size() == 1)
        for (auto& f : folios)
            f.clear();
    // Removed, not blanked: a paragraph running over the page break must join up again.
    for (std::size_t p = 0; p < pages.size(); ++p) {
        std::sort(running[p].rbegin(), running[p].rend());
        running[p].erase(std::unique(running[p].begin(), running[p].end()), running[p].end());
        for (const auto i : running[p])
            pages[p].erase(pages[p].begin() + static_cast<long>(i));
    }
    return folios;
}

} // namespace mcqgen::detail
