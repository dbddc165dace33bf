#include "pipeline/validation.hpp"

#include "core/text.hpp"

#include <mcqgen/document.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <regex>
#include <set>

namespace mcqgen::detail {
namespace {

std::string canonical_option(std::string_view option) {
    return lower(normalize_whitespace(option));
}

template <class Set> double jaccard(const Set& a, const Set& b) {
    if (a.empty() && b.empty()) return 1;
    std::size_t shared = 0;
    for (const auto& x : a)
        shared += b.count(x);
    return static_cast<double>(shared) / static_cast<double>(a.size() + b.size() - shared);
}

std::set<std::string> trigrams(std::string_view text) {
    const auto s = lower(normalize_whitespace(text));
    std::set<std::string> grams;
    for (std::size_t i = 0; i + 3 <= s.size(); ++i)
        grams.insert(s.substr(i, 3));
    return grams;
}

// Whole-word containment ("1950" is in "in 1950," but not in "19505"), both sides already
// lower case and white space normalised.
bool contains_phrase(const std::string& h, const std::string& n) {
    if (n.empty()) return false;
    for (auto pos = h.find(n); pos != std::string::npos; pos = h.find(n, pos + 1)) {
        const bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(h[pos - 1]));
        const std::size_t end = pos + n.size();
        const bool right = end == h.size() || !std::isalnum(static_cast<unsigned char>(h[end]));
        if (left && right) return true;
    }
    return false;
}

bool is_all_or_none_of_the_above(std::string_view option) {
    static const std::regex pattern(R"((all|none|both|neither)\s+of\s+the\s+(above|options|these))",
                                    std::regex::icase);
    return std::regex_search(option.begin(), option.end(), pattern);
}

bool names_option_letter(std::string_view explanation) {
    static const std::regex pattern(
        R"(\b(option|answer|choice)\s*\(?[A-D]\)?(\b|$)|\([A-D]\)|(^|\s)[A-D][.)]\s)",
        std::regex::icase);
    return std::regex_search(explanation.begin(), explanation.end(), pattern);
}

// The key gives itself away by being much the longest option.
bool key_is_much_longest(const Candidate& c) {
    const auto key_length = c.options[static_cast<std::size_t>(c.answer_index)].size();
    std::size_t longest_other = 0;
    for (std::size_t i = 0; i < c.options.size(); ++i)
        if (static_cast<int>(i) != c.answer_index)
            longest_other = std::max(longest_other, c.options[i].size());
    return key_length >= 20 &&
           static_cast<double>(key_length) > 1.6 * static_cast<double>(longest_other);
}

// The key is the only option that repeats a content word of the stem.
bool key_alone_echoes_stem(const Candidate& c) {
    const auto stem = content_words(c.stem);
    int echoing = 0;
    bool key_echoes = false;
    for (std::size_t i = 0; i < c.options.size(); ++i) {
        const auto words = content_words(c.options[i]);
        const bool echoes = std::any_of(words.begin(), words.end(),
                                        [&](const std::string& w) { return stem.count(w) > 0; });
        echoing += echoes;
        if (echoes && static_cast<int>(i) == c.answer_index) key_echoes = true;
    }
    return key_echoes && echoing == 1;
}

bool quotes_overlap(const AcceptedQuestions::Entry& a, const AcceptedQuestions::Entry& b) {
    if (a.quote.find(b.quote) != std::string::npos || b.quote.find(a.quote) != std::string::npos)
        return true;
    return jaccard(a.quote_words, b.quote_words) >= 0.5;
}

AcceptedQuestions::Entry prepare(std::string_view stem, std::string_view key,
                                 std::string_view quote, std::string_view style) {
    AcceptedQuestions::Entry e;
    e.statements = style == "statements";
    e.stem = lower(normalize_whitespace(stem));
    e.key = canonical_option(key);
    e.quote = lower(normalize_whitespace(quote));
    e.stem_words = content_words(stem);
    e.stem_trigrams = trigrams(stem);
    e.quote_words = content_words(quote);
    return e;
}

} // namespace

QuoteIndex::QuoteIndex(std::string_view document) {
    // normalize_whitespace's rule, with a note of every place the offsets part.
    normalized_.reserve(document.size());
    std::size_t i = 0;
    while (i < document.size()) {
        const bool space = std::isspace(static_cast<unsigned char>(document[i])) != 0;
        if (!space) {
            normalized_ += document[i++];
            continue;
        }
        const std::size_t run = i;
        while (i < document.size() && std::isspace(static_cast<unsigned char>(document[i])))
            ++i;
        if (i == document.size()) break;
        if (!normalized_.empty()) normalized_ += ' ';
        if (i - run != 1 || normalized_.empty()) shifts_.emplace_back(normalized_.size(), i);
    }
}

