#include "pipeline/passages.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace mcqgen::detail {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_word_byte(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
}

// Words after which a full stop does not end a sentence.
bool is_abbreviation(std::string_view word) {
    static const std::unordered_set<std::string_view> abbreviations = {
        "mr",  "mrs",  "ms", "dr",  "prof", "sr",     "jr",   "st", "vs",  "etc",
        "e.g", "i.e",  "no", "art", "arts", "govt",   "dept", "co", "inc", "ltd",
        "fig", "vol",  "ch", "sec", "cf",   "approx", "est",  "mt", "ft",  "gen",
        "col", "capt", "lt", "sgt", "rev",  "hon",    "pvt"};
    std::string lower;
    for (char c : word)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return abbreviations.count(lower) > 0;
}

// The word that ends just before `end` (letters and dots).
std::string_view word_before(std::string_view text, std::size_t end) {
    std::size_t begin = end;
    while (begin > 0 && (is_word_byte(text[begin - 1]) || text[begin - 1] == '.'))
        --begin;
    return text.substr(begin, end - begin);
}

bool ends_sentence_at(std::string_view text, std::size_t i) {
    const char c = text[i];
    if (c != '.' && c != '?' && c != '!') return false;
    std::size_t next = i + 1;
    while (next < text.size() && (text[next] == '"' || text[next] == '\'' || text[next] == ')'))
        ++next;
    if (next < text.size() && !is_space(text[next])) return false; // 3.5, U.S.A
    if (c != '.') return true;
    const auto word = word_before(text, i);
    if (word.size() == 1 && is_upper(word[0])) return false; // an initial: "B. R. Ambedkar"
    return !is_abbreviation(word);
}

// A single line break ends a sentence after a heading or a list item (a short line that does
// not run on with a comma or hyphen) or before a bullet; wrapped prose lines are long.
bool line_break_ends_sentence(std::string_view text, std::size_t line_begin, std::size_t newline) {
    auto line = text.substr(line_begin, newline - line_begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto next = text.substr(newline + 1, 2);
    const bool bullet_follows =
        next.size() == 2 && (next[0] == '-' || next[0] == '*') && next[1] == ' ';
    if (line.empty() || bullet_follows) return true;
    const char last = line.back();
    return line.size() < 60 && last != ',' && last != ';' && last != '-';
}

void push_trimmed(std::string_view text, std::size_t begin, std::size_t end,
                  std::vector<Sentence>& out) {
    while (begin < end && is_space(text[begin]))
        ++begin;
    while (end > begin && is_space(text[end - 1]))
        --end;
    if (end > begin) out.push_back({begin, end});
}

// The words of a passage that count for ranking: no short words, no stop words.
std::vector<std::string> ranking_words(std::string_view text) {
    auto words = tokenize(text);
    std::erase_if(words, [](const std::string& w) { return w.size() < 3 || is_stopword(w); });
    return words;
}

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
    for (std::size_t i = 0; i < ranked.size() && i < 40; ++i)
        query.push_back({ranked[i].second, idf(ranked[i].second)});
    const double average_length = std::max(1.0, total_length / n);
    for (auto& p : passages)
        p.score = bm25(ranking_words(p.text), average_length, query);
}

} // namespace

std::vector<Sentence> split_sentences(std::string_view text) {
    std::vector<Sentence> sentences;
    std::size_t begin = 0, line_begin = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            const bool blank_follows = [&] {
                for (std::size_t j = i + 1; j < text.size() && text[j] != '\n'; ++j)
                    if (!is_space(text[j])) return false;
                return true;
            }();
            if (blank_follows || line_break_ends_sentence(text, line_begin, i)) {
                push_trimmed(text, begin, i, sentences);
                begin = i + 1;
            }
            line_begin = i + 1;
        } else if (ends_sentence_at(text, i)) {
            std::size_t end = i + 1;
            while (end < text.size() && (text[end] == '"' || text[end] == '\'' || text[end] == ')'))
                ++end;
            push_trimmed(text, begin, end, sentences);
            begin = end;
            i = end - 1;
        }
    }
    push_trimmed(text, begin, text.size(), sentences);
    return sentences;
}

std::vector<Passage> make_passages(std::string_view text, std::size_t target_bytes) {
    const auto sentences = split_sentences(text);
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
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        const auto& s = sentences[i];
        if (!current.sentences.empty()) {
            const auto gap =
                text.substr(current.sentences.back().end, s.begin - current.sentences.back().end);
            const bool paragraph_break = gap.find("\n\n") != std::string_view::npos ||
                                         gap.find("\n\r\n") != std::string_view::npos;
            const std::size_t size = current.sentences.back().end - current.sentences.front().begin;
            if (size >= target_bytes || (paragraph_break && size >= target_bytes / 3)) flush();
        }
        current.sentences.push_back(s);
    }
    flush();
    score_passages(passages);
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

std::string normalize_whitespace(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (char c : text) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::vector<std::string> tokenize(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (is_word_byte(c)) {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

bool is_stopword(std::string_view w) {
    static const std::unordered_set<std::string_view> stopwords = {
        "a",       "an",      "the",     "and",     "or",      "but",       "if",      "of",
        "at",      "by",      "for",     "with",    "about",   "against",   "between", "into",
        "through", "during",  "before",  "after",   "above",   "below",     "to",      "from",
        "up",      "down",    "in",      "out",     "on",      "off",       "over",    "under",
        "again",   "then",    "once",    "here",    "there",   "when",      "where",   "why",
        "how",     "all",     "any",     "both",    "each",    "few",       "more",    "most",
        "other",   "some",    "such",    "no",      "nor",     "not",       "only",    "own",
        "same",    "so",      "than",    "too",     "very",    "can",       "will",    "just",
        "should",  "now",     "is",      "are",     "was",     "were",      "be",      "been",
        "being",   "have",    "has",     "had",     "having",  "do",        "does",    "did",
        "doing",   "it",      "its",     "this",    "that",    "these",     "those",   "which",
        "who",     "whom",    "whose",   "what",    "as",      "also",      "may",     "might",
        "must",    "would",   "could",   "shall",   "their",   "they",      "them",    "he",
        "she",     "his",     "her",     "him",     "we",      "our",       "you",     "your",
        "i",       "my",      "me",      "one",     "two",     "three",     "many",    "much",
        "upon",    "while",   "within",  "without", "among",   "via",       "per",     "across",
        "onto",    "towards", "toward",  "since",   "until",   "because",   "though",  "although",
        "whether", "either",  "neither", "every",   "several", "therefore", "thus",    "hence",
        "however", "known",   "called"};
    return stopwords.count(w) > 0;
}

} // namespace mcqgen::detail
