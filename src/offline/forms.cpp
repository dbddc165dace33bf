#include "offline/forms.hpp"

#include "offline/sentences.hpp"
#include "offline/wordnet.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mcqgen::detail::offline {
namespace {

constexpr const char* blank = "_____";

std::vector<std::string> split_spaces(std::string_view s) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto j = std::min(s.find(' ', i), s.size());
        if (j > i) words.emplace_back(s.substr(i, j - i));
        i = j + 1;
    }
    return words;
}

std::string join(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to && i < words.size(); ++i)
        out += (out.empty() ? "" : " ") + words[i];
    return out;
}

// "It came into force in 1950." -> "It came into force in 1950": a stem ends in "?".
std::optional<std::string> without_full_stop(std::string s) {
    if (s.empty() || s.back() != '.') return std::nullopt;
    s.pop_back();
    return s;
}

std::string lower_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

bool occurs_twice(const std::string& sentence, const std::string& text) {
    const auto first = sentence.find(text);
    return first != std::string::npos && sentence.find(text, first + 1) != std::string::npos;
}

std::string difficulty(const Term& key, const std::vector<std::string>& distractors) {
    if (key.kind == Kind::year) {
        int gap = 10000;
        for (const auto& d : distractors)
            gap = std::min(gap, std::abs(std::atoi(d.c_str()) - std::atoi(key.text.c_str())));
        return gap <= 3 ? "hard" : gap <= 15 ? "medium" : "easy";
    }
    return key.kind == Kind::word ? "hard" : "medium";
}

Candidate with_options(const Fact& fact, const std::vector<std::string>& distractors,
                       std::string stem, std::string style) {
    Candidate c;
    c.stem = std::move(stem);
    c.style = std::move(style);
    c.quote = fact.sentence;
    c.explanation = "The document states: \"" + fact.sentence + "\"";
    c.difficulty = difficulty(fact.key, distractors);
    c.options = distractors;
    c.options.insert(c.options.begin(), fact.key.text); // the run deals the key's position
    c.answer_index = 0;
    return c;
}

// "Ian Murdock founded Debian in 1993." -> "Who founded Debian in 1993?"
std::optional<std::string> subject_question(const Fact& fact) {
    const auto& s = fact.sentence;
    const auto& key = fact.key;
    const auto before = s.substr(0, key.begin);
    if (!before.empty() && before != "The ") return std::nullopt;
    const auto rest = split_spaces(s.substr(key.end));
    // The key is the whole subject only when a verb follows it, and plainly one: "values" in
    // "Missing values are printed" is a noun.
    if (rest.empty() || !is_finite_verb(rest.front()) ||
        (!is_auxiliary(rest.front()) && past_tense_base(rest.front()).empty() &&
         !wordnet::base_forms(rest.front(), wordnet::Pos::noun).empty()))
        return std::nullopt;
    auto tail = without_full_stop(join(rest, 0, rest.size()));
    if (!tail) return std::nullopt;
    const std::string wh = key.group == "person" ? "Who" : "Which of the following";
    return wh + " " + *tail + "?";
}

// The question word for a key after a preposition: "in 1993" asks "In which year", "in Berlin"
// "Where", "by Ian Murdock" "By whom"; "" when the pair asks nothing.
std::string question_word(const Term& key, std::string_view preposition) {
    const bool in = preposition == "in" || preposition == "In";
    if (key.kind == Kind::year && in) return "In which year";
    if (key.kind == Kind::number && key.group == "decade" && in) return "In which decade";
    if (key.group == "place" && (in || preposition == "at")) return "Where";
    if (preposition == "by" && key.group == "person") return "By whom";
    if (preposition == "by" && key.group == "organization") return "By which organization";
    return {};
}

// "Debian was founded in 1993 by Ian Murdock." -> "In which year was Debian founded by Ian
// Murdock?"; "In 1993, Ian Murdock founded Debian." -> "In which year did Ian Murdock found
// Debian?"; "The installer was written by Joey Hess." -> "By whom was the installer written?"
std::optional<std::string> phrase_question(const Fact& fact) {
    const auto& s = fact.sentence;
    const auto& key = fact.key;
    const auto before = s.substr(0, key.begin);
    const auto space =
        before.size() >= 2 ? before.rfind(' ', before.size() - 2) : std::string::npos;
    const auto preposition = before.empty() ? std::string()
                             : space == std::string::npos
                                 ? before.substr(0, before.size() - 1)
                                 : before.substr(space + 1, before.size() - space - 2);
    const auto wh = question_word(key, preposition);
    if (wh.empty()) return std::nullopt;
    // "by Ian Murdock and others": the key is only part of the phrase the question asks for.
    if (preposition == "by" && s.compare(key.end, std::string::npos, ".") != 0) return std::nullopt;
    std::string clause;
    const auto phrase_begin = key.begin - preposition.size() - 1;
    if (phrase_begin == 0 && s.compare(key.end, 2, ", ") == 0) {
        clause = s.substr(key.end + 2); // "In 1993, Ian Murdock founded Debian."
    } else if (phrase_begin >= 2 && s[phrase_begin - 1] == ' ' && s[phrase_begin - 2] != ',' &&
               key.end < s.size() && (s[key.end] == ' ' || s[key.end] == '.')) {
        clause = s.substr(0, phrase_begin - 1) + s.substr(key.end);
        if (!fact.initial_is_name) clause = lower_first(clause);
    } else {
        return std::nullopt;
    }
    auto body = without_full_stop(clause);
    if (!body) return std::nullopt;
    const auto words = split_spaces(*body);
    constexpr std::size_t longest_subject = 6;
    for (std::size_t k = 1; k < words.size() && k <= longest_subject; ++k) {
        if (words[k - 1].back() == ',') return std::nullopt; // the subject is not a plain phrase
        const auto rest = k + 1 < words.size() ? " " + join(words, k + 1, words.size()) : "";
        if (is_auxiliary(words[k]))
            return wh + " " + words[k] + " " + join(words, 0, k) + rest + "?";
        if (const auto base = past_tense_base(words[k]); !base.empty()) {
            // "appeared and added", "became operational and was shown": do-support would need
            // every verb in its base form.
            for (std::size_t j = k + 2; j < words.size(); ++j)
                if (words[j - 1] == "and" &&
                    (!past_tense_base(words[j]).empty() || is_auxiliary(words[j])))
                    return std::nullopt;
            return wh + " did " + join(words, 0, k) + " " + base + rest + "?";
        }
        if (is_finite_verb(words[k])) return std::nullopt; // a present tense: no "did"
    }
    return std::nullopt;
}

