#pragma once
// Key terms of a document for the offline generator: years, numbers, names, defined terms and
// common nouns, each with its kind and class, so distractors are drawn from terms of the same
// kind: a person for a person, a number with the same unit, a WordNet sister for a noun.

#include "core/text.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mcqgen::detail::offline {

enum class Kind { year, number, name, defined, word };

/// The words next to a name, each a hash of "<word" (before) or ">word" (after), sorted: small
/// enough to keep for every name of a long document.
using Contexts = std::vector<std::uint32_t>;

/// The hash a context is kept as.
std::uint32_t context_hash(std::string_view feature);

/// One occurrence of a term in a sentence.
struct Term {
    Kind kind = Kind::word;
    std::string text; ///< as written in the sentence (a possessive's "'s" left out)
    std::string key;  ///< canonical form (lower case) for comparisons
    /// The class a distractor must share. Numbers: their unit ("percent", "after article",
    /// "days", "version", "plain"). Names: "person", "place", "organization", "product",
    /// "acronym", "title", "thing" (a cue word says what) or "name" (unknown). Defined terms:
    /// as names. Words: the WordNet lexicographer class ("noun.artifact").
    std::string group;
    std::string cue; ///< finer class: a name's cue word, a definition's genus, a noun's lemma
    std::size_t begin = 0, end = 0; ///< byte range in the sentence
    Contexts contexts; ///< in Inventory::entries(): the name's neighbours across the document
    int sentences = 0; ///< in Inventory::entries(): the sentences that mention a name
};

/// How extract_terms reads a sentence.
struct ExtractOptions {
    bool initial_is_name = false; ///< the first word is a name, not just capitalised
    bool common_words = false;    ///< also common nouns (asks WordNet; for candidate sentences)
};

/// The terms of one sentence, in order.
std::vector<Term> extract_terms(std::string_view sentence, ExtractOptions options = {});

/// Every distinct term of a document, by kind. Memory grows with the vocabulary, not with the
/// length of the document: a sentence's terms are extracted again when asked for (a few
/// microseconds), instead of being kept for every sentence.
class Inventory {
  public:
    explicit Inventory(std::string_view document);

    /// Sentence `i`, white space normalised (term offsets refer to this text).
    std::string sentence_text(std::size_t i) const;
    /// True when `sentence` (white space normalised) is a sentence of the document.
    bool has_sentence(std::string_view sentence) const;
    /// True when no paragraph break (a blank line) parts sentences `first`..`last`.
    bool one_paragraph(std::size_t first, std::size_t last) const;
    /// Sentences `first`..`last` as one string, white space normalised.
    std::string span_text(std::size_t first, std::size_t last) const;
    std::size_t sentence_count() const { return sentences_.size(); }
    /// The terms of sentence `i`, in order, names classed as the whole document tells; none for
    /// a heading. `common_words`: also its common nouns.
    std::vector<Term> terms_of(std::size_t i, bool common_words = false) const;
    /// Distinct terms of a kind, each in the form of its first occurrence.
    const std::vector<Term>& entries(Kind kind) const;
    /// The words next to a name across the document ("<in", ">developers"): names that stand in
    /// the same places are of the same kind.
    const Contexts& contexts(const std::string& key) const;
    /// The class of a name or defined term by its key ("" when the document has no such name).
    const std::string& group_of(const std::string& key) const;
    /// Importance of a lower-case word in the document (tf-idf over sentences), 0 if unknown.
    double weight(const std::string& word) const;
    /// Sentences a lower-case word or a name's key occurs in.
    int sentences_with(const std::string& key) const;
    /// 1 for a term only a few sentences mention, falling towards 0 for one the whole document
    /// is about ("Debian" in Debian's FAQ): a key everyone can guess tests nothing.
    double specificity(const std::string& key) const;
    /// Index of the sentence starting at byte `begin`, or npos.
    std::size_t sentence_at(std::size_t begin) const;

  private:
    /// What terms_of needs to know about a sentence besides its text.
    enum Shape : unsigned char { heading, initial_is_name, initial_is_not_name };

    static void note_context(std::string_view sentence, const Term& occurrence, Term& entry);
    void classify_names();

    std::string_view document_;
    std::vector<Sentence> sentences_;
    std::vector<Shape> shapes_; ///< one per sentence
    std::map<Kind, std::vector<Term>> entries_;
    /// A name or defined term's entry by the hash of its key, sorted: 12 bytes a name, for
    /// documents with a million of them. The entry holds its group and contexts.
    struct NameRef {
        std::uint64_t hash;
        Kind kind;
        std::uint32_t index; ///< into entries_[kind]
        bool operator<(const NameRef& o) const { return hash < o.hash; }
    };
    std::vector<NameRef> names_;
    const Term* entry_of(const std::string& key) const;
    /// What the document says of a word or a name: its weight and how many sentences have it.
    struct Usage {
        float weight = 0;
        int sentences = 0;
    };
    std::unordered_map<std::string, Usage> words_;
    std::vector<std::uint64_t> sentence_hashes_; ///< of every normalised sentence, sorted
};

} // namespace mcqgen::detail::offline
