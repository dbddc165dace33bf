#pragma once
// The local gates every candidate passes before a judge sees it, whoever wrote it, and the
// checks against questions already accepted. A failing candidate is rejected with a reason and
// never patched.

#include "pipeline/provider.hpp"

#include <mcqgen/question.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

/// Stable rejection reasons, as stored in Test::rejections.
namespace reason {
inline constexpr std::string_view schema = "schema";
inline constexpr std::string_view option_count = "option_count";
inline constexpr std::string_view empty_field = "empty_field";
inline constexpr std::string_view duplicate_options = "duplicate_options";
inline constexpr std::string_view key_out_of_range = "key_out_of_range";
inline constexpr std::string_view all_none_of_the_above = "all_or_none_of_the_above";
inline constexpr std::string_view quote_not_in_document = "quote_not_in_document";
inline constexpr std::string_view giveaway_length = "giveaway_longest_option";
inline constexpr std::string_view giveaway_echo = "giveaway_echoes_stem";
inline constexpr std::string_view explanation_letter = "explanation_names_letter";
inline constexpr std::string_view near_duplicate = "near_duplicate";
inline constexpr std::string_view same_key_same_passage = "same_key_overlapping_passage";
inline constexpr std::string_view stem_contains_key = "stem_contains_key";
inline constexpr std::string_view judge_disagrees = "judge_disagrees";
inline constexpr std::string_view judge_low_score = "judge_low_score";
inline constexpr std::string_view judge_missing = "judge_no_verdict";
} // namespace reason

/// The document prepared once for quote checks.
class QuoteIndex {
  public:
    explicit QuoteIndex(std::string_view document);
    /// True when `quote` (white space normalised, at least three words) occurs in the document.
    bool contains(std::string_view quote) const;

  private:
    std::string normalized_;
};

/// Checks one candidate on its own. Returns the rejection reason, or nothing if it passes.
std::optional<std::string_view> check_candidate(const Candidate& candidate,
                                                const QuoteIndex& quotes);

/// The questions already accepted in a test, each prepared once for the checks against it
/// (word and trigram sets, normalised stem, key and quote), so that checking a candidate costs
/// one preparation plus set comparisons, however many questions were accepted before it.
class AcceptedQuestions {
  public:
    AcceptedQuestions() = default;
    explicit AcceptedQuestions(const std::vector<Question>& questions);

    void add(const Question& question);
    std::size_t size() const noexcept { return entries_.size(); }

    /// Checks a candidate that passed check_candidate: near-duplicate stems, the same key from
    /// an overlapping quote, a stem that gives away another question's key (or the reverse).
    /// Returns the rejection reason, or nothing if it passes.
    std::optional<std::string_view> check(const Candidate& candidate) const;

    /// One question as the checks see it: lower case, white space normalised.
    struct Entry {
        std::string stem, key, quote;
        std::set<std::string> stem_words, stem_trigrams, quote_words;
    };

  private:
    std::vector<Entry> entries_;
};

/// Key positions for a whole test: each of A-D gets a fair share (counts differ by at most one),
/// in a seeded order. The same (seed, count) always gives the same deal.
std::vector<int> deal_key_positions(std::uint64_t seed, int count);

/// A permutation of 0..3, seeded: the order options are shown in.
std::array<int, 4> seeded_permutation(std::uint64_t seed);

/// A small, fast, portable PRNG (splitmix64): the same numbers on every platform, unlike the
/// standard distributions.
class SeededRandom {
  public:
    explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();
    /// Uniform in [0, bound).
    std::uint64_t below(std::uint64_t bound);
    double unit(); ///< uniform in [0, 1)

  private:
    std::uint64_t state_;
};

/// Mixes several values into one seed.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

/// Turns a validated candidate into a question with its key moved to `key_position` and the
/// distractors in a seeded order.
Question place_key(const Candidate& candidate, int key_position, std::uint64_t seed);

} // namespace mcqgen::detail
