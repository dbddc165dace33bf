#include "offline/terms.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace mcqgen::detail::offline {
namespace {

struct Word {
    std::string_view text;
    std::size_t begin = 0, end = 0;
};

// Words with their offsets; keeps "1,200", "3.5", "Governor-General", "India's" whole.
std::vector<Word> split_words(std::string_view s) {
    std::vector<Word> words;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_word_byte(s[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size()) {
            if (is_word_byte(s[j])) {
                ++j;
            } else if ((s[j] == ',' || s[j] == '.') && j + 1 < s.size() && j > i &&
                       std::isdigit(static_cast<unsigned char>(s[j - 1])) &&
                       std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
                ++j;
            } else if ((s[j] == '-' || s[j] == '\'') && j + 1 < s.size() &&
                       is_word_byte(s[j + 1])) {
                ++j;
            } else {
                break;
            }
        }
        words.push_back({s.substr(i, j - i), i, j});
        i = j;
    }
    return words;
}

bool capitalised(std::string_view w) {
    return !w.empty() && std::isupper(static_cast<unsigned char>(w[0]));
}
bool all_digits(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
}
bool has_digit(std::string_view w) {
    return std::any_of(w.begin(), w.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool is_year(std::string_view w) {
    return w.size() == 4 && all_digits(w) && (w[0] == '1' || (w[0] == '2' && w[1] == '0'));
}

bool is_connector(std::string_view w) {
    return w == "of" || w == "the" || w == "and" || w == "for" || w == "de" || w == "on";
}

bool is_calendar_word(const std::string& w) {
    static const std::set<std::string> words = {
        "january",   "february",  "march",   "april",    "may",      "june",   "july",
        "august",    "september", "october", "november", "december", "monday", "tuesday",
        "wednesday", "thursday",  "friday",  "saturday", "sunday"};
    return words.count(w) > 0;
}

// Words that say what kind of name a name is ("Reserve Bank of India" is a bank).
std::string name_cue(const std::vector<std::string_view>& words) {
    static const std::set<std::string> cues = {
        "act",          "bank",         "court",    "commission", "party",    "committee",
        "council",      "assembly",     "river",    "mountains",  "ocean",    "sea",
        "university",   "amendment",    "article",  "empire",     "dynasty",  "movement",
        "war",          "battle",       "treaty",   "plan",       "policy",   "mission",
        "scheme",       "sabha",        "parishad", "board",      "union",    "organisation",
        "organization", "state",        "states",   "territory",  "pradesh",  "kingdom",
        "republic",     "constitution", "lake",     "plateau",    "desert",   "delta",
        "valley",       "national",     "park",     "institute",  "schedule", "list",
        "day",          "hall",         "case",     "resolution", "law",      "observatory"};
    for (auto it = words.rbegin(); it != words.rend(); ++it)
        if (cues.count(lower(*it))) return lower(*it);
    return words.size() >= 2 ? "multi" : "single";
}

const std::set<std::string>& unit_words() {
    static const std::set<std::string> units = {
        "per",    "percent",    "million",    "billion", "crore",  "lakh",  "thousand", "hundred",
        "km",     "kilometres", "kilometers", "metres",  "meters", "years", "members",  "seats",
        "states", "articles",   "schedules",  "days",    "months", "people"};
    return units;
}

// "X is/was the/a Y": X is a defined term.
bool defines_subject(const std::vector<Word>& words, std::size_t subject_end) {
    if (subject_end + 1 >= words.size()) return false;
    static const std::set<std::string> verbs = {"is", "was", "are", "were", "means", "refers"};
    static const std::set<std::string> articles = {"a", "an", "the", "to"};
    return verbs.count(lower(words[subject_end].text)) &&
           articles.count(lower(words[subject_end + 1].text));
}

Term make_term(Kind kind, std::string_view sentence, std::size_t begin, std::size_t end,
               std::string group) {
    Term t;
    t.kind = kind;
    t.text = std::string(sentence.substr(begin, end - begin));
    t.key = lower(t.text);
    t.group = std::move(group);
    t.begin = begin;
    t.end = end;
    return t;
}

} // namespace

std::vector<Term> extract_terms(std::string_view s, bool allow_initial_name) {
    const auto words = split_words(s);
    std::vector<Term> terms;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto w = words[i].text;
        if (is_year(w)) {
            terms.push_back(make_term(Kind::year, s, words[i].begin, words[i].end, "year"));
            continue;
        }
        if (has_digit(w)) {
            std::size_t end = words[i].end;
            std::string unit = "plain";
            if (i > 0 && capitalised(words[i - 1].text)) {
                unit = "after " + lower(words[i - 1].text); // "Article 32", "Part III"
            } else if (end < s.size() && s[end] == '%') {
                ++end;
                unit = "percent";
            } else if (i + 1 < words.size() && unit_words().count(lower(words[i + 1].text))) {
                unit = lower(words[i + 1].text);
            }
            terms.push_back(make_term(Kind::number, s, words[i].begin, end, unit));
            continue;
        }
        if (capitalised(w) && !is_calendar_word(lower(w))) {
            // A run of capitalised words, joined by connectors ("Reserve Bank of India").
            std::size_t j = i + 1, last = i;
            while (j < words.size()) {
                if (capitalised(words[j].text) && !has_digit(words[j].text)) {
                    last = j++;
                } else if (is_connector(words[j].text) && j + 1 < words.size() &&
                           capitalised(words[j + 1].text)) {
                    ++j;
                } else {
                    break;
                }
            }
            // "The Fundamental Duties": the article belongs to the sentence, not to the name.
            // "The Fundamental Duties", "In the Kesavananda Bharati case": a capitalised
            // function word belongs to the sentence, not to the name.
            while (i < last && is_stopword(lower(words[i].text)))
                ++i;
            while (last > i && is_connector(lower(words[last].text)))
                --last;
            std::vector<std::string_view> parts;
            for (std::size_t k = i; k <= last; ++k)
                parts.push_back(words[k].text);
            const bool sentence_initial_single = i == 0 && last == 0 && !allow_initial_name;
            if (i > 0 && words[i - 1].begin == 0 && last == i && !allow_initial_name) {
                i = last; // "The Constitution": a single word after a sentence-initial article
                continue;
            }
            if (!sentence_initial_single) {
                const Kind kind =
                    i == 0 && defines_subject(words, last + 1) ? Kind::defined : Kind::name;
                // "the Kuiper Belt" names a thing, "Clyde Tombaugh" a person: the article tells
                // which names can stand in for each other.
                const bool after_article = i > 0 && lower(words[i - 1].text) == "the";
                terms.push_back(make_term(kind, s, words[i].begin, words[last].end,
                                          name_cue(parts) + (after_article ? "+the" : "")));
            }
            i = last;
            continue;
        }
        const auto lw = lower(w);
        if (lw.size() >= 6 && !is_stopword(lw) && std::all_of(lw.begin(), lw.end(), [](char c) {
                return std::isalpha(static_cast<unsigned char>(c)) || c == '-';
            })) {
            const std::string suffix = lw.substr(lw.size() - 3);
            terms.push_back(make_term(Kind::word, s, words[i].begin, words[i].end, suffix));
        }
    }
    return terms;
}

Inventory::Inventory(std::string_view document)
    : document_(document), sentences_(split_sentences(document)) {
    std::map<std::string, int> sentence_frequency;
    std::map<std::string, int> frequency;
    std::set<std::string> mid_sentence_capitals;
    std::set<std::string> lowercase_uses; // words the document writes in lower case
    for (const auto& sentence : sentences_) {
        const auto text = document.substr(sentence.begin, sentence.end - sentence.begin);
        std::set<std::string> seen;
        for (auto& w : tokenize(text)) {
            if (w.size() < 3 || is_stopword(w)) continue;
            ++frequency[w];
            seen.insert(w);
        }
        for (const auto& w : seen)
            ++sentence_frequency[w];
        const auto words = split_words(text);
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (!capitalised(words[i].text))
                lowercase_uses.insert(std::string(words[i].text));
            else if (i > 0)
                mid_sentence_capitals.insert(std::string(words[i].text));
        }
    }
    const double n = std::max<double>(1, static_cast<double>(sentences_.size()));
    for (const auto& [w, f] : frequency)
        weights_[w] = f * std::log(1 + n / sentence_frequency[w]);

