#include "offline/distractors.hpp"

#include "offline/wordnet.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

namespace mcqgen::detail::offline {
namespace {

bool overlaps(const std::string& a, const std::string& b);

// The best few are shuffled and three taken, so two tests on one document differ.
constexpr std::size_t pool_size = 5;

// The best `pool_size` scored texts, the earlier first among equals: a bounded insertion
// instead of sorting every term of a kind (documents of megabytes have tens of thousands).
class Pool {
  public:
    bool worth(double score) const {
        return best_.size() < pool_size || score > best_.back().first;
    }
    void offer(double score, std::string text) {
        if (!worth(score)) return;
        for (const auto& [s, t] : best_)
            if (lower(t) == lower(text)) return;
        const auto at = std::upper_bound(best_.begin(), best_.end(), score,
                                         [](double s, const auto& p) { return s > p.first; });
        best_.insert(at, {score, std::move(text)});
        if (best_.size() > pool_size) best_.pop_back();
    }
    /// Three of the best, none overlapping another ("Leader", "Project Leader").
    std::vector<std::string> draw(SeededRandom& random) {
        for (std::size_t i = best_.size(); i > 1; --i)
            std::swap(best_[i - 1], best_[random.below(i)]);
        std::vector<std::string> picked;
        for (auto& entry : best_) {
            std::string& text = entry.second;
            const bool clashes =
                std::any_of(picked.begin(), picked.end(),
                            [&](const std::string& p) { return overlaps(lower(p), lower(text)); });
            if (picked.size() < 3 && !clashes) picked.push_back(std::move(text));
        }
        return picked;
    }

  private:
    std::vector<std::pair<double, std::string>> best_;
};

std::size_t word_count(const std::string& t) {
    return 1 + static_cast<std::size_t>(std::count(t.begin(), t.end(), ' '));
}

std::string singular(std::string t) {
    if (t.size() > 3 && t.back() == 's' && t[t.size() - 2] != 's') t.pop_back();
    return t;
}

bool plural(const std::string& t) {
    return singular(t) != t;
}

// Neither contains the other as words: "Debian" and "Debian Project" are not alternatives, nor
// "Document" and "Documents".
bool overlaps(const std::string& a, const std::string& b) {
    if (singular(a) == singular(b)) return true;
    const auto has = [](const std::string& h, const std::string& n) {
        for (auto at = h.find(n); at != std::string::npos; at = h.find(n, at + 1)) {
            const bool left = at == 0 || h[at - 1] == ' ';
            const bool right = at + n.size() == h.size() || h[at + n.size()] == ' ';
            if (left && right) return true;
        }
        return false;
    };
    return has(a, b) || has(b, a);
}

// Of two sorted sets of contexts, the share they have in common.
double jaccard(const Contexts& a, const Contexts& b) {
    if (a.empty() || b.empty()) return 0;
    std::size_t shared = 0;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] == b[j]) {
            ++shared, ++i, ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return static_cast<double>(shared) / static_cast<double>(a.size() + b.size() - shared);
}

std::optional<double> numeric_value(const std::string& text) {
    std::string digits;
    for (char c : text)
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') digits += c;
    try {
        return digits.empty() ? std::nullopt : std::optional<double>(std::stod(digits));
    } catch (...) {
        return std::nullopt;
    }
}

// A name fit to print as an option: letters, spaces, hyphens, apostrophes, initials' stops.
bool clean_name(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '\'' ||
               c == '.' || static_cast<unsigned char>(c) >= 0x80;
    });
}

// "John Chambers" and "John M. Chambers" are one person.
bool same_surname(const std::string& a, const std::string& b) {
    return a.substr(a.rfind(' ') + 1) == b.substr(b.rfind(' ') + 1);
}

bool excluded(const std::set<std::string>& taken, const std::string& key) {
    for (const auto& t : taken)
        if (overlaps(t, key)) return true;
    return false;
}

void offer_years(const Inventory& inventory, const Term& key, const std::set<std::string>& taken,
                 Pool& pool) {
    const int year = std::stoi(key.text);
    for (const auto& t : inventory.entries(Kind::year)) {
        const int gap = std::abs(std::stoi(t.text) - year);
        if (gap == 0 || gap > 60 || taken.count(t.key)) continue;
        pool.offer(-gap, t.text);
    }
    // A short document has few years: nearby years are as good, and wrong for this sentence.
    for (int gap : {3, -5, 8, -11, 14})
        pool.offer(-30.0 - std::abs(gap), std::to_string(year + gap));
}

