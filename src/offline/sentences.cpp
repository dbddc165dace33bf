#include "offline/sentences.hpp"

#include "core/text.hpp"
#include "offline/wordnet.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>
#include <vector>

namespace mcqgen::detail::offline {
namespace {

// A stem must carry a fact and still read at a glance.
constexpr std::size_t shortest = 40, longest = 320;
constexpr std::size_t fewest_words = 7, most_words = 55;

bool upper(char c) {
    return std::isupper(static_cast<unsigned char>(c)) != 0;
}
bool alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

// The words of a sentence, lower case, punctuation stripped from their ends.
std::vector<std::string> plain_words(std::string_view s) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ')
            ++j;
        auto w = s.substr(i, j - i);
        while (!w.empty() && !is_word_byte(w.front()))
            w.remove_prefix(1);
        while (!w.empty() && !is_word_byte(w.back()))
            w.remove_suffix(1);
        if (!w.empty()) words.push_back(lower(w));
        i = j;
    }
    return words;
}

// Words after which a word is a noun, not a verb: "the mirrors", "of packages".
bool introduces_noun(const std::string& w) {
    static const std::unordered_set<std::string> words = {
        "a",     "an",  "the",  "this", "that", "these", "those", "its",  "their",
        "his",   "her", "our",  "your", "each", "every", "any",   "some", "no",
        "of",    "for", "with", "by",   "from", "into",  "about", "many", "several",
        "other", "all", "both", "new",  "more", "most"};
    return words.count(w) > 0;
}

bool balanced(std::string_view s) {
    int round = 0, square = 0, quotes = 0;
    for (char c : s) {
        round += c == '(' ? 1 : c == ')' ? -1 : 0;
        square += c == '[' ? 1 : c == ']' ? -1 : 0;
        quotes += c == '"';
        if (round < 0 || square < 0) return false;
    }
    // Curly quotes: every opening one closed (a closing single quote may also be an apostrophe).
    const auto count = [&](std::string_view mark) {
        std::size_t n = 0;
        for (auto at = s.find(mark); at != std::string_view::npos; at = s.find(mark, at + 1))
            ++n;
        return n;
    };
    return round == 0 && square == 0 && quotes % 2 == 0 &&
           count("\xE2\x80\x9C") == count("\xE2\x80\x9D") &&
           count("\xE2\x80\x98") <= count("\xE2\x80\x99");
}

// Code, commands, paths, markup: what a line of a program or a shell session looks like.
bool looks_like_code(std::string_view s) {
    static constexpr std::array<std::string_view, 14> marks = {
        "{", "}", ";", "=", "::", "->", "`", "$", "#", "|", "\\", "</", "/>", "()"};
    for (auto m : marks)
        if (s.find(m) != std::string_view::npos) return true;
    for (auto at = s.find(" -"); at != std::string_view::npos; at = s.find(" -", at + 1))
        if (at + 2 < s.size() && (s[at + 2] == '-' || alpha(s[at + 2])))
            return true; // a command-line option
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        if (s[i] == '_' && is_word_byte(s[i + 1])) return true; // snake_case, __init__
        if (s[i] == '/' && i > 0 && (is_word_byte(s[i - 1]) || s[i - 1] == ' ') &&
            is_word_byte(s[i + 1]))
            return true; // a path or URL (and/or is written out in prose)
        if (std::islower(static_cast<unsigned char>(s[i])) && upper(s[i + 1]) && i > 0 &&
            alpha(s[i - 1]))
            return true; // camelCase
        if (s[i] == '.' && alpha(s[i + 1]) && i > 0 && alpha(s[i - 1]))
            return true; // file.ext, module.member, a domain name
        if (std::isdigit(static_cast<unsigned char>(s[i + 1])) && i >= 3 &&
            std::islower(static_cast<unsigned char>(s[i])) &&
            std::islower(static_cast<unsigned char>(s[i - 1])) &&
            std::islower(static_cast<unsigned char>(s[i - 2])) &&
            std::islower(static_cast<unsigned char>(s[i - 3])))
            return true; // "limited4": a word and its footnote mark, or an identifier
    }
    std::size_t letters = 0, visible = 0;
    for (char c : s) {
        if (c == ' ') continue;
        ++visible;
        letters += alpha(c) || static_cast<unsigned char>(c) >= 0x80;
    }
    return letters * 100 < visible * 80;
}

bool ends_a_sentence(std::string_view s) {
    while (!s.empty() && (s.back() == '"' || s.back() == ')' || s.back() == '\''))
        s.remove_suffix(1);
    return !s.empty() && (s.back() == '.' || s.back() == '!');
}

bool begins_a_sentence(std::string_view s) {
    while (!s.empty() && (s.front() == '"' || s.front() == '\''))
        s.remove_prefix(1);
    return !s.empty() && upper(s.front());
}

