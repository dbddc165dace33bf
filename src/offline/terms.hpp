#pragma once
// Key terms of a document for the offline generator: years, numbers, names, defined terms and
// topic words, each with its kind, so distractors can be drawn from terms of the same kind.

#include "core/text.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail::offline {

enum class Kind { year, number, name, defined, word };

/// One occurrence of a term in a sentence.
struct Term {
    Kind kind = Kind::word;
    std::string text;  ///< as written in the sentence
    std::string key;   ///< canonical form (lower case) for comparisons
    std::string group; ///< finer kind: unit of a number, cue word of a name, suffix of a word
    std::size_t begin = 0, end = 0; ///< byte range in the sentence
};

/// The terms of one sentence, in order.
std::vector<Term> extract_terms(std::string_view sentence, bool allow_initial_name = false);

/// Every distinct term of a document, by kind. Memory grows with the vocabulary, not with the
/// length of the document: a sentence's terms are extracted again when asked for (a few
/// microseconds), instead of being kept for every sentence.
class Inventory {
  public:
    explicit Inventory(std::string_view document);

    std::string_view sentence_text(std::size_t i) const;
    /// The terms of sentence `i`, in order; none for a heading.
    std::vector<Term> terms_of(std::size_t i) const;
    /// Distinct terms of a kind, each in the form of its first occurrence.
    const std::vector<Term>& entries(Kind kind) const;
    /// Importance of a lower-case word in the document (tf-idf over sentences), 0 if unknown.
    double weight(const std::string& word) const;
    /// Index of the sentence starting at byte `begin`, or npos.
    std::size_t sentence_at(std::size_t begin) const;

  private:
    /// What terms_of needs to know about a sentence besides its text.
    enum Shape : unsigned char { heading, initial_is_name, initial_is_not_name };

    std::string_view document_;
    std::vector<Sentence> sentences_;
    std::vector<Shape> shapes_; ///< one per sentence
    std::map<Kind, std::vector<Term>> entries_;
    std::map<std::string, double> weights_;
};

} // namespace mcqgen::detail::offline