void offer_numbers(const Inventory& inventory, const Term& key, const std::set<std::string>& taken,
                   Pool& pool) {
    const auto value = numeric_value(key.text);
    for (const auto& t : inventory.entries(Kind::number)) {
        if (t.group != key.group || taken.count(t.key) || t.key == key.key) continue;
        const auto other = numeric_value(t.text);
        const double distance = value && other && *value > 0 && *other > 0
                                    ? std::abs(std::log10(*value) - std::log10(*other))
                                    : 1;
        if (distance > 1.5) continue; // 3 and 3000 are not alternatives
        pool.offer(-distance, t.text);
    }
    // Whole numbers can be varied; identifiers ("i386") and decimals with commas cannot.
    const bool whole = key.group != "identifier" && key.group != "mixed" &&
                       key.text.find_first_of(".,") == std::string::npos;
    if (!whole || !value || *value < 2 || *value > 1e9) return;
    const auto suffix = key.text.substr(key.text.find_last_of("0123456789") + 1);
    const auto n = static_cast<long long>(*value);
    const auto variants = key.group == "decade"
                              ? std::vector<long long>{n - 10, n + 10, n - 20, n + 20}
                          : n >= 20 ? std::vector<long long>{n * 2, n / 2, n * 3 / 2, n * 3 / 4}
                                    : std::vector<long long>{n + 1, n - 1, n + 2, n * 2};
    const auto looks_like_year = [](long long v) { return v >= 1000 && v <= 2099; };
    for (long long other : variants) {
        if (other <= 0 || other == n || (key.group == "percent" && other > 100)) continue;
        // A made-up number must not read as a year where the key does not, nor the reverse.
        if (key.group != "decade" && looks_like_year(other) != looks_like_year(n)) continue;
        pool.offer(-5.0, std::to_string(other) + suffix);
    }
}

// Names stand in for each other when they are of one class and stand in the same places.
void offer_names(const Inventory& inventory, const Term& key, const std::set<std::string>& taken,
                 Pool& pool) {
    const auto& key_contexts = inventory.contexts(key.key);
    // A class from a cue word or WordNet's category is weak evidence; without a strong one,
    // only names that also stand where the key stands are alternatives.
    const bool strong = key.group == "person" || key.group == "place" ||
                        key.group == "organization" || key.group == "role" || key.group == "law" ||
                        key.group == "event";
    const bool unknown = !strong;
    for (auto kind : {Kind::name, Kind::defined}) {
        for (const auto& t : inventory.entries(kind)) {
            if (t.group != key.group || t.key == key.key || plural(t.key) != plural(key.key) ||
                !clean_name(t.text) || (key.group == "person" && same_surname(t.key, key.key)))
                continue;
            const double shared = jaccard(key_contexts, inventory.contexts(t.key));
            // A shared neighbour or two is no evidence that two names are of one kind.
            constexpr double least_shared_context = 0.15;
            if (unknown && shared < least_shared_context) continue;
            const auto words = word_count(t.text), key_words = word_count(key.text);
            if (words + 1 < key_words || key_words + 1 < words) continue;
            double score = 3 * shared + (t.cue == key.cue && !key.cue.empty() ? 1.5 : 0) +
                           (words == key_words ? 1 : 0) -
                           std::abs(static_cast<double>(t.text.size()) -
                                    static_cast<double>(key.text.size())) /
                               20;
            if (!pool.worth(score) || excluded(taken, t.key)) continue;
            pool.offer(score, t.text);
        }
    }
}

struct Fit {
    std::string text;
    double score;
    bool in_document;
};

// A gloss's definition (before its quoted examples): the words that say what a meaning is.
std::set<std::string> defining_words(const std::string& gloss) {
    static const std::set<std::string> vague = {"someone",    "something", "person", "people",
                                                "especially", "usually",   "often",  "used",
                                                "make",       "made",      "having", "being"};
    std::set<std::string> words;
    for (auto word : content_words(gloss.substr(0, gloss.find("; \""))))
        if (word.size() >= 4 && !vague.count(word)) words.insert(singular(std::move(word)));
    return words;
}