// Words that point outside the sentence: a reader of the stem alone cannot resolve them.
bool leans_on_context(const std::vector<std::string>& words) {
    static const std::unordered_set<std::string> openers = {
        "it",      "this",    "these", "those", "they",  "that", "he",      "she",  "such",
        "there",   "here",    "but",   "and",   "or",    "so",   "also",    "thus", "hence",
        "then",    "however", "both",  "its",   "their", "his",  "her",     "then", "again",
        "finally", "yes",     "no",    "see",   "refer", "note", "remember"};
    static const std::unordered_set<std::string> pointers = {"above",          "below", "following",
                                                             "aforementioned", "e.g",   "i.e"};
    if (words.empty() || openers.count(words.front())) return true;
    // "If they are not, ...", "As if this wasn't bad enough": a pronoun early on points back.
    static const std::unordered_set<std::string> pronouns = {"it", "this", "they", "these",
                                                             "he", "she",  "them", "those"};
    for (std::size_t i = 1; i < words.size() && i < 3; ++i)
        if (pronouns.count(words[i])) return true;
    if (words.front() == "nor" || words.front() == "clearly") return true;
    // "this manual", "this section": a sentence about the document, not about its subject;
    // "from Chapter 2", "in Section 4.1": one that sends the reader elsewhere.
    static const std::unordered_set<std::string> parts = {
        "document", "section", "chapter", "manual", "guide", "faq", "page", "appendix", "book"};
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        if ((words[i] == "this" || words[i] == "these") && parts.count(words[i + 1])) return true;
        if (parts.count(words[i]) && std::isdigit(static_cast<unsigned char>(words[i + 1][0])))
            return true;
    }
    return std::any_of(words.begin(), words.end(),
                       [](const std::string& w) { return pointers.count(w) > 0; });
}

} // namespace

bool is_auxiliary(std::string_view word) {
    static const std::unordered_set<std::string> auxiliaries = {
        "is",     "are", "was",   "were", "be",    "been",   "am",     "has",     "have",
        "had",    "do",  "does",  "did",  "can",   "could",  "will",   "would",   "shall",
        "should", "may", "might", "must", "isn't", "aren't", "wasn't", "doesn't", "don't"};
    return auxiliaries.count(lower(word)) > 0;
}

bool is_finite_verb(std::string_view word) {
    const auto w = lower(word);
    if (is_auxiliary(w)) return true;
    if (w.size() < 3) return false;
    const bool inflected = (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's') ||
                           (w.size() > 4 && w.compare(w.size() - 2, 2, "ed") == 0);
    const auto bases = wordnet::base_forms(w, wordnet::Pos::verb);
    if (bases.empty()) return false;
    const bool irregular_past = bases.front() != w && w.compare(w.size() - 3, 3, "ing") != 0;
    return inflected || irregular_past;
}

std::string past_tense_base(std::string_view word) {
    const auto w = lower(word);
    if (w.size() < 3 || w.compare(w.size() - 3, 3, "ing") == 0 || w.back() == 's') return {};
    const auto bases = wordnet::base_forms(w, wordnet::Pos::verb);
    if (bases.empty() || bases.front() == w) return {};
    return bases.front();
}

bool has_finite_verb(std::string_view sentence) {
    const auto words = plain_words(sentence);
    for (std::size_t i = 1; i < words.size(); ++i) {
        if (!is_finite_verb(words[i])) continue;
        // "-s" is also a plural: "of the mirrors", "the security updates." are nouns.
        const bool plural_like = words[i].back() == 's' && !is_auxiliary(words[i]);
        if (plural_like && (i + 1 == words.size() || introduces_noun(words[i - 1]))) continue;
        return true;
    }
    return !words.empty() && is_auxiliary(words.front());
}

std::string capitalise(std::string_view text) {
    std::string out(text);
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

SentenceCheck check_sentence(std::string_view s) {
    SentenceCheck c;
    const auto words = plain_words(s);
    if (s.size() < shortest || words.size() < fewest_words) return c.why = "too short", c;
    if (s.size() > longest || words.size() > most_words) return c.why = "too long", c;
    if (!begins_a_sentence(s)) return c.why = "starts mid-sentence", c;
    if (!ends_a_sentence(s)) return c.why = "not a statement", c;
    if (s.find(':') != std::string_view::npos) return c.why = "introduces a list", c;
    if (!balanced(s)) return c.why = "unbalanced brackets or quotes", c;
    if (looks_like_code(s)) return c.why = "code, a command or a path", c;
    if (leans_on_context(words)) return c.why = "leans on the sentences around it", c;
    if (!has_finite_verb(s)) return c.why = "has no verb", c;
    // "Extract the residuals", "Recall the tables": an instruction, not a statement.
    static const std::unordered_set<std::string> determiners = {"the",  "a",   "an",  "this",
                                                                "each", "all", "your"};
    if (words.size() > 1 && determiners.count(words[1]) &&
        !wordnet::base_forms(words.front(), wordnet::Pos::verb).empty() &&
        wordnet::base_forms(words.front(), wordnet::Pos::verb).front() == words.front())
        return c.why = "an instruction", c;
    // "Draws a polygon ...": a list entry's verb with no subject.
    if (words.front().back() == 's' && is_finite_verb(words.front()) &&
        wordnet::base_forms(words.front(), wordnet::Pos::noun).empty())
        return c.why = "has no subject", c;
    c.usable = true;
    // What is left: soft signs a teacher would still frown at.
    const auto has = [&](std::string_view w) {
        return std::find(words.begin(), words.end(), w) != words.end();
    };
    if (has("you") || has("your") || has("we") || has("our") || has("i")) c.risk += 0.2;
    if (s.find('(') != std::string_view::npos) c.risk += 0.15;
    if (s.size() > 220) c.risk += 0.15;
    const auto capitals = std::count_if(s.begin(), s.end(), upper);
    if (static_cast<std::size_t>(capitals) * 6 > words.size() * 2) c.risk += 0.2;
    c.risk = std::min(1.0, c.risk);
    return c;
}

} // namespace mcqgen::detail::offline
