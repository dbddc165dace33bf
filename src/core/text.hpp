#pragma once
// Text helpers every part uses: sentence splitting, word tokens, white space, stop words.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

/// A sentence as a byte range of the document.
struct Sentence {
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// Sentence boundaries of `text` (on ., ?, ! followed by space and not after a common
/// abbreviation or an initial, and on blank lines).
std::vector<Sentence> split_sentences(std::string_view text);

/// True when the '.', '?' or '!' at text[i] ends a sentence: white space or the end follows
/// (after closing quotes or brackets), and a full stop is not after an abbreviation or an
/// initial ("Dr.", "Guy L.").
bool ends_sentence_at(std::string_view text, std::size_t i);

/// Collapses runs of white space to one space and trims (for verbatim-quote checks).
std::string normalize_whitespace(std::string_view text);

/// Appends the UTF-8 encoding of `cp` (a code point below U+110000; others append nothing).
void append_utf8(char32_t cp, std::string& out);

/// ASCII lower case; other bytes unchanged.
std::string lower(std::string_view text);

/// A byte that belongs to a word: an ASCII letter or digit, or any byte of a UTF-8 sequence.
bool is_word_byte(char c);

/// Lower-case word tokens (letters and digits, UTF-8 bytes kept whole).
std::vector<std::string> tokenize(std::string_view text);

/// The distinct tokens of `text` that are not stop words.
std::set<std::string> content_words(std::string_view text);

/// True for very common English words that carry no topic.
bool is_stopword(std::string_view lower_word);

/// Replaces every occurrence of `secret` (the API key) in `text` with "[redacted]".
void redact(std::string& text, std::string_view secret);

} // namespace mcqgen::detail
