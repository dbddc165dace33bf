#include "pipeline/passages.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace mcqgen::detail {
namespace {

// The words of a passage that count for ranking: no short words, no stop words.
std::vector<std::string> ranking_words(std::string_view text) {
    auto words = tokenize(text);
    std::erase_if(words, [](const std::string& w) { return w.size() < 3 || is_stopword(w); });
    return words;
}

// How many of the document's key terms make the query passages are ranked against: enough to
// cover its topics, few enough that common words do not dilute it.
constexpr std::size_t query_terms = 40;

struct QueryTerm {
    std::string word;
    double idf = 0;
};

double bm25(const std::vector<std::string>& words, double average_length,
            const std::vector<QueryTerm>& query) {
    constexpr double k1 = 1.2, b = 0.75;
    std::unordered_map<std::string_view, int> tf;
    for (const auto& q : query)
        tf[q.word] = 0;
    for (const auto& w : words)
        if (auto it = tf.find(w); it != tf.end()) ++it->second;
    const double length_norm = 1 - b + b * static_cast<double>(words.size()) / average_length;
    double score = 0;
    for (const auto& q : query)
        if (const double f = tf[q.word]; f > 0)
            score += q.idf * f * (k1 + 1) / (f + k1 * length_norm);
    return score;
}

// Two passes over the passages, so that no more than one passage's words are held at a time:
// the first counts, the second scores against the query the counts gave.
void score_passages(std::vector<Passage>& passages) {
    if (passages.empty()) return;
    std::unordered_map<std::string, int> document_frequency, total_frequency;
    double total_length = 0;
    for (const auto& p : passages) {
        const auto words = ranking_words(p.text);
        for (const auto& w : std::set<std::string>(words.begin(), words.end()))
            ++document_frequency[w];
        for (const auto& w : words)
            ++total_frequency[w];
        total_length += static_cast<double>(words.size());
    }
    const double n = static_cast<double>(passages.size());
    const auto idf = [&](const std::string& w) {
        const double df = document_frequency.at(w);
        return std::log(1 + (n - df + 0.5) / (df + 0.5));
    };
    // The document's key terms: frequent overall, yet concentrated in few passages (tf-idf).
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [w, tf] : total_frequency)
        if (tf >= 2) ranked.emplace_back(tf * idf(w), w);
    std::sort(ranked.rbegin(), ranked.rend());
    std::vector<QueryTerm> query;
    for (std::size_t i = 0; i < ranked.size() && i < query_terms; ++i)
        query.push_back({ranked[i].second, idf(ranked[i].second)});
    const double average_length = std::max(1.0, total_length / n);
    for (auto& p : passages)
        p.score = bm25(ranking_words(p.text), average_length, query);
}

} // namespace

namespace {

// A stretch of text passages may be made from: a run of consecutive prose blocks of one
// section, or the whole text.
struct Stretch {
    std::size_t begin = 0;
    std::size_t end = 0;
    int section = -1;
};

std::vector<Passage> passages_of(std::string_view text, const std::vector<Stretch>& stretches,
                                 std::size_t target_bytes) {
    std::vector<Passage> passages;
    Passage current;
    auto flush = [&] {
        if (current.sentences.empty()) return;
        current.begin = current.sentences.front().begin;
        current.end = current.sentences.back().end;
        current.text = std::string(text.substr(current.begin, current.end - current.begin));
        current.index = static_cast<int>(passages.size());
        passages.push_back(std::move(current));
        current = Passage{};
    };
    for (const auto& stretch : stretches) {
        flush();
        current.section = stretch.section;
        const auto part = text.substr(stretch.begin, stretch.end - stretch.begin);
        for (auto s : split_sentences(part)) {
            s.begin += stretch.begin;
            s.end += stretch.begin;
            if (!current.sentences.empty()) {
                const auto& last = current.sentences.back();
                const auto gap = text.substr(last.end, s.begin - last.end);
                const bool paragraph_break = gap.find("\n\n") != std::string_view::npos ||
                                             gap.find("\n\r\n") != std::string_view::npos;
                const std::size_t size = last.end - current.sentences.front().begin;
                if (size >= target_bytes || (paragraph_break && size >= target_bytes / 3)) {
                    flush();
                    current.section = stretch.section;
                }
            }
            current.sentences.push_back(s);
        }
    }
    flush();
    score_passages(passages);
    return passages;
}

// Consecutive blocks of `kind` in one section, each run one stretch.
std::vector<Stretch> stretches_of(const Document& document, BlockKind kind) {
    std::vector<Stretch> out;
    bool open = false;
    for (const auto& block : document.blocks()) {
        if (block.kind != kind) {
            open = false;
            continue;
        }
        if (open && out.back().section == block.section) {
            out.back().end = block.end;
        } else {
            out.push_back(Stretch{block.begin, block.end, block.section});
        }
        open = true;
    }
    return out;
}

} // namespace

std::vector<Passage> make_passages(std::string_view text, std::size_t target_bytes) {
    return passages_of(text, {Stretch{0, text.size(), -1}}, target_bytes);
}

std::vector<Passage> make_passages(const Document& document, std::size_t target_bytes) {
    auto passages =
        passages_of(document.text(), stretches_of(document, BlockKind::prose), target_bytes);
    if (passages.empty()) // notes made only of bullet points still have something to ask
        passages =
            passages_of(document.text(), stretches_of(document, BlockKind::list), target_bytes);
    return passages;
}

std::vector<int> plan_passages(const std::vector<Passage>& passages, int slots) {
    const int n = static_cast<int>(passages.size());
    std::vector<int> plan;
    std::vector<bool> used(static_cast<std::size_t>(n), false);
    const int stretches = std::min(std::max(slots, 1), n);
    for (int s = 0; s < stretches; ++s) {
        const int first = s * n / stretches, last = (s + 1) * n / stretches;
        int best = first;
        for (int i = first; i < last; ++i)
            if (passages[static_cast<std::size_t>(i)].score >
                passages[static_cast<std::size_t>(best)].score)
                best = i;
        plan.push_back(best);
        used[static_cast<std::size_t>(best)] = true;
    }
    std::vector<int> rest;
    for (int i = 0; i < n; ++i)
        if (!used[static_cast<std::size_t>(i)]) rest.push_back(i);
    std::stable_sort(rest.begin(), rest.end(), [&](int a, int b) {
        return passages[static_cast<std::size_t>(a)].score >
               passages[static_cast<std::size_t>(b)].score;
    });
    plan.insert(plan.end(), rest.begin(), rest.end());
    return plan;
}

} // namespace mcqgen::detail
