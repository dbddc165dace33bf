#pragma once
// Key terms of a document for the offline generator: years, numbers, names, defined terms and
// topic words, each with its kind, so distractors can be drawn from terms of the same kind.

#include "pipeline/passages.hpp"

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

/// Every term of a document, by kind, with the sentences it occurs in.
class Inventory {
  public:
    explicit Inventory(std::string_view document);

    struct Entry {
        Term term;                          ///< first occurrence's form
        std::vector<std::size_t> sentences; ///< indices into sentences()
        int count = 0;
    };

    const std::vector<Sentence>& sentences() const noexcept { return sentences_; }
    std::string_view sentence_text(std::size_t i) const;
    const std::vector<Term>& terms_of(std::size_t sentence) const { return terms_[sentence]; }
    /// Distinct terms of a kind.
    const std::vector<Entry>& entries(Kind kind) const;
    /// Importance of a lower-case word in the document (tf-idf over sentences), 0 if unknown.
    double weight(const std::string& word) const;
    /// Index of the sentence starting at byte `begin`, or npos.
    std::size_t sentence_at(std::size_t begin) const;

  private:
    std::string_view document_;
    std::vector<Sentence> sentences_;
    std::vector<std::vector<Term>> terms_;
    std::map<Kind, std::vector<Entry>> entries_;
    std::map<std::string, double> weights_;
    std::set<std::string> lowercase_uses_; ///< words the document writes in lower case
};

} // namespace mcqgen::detail::offline
