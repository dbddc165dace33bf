#pragma once
// Splitting a document into sentences and passages, ranking passages (BM25 over the document's
// own key terms) and spreading question slots over the whole document.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

/// A sentence as a byte range of the document.
struct Sentence {
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// A run of consecutive sentences, the unit a question slot is written from.
struct Passage {
    int index = 0;         ///< order in the document
    std::size_t begin = 0; ///< byte range in the document
    std::size_t end = 0;
    std::string text;                ///< the document's bytes in [begin, end)
    std::vector<Sentence> sentences; ///< absolute offsets into the document
    double score = 0;                ///< BM25 relevance to the document's key terms
};

/// Sentence boundaries of `text` (on ., ?, ! followed by space and not after a common
/// abbreviation or an initial, and on blank lines).
std::vector<Sentence> split_sentences(std::string_view text);

/// Groups sentences into passages of about `target_bytes` that never cross a paragraph break
/// unless a paragraph is tiny; scores each passage.
std::vector<Passage> make_passages(std::string_view text, std::size_t target_bytes = 700);

/// Orders passages for `slots` questions: the best passage of each of `slots` equal stretches
/// of the document first (coverage), then the rest by score (replacements).
std::vector<int> plan_passages(const std::vector<Passage>& passages, int slots);

/// Collapses runs of white space to one space and trims (for verbatim-quote checks).
std::string normalize_whitespace(std::string_view text);

/// Lower-case word tokens (letters and digits, UTF-8 bytes kept whole).
std::vector<std::string> tokenize(std::string_view text);

/// True for very common English words that carry no topic.
bool is_stopword(std::string_view lower_word);

} // namespace mcqgen::detail
