#pragma once
// The local gates every candidate passes before a judge sees it, whoever wrote it, and the
// checks against questions already accepted. A failing candidate is rejected with a reason and
// never patched.

#include "provider/provider.hpp"

#include <mcqgen/question.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

/// The document prepared once for quote checks.
class QuoteIndex {
  public:
    explicit QuoteIndex(std::string_view document);
    /// Where `quote` begins in the document, when it occurs there (at least three words,
    /// compared after normalize_text and with white space collapsed on both sides).
    std::optional<std::size_t> find(std::string_view quote) const;
    bool contains(std::string_view quote) const { return find(quote).has_value(); }

  private:
    std::string normalized_;
    /// (offset in normalized_, offset in the document) wherever collapsing shifted the two.
    std::vector<std::pair<std::size_t, std::size_t>> shifts_;
};

/// Checks one candidate on its own. Returns the rejection reason, or nothing if it passes.
std::optional<std::string_view> check_candidate(const Candidate& candidate,
                                                const QuoteIndex& quotes);

/// The questions already accepted in a test, each prepared once for the checks against it
/// (word and trigram sets, normalised stem, key and quote), so that checking a candidate costs
/// one preparation plus set comparisons, however many questions were accepted before it.
/// The stems of the candidates other slots are having judged. A winner whose key is in them
/// would turn them down (stem_contains_key): among a slot's passing candidates, the one that
/// blocks the fewest is taken.
class PendingStems {
  public:
    void add(int slot, const std::vector<Candidate>& candidates);
    void remove(int slot);
    /// The stems of other slots than `slot` that contain the key of `candidate`.
    int blocked_by(int slot, const Candidate& candidate) const;
    /// The keys of other slots' candidates than `slot`'s, lower case.
    std::vector<std::string> keys_except(int slot) const;

  private:
    std::map<int, std::vector<std::string>> stems_; ///< lower case, white space normalised
    std::map<int, std::vector<std::string>> keys_;
};

class AcceptedQuestions {
  public:
    AcceptedQuestions() = default;
    explicit AcceptedQuestions(const std::vector<Question>& questions);

    void add(const Question& question);
    std::size_t size() const noexcept { return entries_.size(); }

    /// Checks a candidate that passed check_candidate: near-duplicate stems, the same key from
    /// an overlapping quote, a stem that gives away another question's key (or the reverse),
    /// and with `distinct_keys` a key an accepted question already has.
    /// Returns the rejection reason, or nothing if it passes.
    std::optional<std::string_view> check(const Candidate& candidate,
                                          bool distinct_keys = true) const;

    /// One question as the checks see it: lower case, white space normalised.
    struct Entry {
        std::string stem, key, quote;
        std::set<std::string> stem_words, stem_trigrams, quote_words;
        bool statements = false; ///< a statement item, whose key is a count
    };

    /// The keys of the accepted questions, lower case (statement items' counts left out).
    const std::set<std::string>& keys() const { return keys_; }
    /// Their stems, lower case and white space normalised.
    const std::vector<std::string>& stems() const { return stems_; }

  private:
    std::vector<Entry> entries_;
    std::set<std::string> keys_;
    std::vector<std::string> stems_;
};

} // namespace mcqgen::detail