// "Debian is a free operating system ..." -> "Which of the following is a free operating
// system ...?"
std::optional<std::string> definition_question(const Fact& fact) {
    if (fact.key.kind != Kind::defined || fact.key.begin != 0) return std::nullopt;
    auto rest = without_full_stop(fact.sentence.substr(fact.key.end));
    if (!rest || rest->size() < 12 || rest->find(fact.key.text) != std::string::npos)
        return std::nullopt;
    return "Which of the following" + *rest + "?";
}

} // namespace

std::string replaced(std::string sentence, std::size_t begin, std::size_t end,
                     const std::string& text) {
    sentence.replace(begin, end - begin, text);
    const auto article_at = [&](std::string_view article) {
        const auto n = article.size() + 1;
        return begin >= n && sentence.compare(begin - n, n, std::string(article) + " ") == 0 &&
               (begin == n || sentence[begin - n - 1] == ' ');
    };
    const std::size_t at = article_at("a") ? begin - 2 : article_at("an") ? begin - 3 : begin;
    if (at == begin) return sentence;
    const bool vowel = std::string_view("aeiouAEIOU").find(text.front()) != std::string_view::npos;
    const std::string article = text == blank ? "a(n)" : vowel ? "an" : "a";
    sentence.replace(at, begin - 1 - at, article);
    return sentence;
}

Fact fact_of(std::string sentence, const Term& key, const std::vector<Term>& terms) {
    const bool initial_is_name =
        !terms.empty() && terms.front().begin == 0 &&
        (terms.front().kind == Kind::name || terms.front().kind == Kind::defined);
    return {std::move(sentence), key, initial_is_name};
}

std::optional<Candidate> make_cloze(const Fact& fact, const std::vector<std::string>& distractors) {
    if (occurs_twice(fact.sentence, fact.key.text)) return std::nullopt;
    const auto sentence = replaced(fact.sentence, fact.key.begin, fact.key.end, blank);
    return with_options(fact, distractors,
                        "Complete the statement from the document: \"" + sentence + "\"", "cloze");
}

std::optional<Candidate> make_question(const Fact& fact,
                                       const std::vector<std::string>& distractors) {
    if (occurs_twice(fact.sentence, fact.key.text)) return std::nullopt;
    auto stem = definition_question(fact);
    if (!stem) stem = phrase_question(fact);
    if (!stem && fact.key.kind != Kind::year && fact.key.kind != Kind::number)
        stem = subject_question(fact);
    if (!stem) return std::nullopt;
    return with_options(fact, distractors, *stem, "question");
}

const std::vector<std::string>& statement_options(std::size_t count) {
    static const std::vector<std::string> three = {"Only one", "Only two", "All three", "None"};
    static const std::vector<std::string> two = {"1 only", "2 only", "Both 1 and 2",
                                                 "Neither 1 nor 2"};
    return count == 3 ? three : two;
}

std::vector<bool> statement_truth(std::size_t count, int key) {
    if (count == 2) {
        static const bool patterns[4][2] = {
            {true, false}, {false, true}, {true, true}, {false, false}};
        return {patterns[key][0], patterns[key][1]};
    }
    const int correct = key == 3 ? 0 : key + 1; // Only one, Only two, All three, None
    std::vector<bool> truth(count, false);
    for (int i = 0; i < correct; ++i)
        truth[static_cast<std::size_t>(i)] = true;
    return truth;
}

int statement_key(const std::vector<bool>& truth) {
    const auto correct = std::count(truth.begin(), truth.end(), true);
    if (truth.size() == 3) return correct == 0 ? 3 : static_cast<int>(correct) - 1;
    const bool first = truth[0], second = truth[1];
    return first && second ? 2 : first ? 0 : second ? 1 : 3;
}

Candidate make_statements(const std::vector<Statement>& statements, std::string quote) {
    Candidate c;
    c.style = "statements";
    c.difficulty = "hard";
    c.quote = std::move(quote);
    c.stem = "Consider the following statements:";
    std::vector<bool> truth;
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const auto& st = statements[i];
        c.stem += " " + std::to_string(i + 1) + ". " + st.text;
        truth.push_back(st.correct);
        const auto number = "Statement " + std::to_string(i + 1);
        c.explanation += (c.explanation.empty() ? "" : " ") +
                         (st.correct ? number + " is correct: the document states it."
                                     : number + " is incorrect: the document has \"" + st.original +
                                           "\" where it says \"" + st.swapped + "\".");
    }
    c.stem += statements.size() == 3 ? " How many of the above are correct?"
                                     : " Which of the statements given above is/are correct?";
    c.options = statement_options(statements.size());
    c.answer_index = statement_key(truth);
    return c;
}

} // namespace mcqgen::detail::offline
