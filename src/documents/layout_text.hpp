#pragma once
// Line-level text layout for DocumentBuilder: joining hard-wrapped lines, telling prose from
// lists, code and tables, and finding running headers and footers by their repetition.

#include <mcqgen/document.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

struct Line {
    std::string text;
    int page = 0; ///< index of the raw page it came from
};

bool blank(std::string_view text);
std::string_view trim(std::string_view text);
std::string_view rtrim(std::string_view text);

/// Lines of already-normalised text (page 0).
std::vector<Line> split_lines(std::string_view text);

struct Joined {
    std::string text;
    std::vector<std::size_t> starts; ///< where each input line begins in `text`
};

/// One paragraph from hard-wrapped lines: lines trimmed and joined by one space, white space
/// collapsed, a word hyphenated at a line end joined again. For a list item, the bullet or
/// number of its first line is dropped.
Joined join_lines(const std::vector<Line>& lines, bool list_item = false);

/// True for the kinds whose line breaks carry meaning (code, tables).
bool keeps_lines(BlockKind kind);
/// The lines as they are, right-trimmed, without leading and trailing blank lines.
std::string keep_lines(const std::vector<Line>& lines);

/// A run of a paragraph's lines of one kind (each list item is its own piece).
struct Piece {
    std::size_t first = 0;
    std::size_t count = 0;
    BlockKind kind = BlockKind::prose;
};

/// `text` without a leading section number ("3.5.8 ", "A.1 ", "4. "), or `text` when it has none.
std::string_view without_numbering(std::string_view text);

/// What the lines of one paragraph are: prose, list items, code or a table (a table of
/// contents, with its dot leaders, is a table).
std::vector<Piece> classify(const std::vector<Line>& paragraph);

/// The length of a list marker ("• ", "- ", "3. ", "(b) ") at the start of `line`, or 0.
std::size_t list_marker(std::string_view line);

/// Removes running headers and footers (lines at the same edge of at least half the pages, and
/// of three or more, once digits are ignored), and returns each page's printed folio, as read
/// from a removed line ("" when none). A line whose text is in `keep` (outline titles: a
/// "Chapter 3" atop each chapter's first page looks like a running header) stays.
std::vector<std::string> remove_running_lines(std::vector<std::vector<Line>>& pages,
                                              const std::set<std::string>& keep = {});

} // namespace mcqgen::detail