// Two meanings defined by a common word besides the parent they share are near-synonyms: an
// "opinion" is "a personal belief ... not founded on proof", a "conviction" "an unshakable
// belief ... without need for proof"; "universities" and "academies" are both of "higher
// learning". Either would be right in the key's place.
// Things are told apart by their parts and sizes ("a bowed stringed instrument slightly larger
// than a violin" is no violin), so only abstract classes are tested.
bool defined_alike(const Term& key, const std::set<std::string>& key_words,
                   const std::string& sister_gloss, const std::string& parent) {
    static const std::set<std::string> abstract = {
        "noun.act",   "noun.attribute", "noun.cognition",  "noun.communication", "noun.feeling",
        "noun.group", "noun.person",    "noun.possession", "noun.relation",      "noun.state"};
    if (!abstract.count(key.group)) return false;
    const auto parent_words = defining_words(parent);
    for (const auto& word : defining_words(sister_gloss))
        if (key_words.count(word) && !parent_words.count(word) && word != key.cue) return true;
    return false;
}

// A plural key needs count nouns: a meaning defined as "a ..." or "one ..." is one; "the
// activities of educating" is not ("educations", "lowercases" are no English).
bool countable(const std::string& gloss) {
    for (const char* start : {"a ", "an ", "any ", "one ", "someone ", "something "})
        if (gloss.rfind(start, 0) == 0) return true;
    return false;
}

// A common noun's WordNet relatives in one of its meanings, `generation` levels out (1:
// sisters), in the key's lexical class, inflected like the key, familiar words first and words
// of the document before others; none without three.
std::vector<Fit> relatives(const Inventory& inventory, const Term& key,
                           const std::set<std::string>& taken, std::size_t sense,
                           const std::set<std::string>& key_words, int generation) {
    // "letters" is a lemma of its own (the literary culture) and the plural of "letter".
    const bool plural_key = lower(key.text) != lower(key.cue) ||
                            wordnet::base_forms(key.text, wordnet::Pos::noun).size() > 1;
    std::vector<Fit> fits;
    for (const auto& sister :
         wordnet::sense_sisters(key.cue, wordnet::Pos::noun, sense, 60, generation)) {
        const bool in_document = inventory.weight(lower(sister.lemma)) > 0;
        const bool gerund =
            sister.lemma.size() > 4 && sister.lemma.compare(sister.lemma.size() - 3, 3, "ing") == 0;
        // "values" is a lemma of its own, but reads as the plural of "value".
        const bool plural_lemma =
            sister.lemma.back() == 's' &&
            wordnet::sense_count(sister.lemma.substr(0, sister.lemma.size() - 1),
                                 wordnet::Pos::noun) > 0;
        if (sister.lexical_class != key.group || (sister.familiarity == 0 && !in_document) ||
            plural_lemma || gerund)
            continue; // an obscure word, or a form unlike the key's
        if (sister.lemma.find_first_not_of("abcdefghijklmnopqrstuvwxyz- ") != std::string::npos ||
            word_count(sister.lemma) > 2)
            continue; // a proper noun or a long phrase does not fit a common noun's place
        if (wordnet::related(key.cue, sister.lemma, wordnet::Pos::noun)) continue;
        auto text = wordnet::inflect_like(sister.lemma, key.text, wordnet::Pos::noun);
        const double ratio =
            static_cast<double>(text.size()) / static_cast<double>(key.text.size());
        if (ratio < 0.5 || ratio > 2 || excluded(taken, lower(text))) continue;
        const auto gloss = wordnet::gloss(wordnet::Pos::noun, sister.synset);
        if (defined_alike(key, key_words, gloss, sister.hypernym)) continue;
        if (plural_key && inventory.weight(lower(text)) == 0 && !countable(gloss)) continue;
        fits.push_back({std::move(text), std::log1p(sister.familiarity) + (in_document ? 1.5 : 0),
                        in_document});
    }
    if (fits.size() < 3) fits.clear();
    return fits;
}