std::optional<std::size_t> QuoteIndex::find(std::string_view quote) const {
    const auto q = normalize_whitespace(normalize_text(quote));
    if (tokenize(q).size() < 3) return std::nullopt;
    const auto at = normalized_.find(q);
    if (at == std::string::npos) return std::nullopt;
    const auto shift = std::upper_bound(shifts_.begin(), shifts_.end(),
                                        std::pair{at, std::numeric_limits<std::size_t>::max()});
    if (shift == shifts_.begin()) return at;
    const auto& [normalized, original] = *std::prev(shift);
    return original + (at - normalized);
}

std::optional<std::string_view> check_candidate(const Candidate& c, const QuoteIndex& quotes) {
    if (c.options.size() != 4) return reason::option_count;
    if (c.answer_index < 0 || c.answer_index > 3) return reason::key_out_of_range;
    if (normalize_whitespace(c.stem).empty() || normalize_whitespace(c.explanation).empty() ||
        normalize_whitespace(c.quote).empty())
        return reason::empty_field;
    std::set<std::string> distinct;
    for (const auto& option : c.options) {
        if (normalize_whitespace(option).empty()) return reason::empty_field;
        if (is_all_or_none_of_the_above(option)) return reason::all_none_of_the_above;
        distinct.insert(canonical_option(option));
    }
    if (distinct.size() != 4) return reason::duplicate_options;
    if (!quotes.contains(c.quote)) return reason::quote_not_in_document;
    // A statement item's options are counts in a fixed order: no option can give itself away.
    const bool statements = c.style == "statements";
    if (!statements && key_is_much_longest(c)) return reason::giveaway_length;
    if (!statements && key_alone_echoes_stem(c)) return reason::giveaway_echo;
    if (names_option_letter(c.explanation)) return reason::explanation_letter;
    return std::nullopt;
}

void PendingStems::add(int slot, const std::vector<Candidate>& candidates) {
    auto& stems = stems_[slot];
    auto& keys = keys_[slot];
    for (const auto& c : candidates) {
        stems.push_back(lower(normalize_whitespace(c.stem)));
        if (c.answer_index >= 0 && static_cast<std::size_t>(c.answer_index) < c.options.size())
            keys.push_back(canonical_option(c.options[static_cast<std::size_t>(c.answer_index)]));
    }
}

void PendingStems::remove(int slot) {
    stems_.erase(slot);
    keys_.erase(slot);
}

std::vector<std::string> PendingStems::keys_except(int slot) const {
    std::vector<std::string> keys;
    for (const auto& [other, list] : keys_)
        if (other != slot) keys.insert(keys.end(), list.begin(), list.end());
    return keys;
}

int PendingStems::blocked_by(int slot, const Candidate& c) const {
    if (c.answer_index < 0 || static_cast<std::size_t>(c.answer_index) >= c.options.size())
        return 0;
    const auto key = canonical_option(c.options[static_cast<std::size_t>(c.answer_index)]);
    int blocked = 0;
    for (const auto& [other, stems] : stems_)
        if (other != slot)
            for (const auto& stem : stems)
                blocked += contains_phrase(stem, key) ? 1 : 0;
    return blocked;
}

AcceptedQuestions::AcceptedQuestions(const std::vector<Question>& questions) {
    for (const auto& q : questions)
        add(q);
}

void AcceptedQuestions::add(const Question& q) {
    entries_.push_back(prepare(q.stem, q.options[static_cast<std::size_t>(q.answer_index)],
                               q.source_quote, q.style));
    if (!entries_.back().statements) keys_.insert(entries_.back().key);
    stems_.push_back(entries_.back().stem);
}

std::optional<std::string_view> AcceptedQuestions::check(const Candidate& c,
                                                         bool distinct_keys) const {
    if (c.answer_index < 0 || static_cast<std::size_t>(c.answer_index) >= c.options.size())
        return reason::key_out_of_range;
    const auto candidate =
        prepare(c.stem, c.options[static_cast<std::size_t>(c.answer_index)], c.quote, c.style);
    for (const auto& q : entries_) {
        if (jaccard(candidate.stem_words, q.stem_words) >= 0.7 ||
            jaccard(candidate.stem_trigrams, q.stem_trigrams) >= 0.8)
            return reason::near_duplicate;
        if (candidate.key == q.key && quotes_overlap(candidate, q))
            return reason::same_key_same_passage;
        // One test asks about a term once; a statement item's key is a count, not a term.
        if (distinct_keys && candidate.key == q.key && !candidate.statements && !q.statements)
            return reason::repeated_key;
        if (contains_phrase(candidate.stem, q.key) || contains_phrase(q.stem, candidate.key))
            return reason::stem_contains_key;
    }
    return std::nullopt;
}

} // namespace mcqgen::detail
