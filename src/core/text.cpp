// Text helpers shared by every part: sentences, words, white space, stop words.
#include "core/text.hpp"

#include <cctype>
#include <unordered_set>

namespace mcqgen::detail {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}

// Words after which a full stop does not end a sentence.
bool is_abbreviation(std::string_view word) {
    static const std::unordered_set<std::string_view> abbreviations = {
        "mr",  "mrs",  "ms", "dr",  "prof", "sr",     "jr",   "st", "vs",  "etc",
        "e.g", "i.e",  "no", "art", "arts", "govt",   "dept", "co", "inc", "ltd",
        "fig", "vol",  "ch", "sec", "cf",   "approx", "est",  "mt", "ft",  "gen",
        "col", "capt", "lt", "sgt", "rev",  "hon",    "pvt"};
    return abbreviations.count(lower(word)) > 0;
}

// The word that ends just before `end` (letters and dots).
std::string_view word_before(std::string_view text, std::size_t end) {
    std::size_t begin = end;
    while (begin > 0 && (is_word_byte(text[begin - 1]) || text[begin - 1] == '.'))
        --begin;
    return text.substr(begin, end - begin);
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

} // namespace

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

bool is_word_byte(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
}

void append_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x110000) {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

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

std::set<std::string> content_words(std::string_view text) {
    std::set<std::string> words;
    for (auto& w : tokenize(text))
        if (!is_stopword(w)) words.insert(std::move(w));
    return words;
}

void redact(std::string& text, std::string_view secret) {
    if (secret.empty()) return;
    constexpr std::string_view mask = "[redacted]";
    for (auto pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + mask.size())) {
        text.replace(pos, secret.size(), mask);
    }
}

} // namespace mcqgen::detail