    shapes_.reserve(sentences_.size());
    std::map<Kind, std::set<std::string>> known;
    for (std::size_t si = 0; si < sentences_.size(); ++si) {
        const auto text = sentence_text(si);
        // Headings carry no facts, and their words would make odd distractors.
        const char last = text.empty() ? '.' : text.back();
        if (last != '.' && last != '?' && last != '!' && last != '"' && last != ')') {
            shapes_.push_back(heading);
            continue;
        }
        // A capitalised first word is a name only if the document also capitalises it elsewhere.
        const auto words = split_words(text);
        shapes_.push_back(!words.empty() && mid_sentence_capitals.count(std::string(words[0].text))
                              ? initial_is_name
                              : initial_is_not_name);
        for (auto& t : terms_of(si))
            if (known[t.kind].insert(t.key).second) entries_[t.kind].push_back(std::move(t));
    }
    // "President" is a title where the document also writes "president"; "Ambedkar" never is.
    for (auto& term : entries_[Kind::name])
        if (term.group == "single" && frequency.count(term.key) && lowercase_uses.count(term.key))
            term.group = "title";
}

std::vector<Term> Inventory::terms_of(std::size_t i) const {
    if (shapes_[i] == heading) return {};
    return extract_terms(sentence_text(i), shapes_[i] == initial_is_name);
}

std::string_view Inventory::sentence_text(std::size_t i) const {
    return document_.substr(sentences_[i].begin, sentences_[i].end - sentences_[i].begin);
}

const std::vector<Term>& Inventory::entries(Kind kind) const {
    static const std::vector<Term> none;
    auto it = entries_.find(kind);
    return it == entries_.end() ? none : it->second;
}

double Inventory::weight(const std::string& word) const {
    auto it = weights_.find(word);
    return it == weights_.end() ? 0 : it->second;
}

std::size_t Inventory::sentence_at(std::size_t begin) const {
    auto it = std::lower_bound(sentences_.begin(), sentences_.end(), begin,
                               [](const Sentence& s, std::size_t b) { return s.begin < b; });
    return it != sentences_.end() && it->begin == begin
               ? static_cast<std::size_t>(it - sentences_.begin())
               : static_cast<std::size_t>(-1);
}

} // namespace mcqgen::detail::offline