/// Classes whose sisters are often as right as the key (dismay: horror, terror; contempt:
/// disgust; universities: colleges; producers: developers): their distractors come from one
/// level up (anger, joy; pleasure, hope; societies; friends, workers), sisters only without.
bool near_synonym_class(const std::string& lexical_class) {
    static const std::set<std::string> classes = {"noun.feeling", "noun.attribute", "noun.group",
                                                  "noun.person", "noun.state"};
    return classes.count(lexical_class) != 0;
}

/// How many distinct words of a gloss the document also uses (simplified Lesk): "(computer
/// science) an event that causes a computer system to become inoperative" in a database manual.
int gloss_overlap(const Inventory& inventory, const Term& key, const std::string& gloss) {
    const std::string own = lower(key.cue);
    int shared = 0;
    for (const auto& word : content_words(gloss))
        if (word.size() >= 4 && word != own && inventory.weight(word) > 0) ++shared;
    return shared;
}

// Of the key's meanings, those the sense-tagged corpus attests as a real share of its use (the
// first always) and those whose gloss the document shares two words with are tried; the one
// whose gloss and relatives the document uses most is taken ("mouse" in a manual is a device;
// a "crash" in a database manual is the computer's), the most frequent among equals.
void offer_sisters(const Inventory& inventory, const Term& key, const std::set<std::string>& taken,
                   Pool& pool) {
    const auto meanings = wordnet::senses(key.cue, wordnet::Pos::noun);
    // A distractor defined like any meaning of the key is too close, whichever meaning the
    // reader has in mind.
    std::set<std::string> key_words;
    for (const auto& meaning : meanings)
        key_words.merge(defining_words(meaning.gloss));
    std::vector<Fit> best;
    double best_score = -1;
    for (std::size_t i = 0; i < meanings.size(); ++i) {
        const int overlap = gloss_overlap(inventory, key, meanings[i].gloss);
        if (!meanings[i].attested && overlap < 2) continue;
        auto fits = near_synonym_class(key.group)
                        ? relatives(inventory, key, taken, i, key_words, 2)
                        : std::vector<Fit>{};
        if (fits.empty()) fits = relatives(inventory, key, taken, i, key_words, 1);
        if (fits.empty()) continue;
        const auto uses =
            std::count_if(fits.begin(), fits.end(), [](const Fit& f) { return f.in_document; });
        const double score = static_cast<double>(uses + overlap);
        if (score > best_score) {
            best_score = score;
            best = std::move(fits);
        }
    }
    for (auto& fit : best)
        pool.offer(fit.score, std::move(fit.text));
}

} // namespace

std::vector<std::string> pick_distractors(const Inventory& inventory, const Term& key,
                                          const std::vector<Term>& sentence_terms,
                                          SeededRandom& random) {
    std::set<std::string> taken{key.key};
    for (const auto& t : sentence_terms)
        taken.insert(t.key);
    Pool pool;
    switch (key.kind) {
    case Kind::year:
        offer_years(inventory, key, taken, pool);
        break;
    case Kind::number:
        offer_numbers(inventory, key, taken, pool);
        break;
    case Kind::name:
    case Kind::defined:
        offer_names(inventory, key, taken, pool);
        break;
    case Kind::word:
        offer_sisters(inventory, key, taken, pool);
        break;
    }
    return pool.draw(random);
}

std::string option_kind(const Inventory& inventory, const std::string& option) {
    if (!option.empty() &&
        option.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos) {
        const auto bases = wordnet::base_forms(option, wordnet::Pos::noun);
        return bases.empty() ? "other"
                             : "word:" + wordnet::lexical_class(bases.front(), wordnet::Pos::noun);
    }
    const auto terms = extract_terms(option, {true, true});
    if (terms.size() != 1 || terms.front().text.size() + 2 < option.size()) {
        if (option.find_first_of("0123456789") != std::string::npos) return "number";
        return word_count(option) > 1 ? "phrase" : "other";
    }
    const auto& t = terms.front();
    switch (t.kind) {
    case Kind::year:
        return "year";
    case Kind::number:
        return "number:" + t.group;
    case Kind::name:
    case Kind::defined: {
        const auto& group = inventory.group_of(t.key);
        return "name:" + (group.empty() ? t.group : group);
    }
    case Kind::word:
        return "word:" + t.group;
    }
    return "other";
}

} // namespace mcqgen::detail::offline
