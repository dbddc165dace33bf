#include "offline/offline_provider.hpp"

#include "core/random.hpp"
#include "offline/terms.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace mcqgen::detail::offline {
namespace {

constexpr const char* blank = "_____";

// A sentence worth a question: long enough to carry a fact, short enough to read as a stem.
constexpr std::size_t shortest_sentence = 40, longest_sentence = 400;
// The blind answer is the option the passage supports best, by at least this share of its
// words, and with no tie.
constexpr double least_support = 0.6;
// Stems in this range of lengths count as clear.
constexpr std::size_t shortest_clear_stem = 30, longest_clear_stem = 400;
// The judge's score: how well the passage supports the key, how plausible the distractors
// are, how clear the stem is.
constexpr double support_weight = 0.5, plausibility_weight = 0.3, clarity_weight = 0.2;

struct Pick {
    std::size_t sentence = 0;
    Term term;
    double score = 0;
};

double informativeness(const Inventory& inventory, std::string_view sentence) {
    const auto words = tokenize(sentence);
    double sum = 0;
    for (const auto& w : words)
        sum += inventory.weight(w);
    return words.empty() ? 0 : sum / std::sqrt(static_cast<double>(words.size()));
}

double kind_priority(Kind kind) {
    switch (kind) {
    case Kind::defined:
        return 1.2;
    case Kind::name:
        return 1.1;
    case Kind::year:
        return 1.0;
    case Kind::number:
        return 1.0;
    case Kind::word:
        return 0.6;
    }
    return 0.5;
}

// Each slot leans towards one kind of key, so a whole test mixes names, years, numbers and
// terms instead of asking for dates ten times.
Kind preferred_kind(int slot) {
    static constexpr Kind rotation[] = {Kind::name, Kind::year, Kind::defined, Kind::number,
                                        Kind::word};
    return rotation[static_cast<std::size_t>(slot) % std::size(rotation)];
}

// How alike a distractor is to the key: higher is a more plausible, same-kind alternative.
double similarity(const Term& key, const Term& other) {
    switch (key.kind) {
    case Kind::year:
        return -std::abs(std::stoi(key.text) - std::stoi(other.text));
    case Kind::number: {
        auto value = [](const std::string& t) {
            std::string digits;
            for (char c : t)
                if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') digits += c;
            try {
                return std::max(1e-9, std::stod(digits));
            } catch (...) {
                return 1.0;
            }
        };
        return (key.group == other.group ? 10 : 0) -
               std::abs(std::log10(value(key.text)) - std::log10(value(other.text)));
    }
    case Kind::name:
    case Kind::defined: {
        const auto words = [](const std::string& t) { return std::count(t.begin(), t.end(), ' '); };
        return (key.group == other.group ? 3 : 0) + (words(key.text) == words(other.text) ? 1 : 0) -
               std::abs(static_cast<double>(key.text.size()) -
                        static_cast<double>(other.text.size())) /
                   20;
    }
    case Kind::word:
        return (key.group == other.group ? 2 : 0) -
               std::abs(static_cast<double>(key.text.size()) -
                        static_cast<double>(other.text.size())) /
                   5;
    }
    return 0;
}

bool plural(const std::string& w) {
    return w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's';
}

std::vector<std::string> pick_distractors(const Inventory& inventory, const Term& key,
                                          std::size_t sentence, SeededRandom& random) {
    std::set<std::string> in_sentence;
    for (const auto& t : inventory.terms_of(sentence))
        in_sentence.insert(t.key);
    std::vector<Kind> kinds{key.kind};
    if (key.kind == Kind::defined) kinds.push_back(Kind::name);
    if (key.kind == Kind::name) kinds.push_back(Kind::defined);

    // The five most similar terms, the earlier first among equals: a bounded insertion instead
    // of sorting every term of the kind (documents of megabytes have tens of thousands).
    constexpr std::size_t pool_size = 5;
    std::vector<std::pair<double, const Term*>> pool;
    const auto makes_the_pool = [&](double score) {
        return pool.size() < pool_size || score > pool.back().first;
    };
    const auto offer = [&](double score, const Term* t) {
        const auto at = std::upper_bound(pool.begin(), pool.end(), score,
                                         [](double s, const auto& p) { return s > p.first; });
        pool.insert(at, {score, t});
        if (pool.size() > pool_size) pool.pop_back();
    };
    for (Kind kind : kinds) {
        for (const Term& t : inventory.entries(kind)) {
            // Topic words only stand in for each other when they share form: same number,
            // same ending ("federation"/"legislation", not "eleven"/"member").
            if (key.kind == Kind::word &&
                (t.group != key.group || plural(t.key) != plural(key.key)))
                continue;
            const double score = similarity(key, t) - (kind == key.kind ? 0 : 1);
            if (!makes_the_pool(score)) continue; // before the string checks, which cost more
            if (in_sentence.count(t.key) || t.key.find(key.key) != std::string::npos ||
                key.key.find(t.key) != std::string::npos)
                continue;
            offer(score, &t);
        }
    }
    for (std::size_t i = pool.size(); i > 1; --i)
        std::swap(pool[i - 1], pool[random.below(i)]);
    std::vector<std::string> picked;
    std::set<std::string> seen{key.key};
    for (const auto& [score, t] : pool) {
        if (picked.size() == 3) break;
        if (seen.insert(t->key).second) picked.push_back(t->text);
    }
    return picked;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

std::string difficulty(const Term& key, const std::vector<std::string>& distractors) {
    if (key.kind == Kind::year) {
        int gap = 10000;
        for (const auto& d : distractors)
            gap = std::min(gap, std::abs(std::stoi(d) - std::stoi(key.text)));
        return gap <= 3 ? "hard" : gap <= 15 ? "medium" : "easy";
    }
    if (key.kind == Kind::word) return "hard";
    return "medium";
}

Candidate build(std::string_view sentence, const Term& key, std::vector<std::string> distractors,
                std::uint64_t seed) {
    Candidate c;
    c.quote = std::string(sentence);
    c.difficulty = difficulty(key, distractors);
    auto rest = std::string(sentence.substr(key.end));
    if (key.kind == Kind::defined && key.begin == 0 && rest.size() > 8) {
        while (!rest.empty() && (rest.back() == '.' || rest.back() == ' '))
            rest.pop_back();
        c.stem = "Which of the following" + rest + "?";
        c.style = "definition";
    } else {
        c.stem = "Complete the statement from the document: \"" +
                 replace_all(std::string(sentence), key.text, blank) + "\"";
        c.style = "cloze";
    }
    c.explanation = "The document states: \"" + std::string(sentence) + "\"";
    distractors.insert(distractors.begin() + static_cast<long>(seed % 4), key.text);
    c.options = std::move(distractors);
    c.answer_index = static_cast<int>(seed % 4);
    return c;
}

// The sentence of `passage` that best supports `option` as the answer to `stem`: the share of
// the stem's content words found in a passage sentence that also contains the option.
double support(const Passage& passage, const std::string& document,
               const std::set<std::string>& stem, const std::string& option) {
    const auto option_words = content_words(option);
    double best = 0;
    for (const auto& s : passage.sentences) {
        const auto sentence = std::string_view(document).substr(s.begin, s.end - s.begin);
        const auto words = content_words(sentence);
        const bool has_option =
            std::all_of(option_words.begin(), option_words.end(),
                        [&](const std::string& w) { return words.count(w) > 0; });
        if (!has_option || stem.empty()) continue;
        std::size_t shared = 0;
        for (const auto& w : stem)
            shared += words.count(w);
        best = std::max(best, static_cast<double>(shared) / static_cast<double>(stem.size()));
    }
    return best;
}

double plausibility(const std::array<std::string, 4>& options, int chosen) {
    auto shape = [](const std::string& o) {
        const bool digits = std::any_of(
            o.begin(), o.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        const bool capital = !o.empty() && std::isupper(static_cast<unsigned char>(o[0]));
        return digits ? 2 : capital ? 1 : 0;
    };
    const auto& key = options[static_cast<std::size_t>(chosen)];
    double total = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (static_cast<int>(i) == chosen) continue;
        // Options within a factor of two in length look alike; beyond that the odd one shows.
        const double length_ratio =
            static_cast<double>(std::min(key.size(), options[i].size())) /
            static_cast<double>(std::max<std::size_t>(1, std::max(key.size(), options[i].size())));
        total +=
            (shape(options[i]) == shape(key) ? 0.6 : 0) + 0.4 * std::min(1.0, 2 * length_ratio);
    }
    return total / 3;
}

} // namespace

OfflineProvider::OfflineProvider() = default;
OfflineProvider::~OfflineProvider() = default;

const Inventory&
OfflineProvider::inventory_for(const std::shared_ptr<const std::string>& document) {
    // One inventory per document text: a run shares one string with every call, and a later
    // run on the same text (another test, a resume) reuses it. The inventory points into the
    // string it was built from, so that string is held for as long as the inventory lives.
    if (document == last_document_) return *inventory_;
    if (!inventory_ || *inventory_text_ != *document) {
        inventory_.reset(); // free the old one before building the new one
        inventory_ = std::make_unique<Inventory>(*document);
        inventory_text_ = document;
    }
    last_document_ = document;
    return *inventory_;
}

AuthorResult OfflineProvider::author(const AuthorRequest& request) {
    const auto& inventory = inventory_for(request.document);
    std::vector<Pick> picks;
    for (const auto& s : request.passage->sentences) {
        const std::size_t si = inventory.sentence_at(s.begin);
        if (si == static_cast<std::size_t>(-1)) continue;
        const auto text = inventory.sentence_text(si);
        if (text.size() < shortest_sentence || text.size() > longest_sentence) continue;
        const double info = informativeness(inventory, text);
        for (auto& term : inventory.terms_of(si)) {
            const double score = info * kind_priority(term.kind) *
                                 (term.kind == preferred_kind(request.slot) ? 1.5 : 1.0);
            picks.push_back({si, std::move(term), score});
        }
    }
    std::stable_sort(picks.begin(), picks.end(),
                     [](const Pick& a, const Pick& b) { return a.score > b.score; });
    // Best term of each sentence first, so one call's candidates come from different sentences.
    std::set<std::size_t> seen;
    std::stable_partition(picks.begin(), picks.end(),
                          [&](const Pick& p) { return seen.insert(p.sentence).second; });

    AuthorResult result;
    SeededRandom random(request.seed);
    const std::size_t start = picks.empty()
                                  ? 0
                                  : static_cast<std::size_t>(request.attempt) *
                                        static_cast<std::size_t>(request.count) % picks.size();
    for (std::size_t n = 0;
         n < picks.size() && static_cast<int>(result.candidates.size()) < request.count; ++n) {
        const Pick& pick = picks[(start + n) % picks.size()];
        auto distractors = pick_distractors(inventory, pick.term, pick.sentence, random);
        if (distractors.size() < 3) continue; // not enough terms of the same kind in the document
        result.candidates.push_back(build(inventory.sentence_text(pick.sentence), pick.term,
                                          std::move(distractors), random.next()));
    }
    return result;
}

JudgeResult OfflineProvider::verdicts(const JudgeRequest& request) {
    static const std::set<std::string> framing = {"complete", "statement", "document", "following"};
    JudgeResult result;
    for (const auto& item : request.items) {
        auto stem = content_words(item.stem);
        for (const auto& w : framing)
            stem.erase(w);
        std::array<double, 4> scores{};
        for (std::size_t i = 0; i < 4; ++i)
            scores[i] = support(*request.passage, *request.document, stem, item.options[i]);
        const auto best = std::max_element(scores.begin(), scores.end());
        const int chosen = static_cast<int>(best - scores.begin());
        const auto ties = std::count_if(scores.begin(), scores.end(),
                                        [&](double s) { return s >= *best - 1e-9; });
        Verdict v;
        v.id = item.id;
        if (*best < least_support || ties > 1) {
            v.chosen = -1;
            v.score = 0;
            v.reason = ties > 1 ? "more than one option is supported by the passage"
                                : "no option is clearly supported by the passage";
        } else {
            const bool clear =
                item.stem.size() >= shortest_clear_stem && item.stem.size() <= longest_clear_stem;
            v.chosen = chosen;
            v.score = support_weight * *best +
                      plausibility_weight * plausibility(item.options, chosen) +
                      clarity_weight * (clear ? 1.0 : 0.5);
            v.reason = "the passage supports exactly one option";
        }
        result.verdicts.push_back(std::move(v));
    }
    return result;
}

// Pure computation: both complete inline, and the run schedules what follows.
void OfflineProvider::write(const AuthorRequest& request, std::function<void(AuthorResult)> done) {
    done(author(request));
}

void OfflineProvider::judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) {
    done(verdicts(request));
}

} // namespace mcqgen::detail::offline
