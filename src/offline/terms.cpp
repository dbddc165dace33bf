#include "offline/terms.hpp"

#include "offline/sentences.hpp"
#include "offline/wordnet.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

namespace mcqgen::detail::offline {
namespace {

struct Word {
    std::string_view text;
    std::size_t begin = 0, end = 0;
};

// Words with their offsets; keeps "1,200", "3.5", "Governor-General", "India's" whole.
// General punctuation (U+2010..U+201F: dashes, curly quotes) is not part of a word, though
// is_word_byte() takes every byte of a UTF-8 sequence as a letter's.
bool punctuation_at(std::string_view s, std::size_t i) {
    return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE2 &&
           static_cast<unsigned char>(s[i + 1]) == 0x80 &&
           (static_cast<unsigned char>(s[i + 2]) & 0xF0) == 0x90;
}

std::vector<Word> split_words(std::string_view s) {
    std::vector<Word> words;
    std::size_t i = 0;
    while (i < s.size()) {
        if (punctuation_at(s, i)) {
            i += 3;
            continue;
        }
        if (!is_word_byte(s[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && !punctuation_at(s, j)) {
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
    return w == "of" || w == "the" || w == "for" || w == "de" || w == "on";
}

bool is_calendar_word(const std::string& w) {
    static const std::set<std::string> words = {
        "january",   "february",  "march",   "april",    "may",      "june",   "july",
        "august",    "september", "october", "november", "december", "monday", "tuesday",
        "wednesday", "thursday",  "friday",  "saturday", "sunday"};
    return words.count(w) > 0;
}

bool is_acronym(std::string_view w) {
    return w.size() >= 2 && w.size() <= 6 &&
           std::all_of(w.begin(), w.end(),
                       [](char c) {
                           return std::isupper(static_cast<unsigned char>(c)) ||
                                  std::isdigit(static_cast<unsigned char>(c));
                       }) &&
           std::isupper(static_cast<unsigned char>(w[0]));
}

// "Debian's" names Debian: the possessive belongs to the sentence.
std::size_t without_possessive(std::string_view w) {
    if (w.size() > 2 && (w.substr(w.size() - 2) == "'s" || w.substr(w.size() - 2) == "s'"))
        return w.size() - (w.back() == 's' ? 2 : 1);
    return w.size();
}

// What a cue word inside or next to a name says it names.
struct Cue {
    std::string_view word;
    std::string_view group;
};

const Cue* find_cue(std::string_view lower_word, const std::vector<Cue>& cues) {
    for (const auto& c : cues)
        if (c.word == lower_word) return &c;
    return nullptr;
}

// The last word of a name: "Reserve Bank of India" is an organisation, "Lake Chad" a place.
const std::vector<Cue>& name_cues() {
    static const std::vector<Cue> cues = {{"bank", "organization"},
                                          {"court", "organization"},
                                          {"commission", "organization"},
                                          {"party", "organization"},
                                          {"committee", "organization"},
                                          {"council", "organization"},
                                          {"assembly", "organization"},
                                          {"university", "organization"},
                                          {"board", "organization"},
                                          {"union", "organization"},
                                          {"organisation", "organization"},
                                          {"organization", "organization"},
                                          {"institute", "organization"},
                                          {"foundation", "organization"},
                                          {"society", "organization"},
                                          {"association", "organization"},
                                          {"corporation", "organization"},
                                          {"company", "organization"},
                                          {"inc", "organization"},
                                          {"ltd", "organization"},
                                          {"group", "organization"},
                                          {"team", "organization"},
                                          {"gmbh", "organization"},
                                          {"llc", "organization"},
                                          {"corp", "organization"},
                                          {"plc", "organization"},
                                          {"ag", "organization"},
                                          {"foundation's", "organization"},
                                          {"project", "organization"},
                                          {"consortium", "organization"},
                                          {"department", "organization"},
                                          {"laboratory", "organization"},
                                          {"laboratories", "organization"},
                                          {"labs", "organization"},
                                          {"congress", "organization"},
                                          {"parliament", "organization"},
                                          {"sabha", "organization"},
                                          {"parishad", "organization"},
                                          {"college", "organization"},
                                          {"school", "organization"},
                                          {"river", "place"},
                                          {"mountains", "place"},
                                          {"ocean", "place"},
                                          {"sea", "place"},
                                          {"lake", "place"},
                                          {"plateau", "place"},
                                          {"desert", "place"},
                                          {"delta", "place"},
                                          {"valley", "place"},
                                          {"island", "place"},
                                          {"islands", "place"},
                                          {"city", "place"},
                                          {"county", "place"},
                                          {"pradesh", "place"},
                                          {"territory", "place"},
                                          {"state", "place"},
                                          {"states", "place"},
                                          {"kingdom", "place"},
                                          {"republic", "place"},
                                          {"street", "place"},
                                          {"park", "place"},
                                          {"act", "law"},
                                          {"amendment", "law"},
                                          {"article", "law"},
                                          {"constitution", "law"},
                                          {"law", "law"},
                                          {"resolution", "law"},
                                          {"treaty", "law"},
                                          {"license", "law"},
                                          {"licence", "law"},
                                          {"policy", "law"},
                                          {"contract", "law"},
                                          {"manifesto", "law"},
                                          {"war", "event"},
                                          {"battle", "event"},
                                          {"movement", "event"},
                                          {"mission", "event"},
                                          {"plan", "event"},
                                          {"scheme", "event"},
                                          {"day", "event"},
                                          {"conference", "event"},
                                          {"empire", "place"},
                                          {"dynasty", "organization"},
                                          {"hall", "place"},
                                          {"observatory", "place"},
                                          {"case", "law"},
                                          {"schedule", "law"},
                                          {"list", "law"},
                                          {"appendix", "part"},
                                          {"section", "part"},
                                          {"chapter", "part"},
                                          {"figure", "part"},
                                          {"table", "part"},
                                          {"page", "part"},
                                          {"document", "law"},
                                          {"documents", "law"},
                                          {"guidelines", "law"},
                                          {"leader", "role"},
                                          {"secretary", "role"},
                                          {"chair", "role"},
                                          {"chairman", "role"},
                                          {"chairperson", "role"},
                                          {"president", "role"},
                                          {"director", "role"},
                                          {"delegate", "role"},
                                          {"officer", "role"},
                                          {"minister", "role"},
                                          {"governor", "role"},
                                          {"manager", "role"},
                                          {"maintainer", "role"},
                                          {"treasurer", "role"},
                                          {"speaker", "role"}};
    return cues;
}

// The word after a name: "the Emacs editor" is a product, "Linus Torvalds said" a person.
const std::vector<Cue>& following_cues() {
    static const std::vector<Cue> cues = {
        {"package", "product"},      {"packages", "product"},    {"program", "product"},
        {"programs", "product"},     {"command", "product"},     {"kernel", "product"},
        {"distribution", "product"}, {"software", "product"},    {"editor", "product"},
        {"library", "product"},      {"server", "product"},      {"language", "product"},
        {"compiler", "product"},     {"interpreter", "product"}, {"shell", "product"},
        {"system", "product"},       {"format", "product"},      {"protocol", "product"},
        {"release", "product"},      {"version", "product"},     {"tool", "product"},
        {"utility", "product"},      {"daemon", "product"},      {"database", "product"},
        {"said", "person"},          {"wrote", "person"},        {"himself", "person"},
        {"herself", "person"}};
    return cues;
}

// The word before a name: "Dr. Ambedkar", "President Prasad".
bool is_title(std::string_view lower_word) {
    static const std::set<std::string_view> titles = {
        "mr",    "mrs",       "ms",   "dr",      "prof",    "professor",
        "sir",   "president", "king", "queen",   "prince",  "princess",
        "saint", "lord",      "lady", "emperor", "general", "justice"};
    return titles.count(lower_word) > 0;
}

// Numbers stand in for each other only with the same unit.
const std::set<std::string>& unit_words() {
    static const std::set<std::string> units = {
        "per",        "percent",  "million",       "billion",    "crore",     "lakh",   "thousand",
        "hundred",    "km",       "kilometres",    "kilometers", "metres",    "meters", "years",
        "members",    "seats",    "states",        "articles",   "schedules", "days",   "months",
        "people",     "bytes",    "kilobytes",     "megabytes",  "gigabytes", "kb",     "mb",
        "gb",         "bits",     "hours",         "minutes",    "seconds",   "weeks",  "votes",
        "developers", "packages", "architectures", "times",      "copies",    "pages",  "lines",
        "characters", "users",    "languages",     "sessions",   "chapters",  "parts"};
    return units;
}

// Words after which a common word is a noun: "the kernel", "of packages".
bool introduces_noun(std::string_view lower_word) {
    static const std::set<std::string_view> words = {
        "a",     "an",  "the",   "this", "that", "these", "those", "its",  "their",
        "his",   "her", "our",   "your", "each", "every", "any",   "some", "no",
        "of",    "for", "with",  "by",   "from", "into",  "about", "many", "several",
        "other", "new", "first", "main", "one",  "two",   "three", "such", "own"};
    return words.count(lower_word) > 0;
}

// Too general to be worth asking about, whatever WordNet says.
bool is_generic(std::string_view lower_word) {
    static const std::set<std::string_view> words = {
        "system",  "systems",  "online",   "several",  "various",     "different", "following",
        "example", "examples", "number",   "numbers",  "information", "thing",     "things",
        "way",     "ways",     "part",     "parts",    "kind",        "kinds",     "type",
        "types",   "case",     "cases",    "fact",     "use",         "uses",      "user",
        "users",   "people",   "person",   "time",     "times",       "work",      "place",
        "point",   "problem",  "problems", "question", "questions",   "reason",    "result",
        "results", "section",  "chapter",  "document", "documents",   "note",      "order",
        "form",    "set",      "group",    "level",    "area",        "side",      "end",
        "lot",     "item",     "items",    "member",   "members",     "list",      "value",
        "values",  "name",     "names",    "line",     "lines",       "file",      "files",
        "change",  "changes",  "option",   "options",  "feature",     "features",  "support",
        "version", "versions", "data",     "process",  "method",      "methods",   "term",
        "terms",   "idea",     "matter",   "manner",   "means",       "purpose",   "state"};
    return words.count(lower_word) > 0;
}

// "X is/was the/a Y": X is a defined term, Y (the word after the article) its genus.
std::string defined_genus(const std::vector<Word>& words, std::size_t subject_end) {
    if (subject_end + 2 >= words.size()) return {};
    static const std::set<std::string> verbs = {"is", "was", "are", "were", "means", "refers"};
    static const std::set<std::string> articles = {"a", "an", "the", "to"};
    if (!verbs.count(lower(words[subject_end].text)) ||
        !articles.count(lower(words[subject_end + 1].text)))
        return {};
    return lower(words[subject_end + 2].text);
}

Term make_term(Kind kind, std::string_view sentence, std::size_t begin, std::size_t end,
               std::string group, std::string cue = {}) {
    Term t;
    t.kind = kind;
    t.text = std::string(sentence.substr(begin, end - begin));
    t.key = lower(t.text);
    t.group = std::move(group);
    t.cue = std::move(cue);
    t.begin = begin;
    t.end = end;
    return t;
}

Term number_term(std::string_view s, const std::vector<Word>& words, std::size_t i) {
    const auto w = words[i].text;
    std::size_t end = words[i].end;
    std::string unit = "plain";
    const auto dots = std::count(w.begin(), w.end(), '.');
    if (end < s.size() && s[end] == '%') {
        ++end;
        unit = "percent";
    } else if (i + 1 < words.size() && unit_words().count(lower(words[i + 1].text))) {
        unit = lower(words[i + 1].text);
    } else if (i > 0 && capitalised(words[i - 1].text) && !is_stopword(lower(words[i - 1].text)) &&
               words[i - 1].end + 1 == words[i].begin) {
        unit = "after " + lower(words[i - 1].text); // "Article 32", "Part III", "Debian 12"
    } else if (dots >= 1 && !std::all_of(w.begin(), w.end(), [](char c) {
                   return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ',';
               })) {
        unit = "mixed"; // "i386", "x86-64": an identifier, not a quantity
    } else if (dots >= 1) {
        unit = "decimal";
    }
    const bool decade = w.size() == 5 && w.back() == 's' && is_year(w.substr(0, 4));
    if (decade)
        unit = "decade"; // "the 1970s"
    else if (std::any_of(w.begin(), w.end(), [](char c) {
                 const auto byte = static_cast<unsigned char>(c);
                 return std::isalpha(byte) || byte >= 0x80;
             }))
        unit = "identifier"; // "i386", "lost8" (a footnote mark), "│866" (a table cell)
    else if (w.size() > 1 && w[0] == '0' && std::isdigit(static_cast<unsigned char>(w[1])))
        unit = "identifier"; // "0001001": a code, not a quantity
    return make_term(Kind::number, s, words[i].begin, end, unit);
}

// The class a name's own words and neighbours give it, "name" when they say nothing.
std::string name_group(const std::vector<Word>& words, std::size_t first, std::size_t last,
                       std::string& cue) {
    const auto text = words[first].text;
    if (first == last && is_acronym(text)) return "acronym";
    // The head says what a name names: its last word, or the word before "of" ("Bank of
    // India"); "Project Leader" is a leader, not a project.
    std::size_t head = last;
    for (std::size_t k = first + 1; k < last; ++k)
        if (lower(words[k].text) == "of") {
            head = k - 1;
            break;
        }
    if (const auto* c = find_cue(lower(words[head].text), name_cues())) {
        cue = std::string(c->word);
        return std::string(c->group);
    }
    if (first > 0 && is_title(lower(words[first - 1].text))) return "person";
    if (last + 1 < words.size())
        if (const auto* c = find_cue(lower(words[last + 1].text), following_cues())) {
            cue = std::string(c->word);
            return std::string(c->group);
        }
    return "name";
}

// Words of one name stand next to each other: one space apart, or an initial's full stop and a
// space ("John M. Chambers"); a comma, a bracket or a sentence's end part two names.
bool next_to(std::string_view s, const Word& a, const Word& b) {
    const auto gap = s.substr(a.end, b.begin - a.end);
    return gap == " " || (gap == ". " && a.text.size() == 1);
}

// "Ian Murdock", "B. R. Ambedkar": two to four capitalised words and initials, none a common
// word nor written like a product ("PowerPC"), with a first name WordNet knows or a neighbour
// that only people have ("by", "who", "wrote").
bool reads_as_person(std::string_view name, const Contexts& contexts) {
    const auto words = split_words(name);
    if (words.size() < 2 || words.size() > 4) return false;
    bool known_name = false;
    for (const auto& w : words) {
        const auto lw = lower(w.text);
        if (lw.size() == 1) continue; // an initial
        if (!std::all_of(lw.begin(), lw.end(), [](char c) { return c >= 'a' && c <= 'z'; }) ||
            std::any_of(w.text.begin() + 1, w.text.end(),
                        [](char c) { return std::isupper(static_cast<unsigned char>(c)); }))
            return false;
        if (wordnet::name_kind(w.text) == wordnet::NameKind::person) {
            known_name = true; // "Bruce", "Martin"
            continue;
        }
        if (wordnet::sense_count(lw, wordnet::Pos::noun) > 0 ||
            wordnet::sense_count(lw, wordnet::Pos::adjective) > 0 ||
            wordnet::sense_count(lw, wordnet::Pos::verb) > 0)
            return false;
    }
    static const std::set<std::string> people_only = {
        "<by",      "<mr",  "<dr",      ">who",       ">said",    ">wrote",   ">founded",
        ">created", ">led", ">started", ">announced", ">himself", ">herself", ">joined"};
    return known_name ||
           std::any_of(people_only.begin(), people_only.end(), [&](const std::string& c) {
               return std::binary_search(contexts.begin(), contexts.end(), context_hash(c));
           });
}

// A common noun worth blanking: a specific word WordNet knows as a noun, in a noun's place.
std::optional<Term> noun_term(std::string_view s, const std::vector<Word>& words, std::size_t i) {
    const auto lw = lower(words[i].text);
    if (lw.size() < 4 || is_stopword(lw) || is_generic(lw) || i == 0 ||
        !introduces_noun(lower(words[i - 1].text)) ||
        !std::all_of(lw.begin(), lw.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
        return std::nullopt;
    // "a public list", "the source packages": a word before another is a modifier, not the
    // noun the sentence is about.
    if (i + 1 < words.size()) {
        const auto next = lower(words[i + 1].text);
        const bool plainly_a_verb = is_auxiliary(next) || !past_tense_base(next).empty();
        if (!is_stopword(next) && std::isalpha(static_cast<unsigned char>(next[0])) &&
            !plainly_a_verb)
            return std::nullopt;
    }
    if (lw.size() > 4 && lw.compare(lw.size() - 3, 3, "ing") == 0)
        return std::nullopt; // "by calling": a verb's form
    if (lower(words[i - 1].text) == "one" && lw.back() == 's')
        return std::nullopt; // "one needs to ask": "one" is the subject of a verb
    // "the original", "a classical": an adjective WordNet also lists as a rare noun.
    if (wordnet::familiarity(lw, wordnet::Pos::adjective) >
        wordnet::familiarity(lw, wordnet::Pos::noun))
        return std::nullopt;
    const auto bases = wordnet::base_forms(lw, wordnet::Pos::noun);
    if (bases.empty()) return std::nullopt;
    const auto& lemma = bases.front();
    if (is_generic(lemma) || wordnet::sense_count(lemma, wordnet::Pos::noun) > 6)
        return std::nullopt;
    const auto lexical = wordnet::lexical_class(lemma, wordnet::Pos::noun);
    // Number words ("four") are quantities, not terms; "noun.Tops" are the most general nouns.
    if (lexical.empty() || lexical == "noun.Tops" || lexical == "noun.quantity")
        return std::nullopt;
    return make_term(Kind::word, s, words[i].begin, words[i].end, lexical, lemma);
}

} // namespace

std::vector<Term> extract_terms(std::string_view s, ExtractOptions options) {
    const auto words = split_words(s);
    std::vector<Term> terms;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto w = words[i].text;
        if (is_year(w)) {
            terms.push_back(make_term(Kind::year, s, words[i].begin, words[i].end, "year"));
            continue;
        }
        if (has_digit(w)) {
            terms.push_back(number_term(s, words, i));
            continue;
        }
        if (capitalised(w) && !is_calendar_word(lower(w))) {
            // A run of capitalised words, joined by connectors ("Reserve Bank of India").
            std::size_t j = i + 1, last = i;
            while (j < words.size() && next_to(s, words[j - 1], words[j])) {
                if (capitalised(words[j].text) && !has_digit(words[j].text)) {
                    last = j++;
                } else if (is_connector(words[j].text) && j + 1 < words.size() &&
                           capitalised(words[j + 1].text) &&
                           (words[j].text != "the" || is_connector(words[j - 1].text))) {
                    // "Bank of the Republic", but not "Project Leader the Chair"
                    ++j;
                } else {
                    break;
                }
            }
            // "The Fundamental Duties", "In the Kesavananda Bharati case": a capitalised
            // function word belongs to the sentence, not to the name.
            while (i < last && is_stopword(lower(words[i].text)))
                ++i;
            while (last > i && is_connector(lower(words[last].text)))
                --last;
            const bool sentence_initial_single = i == 0 && last == 0 && !options.initial_is_name;
            const bool after_initial_article =
                i > 0 && words[i - 1].begin == 0 && last == i && !options.initial_is_name;
            const bool single_letter = i == last && words[i].text.size() < 2;
            if (!sentence_initial_single && !after_initial_article && !single_letter &&
                !is_stopword(lower(words[i].text))) {
                std::string cue;
                const auto genus = i == 0 ? defined_genus(words, last + 1) : std::string{};
                auto group = name_group(words, i, last, cue);
                const auto end = words[last].begin + without_possessive(words[last].text);
                terms.push_back(make_term(genus.empty() ? Kind::name : Kind::defined, s,
                                          words[i].begin, end, std::move(group),
                                          genus.empty() ? cue : genus));
            }
            i = last;
            continue;
        }
        if (options.common_words)
            if (auto noun = noun_term(s, words, i)) terms.push_back(std::move(*noun));
    }
    return terms;
}

Inventory::Inventory(std::string_view document)
    : document_(document), sentences_(split_sentences(document)) {
    std::unordered_map<std::string, int> frequency;
    std::set<std::string> mid_sentence_capitals;
    std::set<std::string> lowercase_uses; // words the document writes in lower case
    for (const auto& sentence : sentences_) {
        const auto text =
            normalize_whitespace(document.substr(sentence.begin, sentence.end - sentence.begin));
        std::set<std::string> seen;
        for (auto& w : tokenize(text)) {
            if (w.size() < 3 || is_stopword(w)) continue;
            ++frequency[w];
            seen.insert(w);
        }
        for (const auto& w : seen)
            ++words_[w].sentences;
        const auto words = split_words(text);
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (!capitalised(words[i].text))
                lowercase_uses.insert(std::string(words[i].text));
            else if (i > 0)
                mid_sentence_capitals.insert(std::string(words[i].text));
        }
    }
    const double n = std::max<double>(1, static_cast<double>(sentences_.size()));
    for (const auto& [w, f] : frequency) {
        auto& usage = words_[w];
        usage.weight = static_cast<float>(f * std::log(1 + n / usage.sentences));
    }

    shapes_.reserve(sentences_.size());
    std::map<Kind, std::unordered_map<std::string, std::uint32_t>> known; // key -> entry
    for (std::size_t si = 0; si < sentences_.size(); ++si) {
        const auto text = sentence_text(si);
        sentence_hashes_.push_back(std::hash<std::string_view>{}(text));
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
        for (auto& t : terms_of(si)) {
            auto& list = entries_[t.kind];
            const auto [at, fresh] =
                known[t.kind].emplace(t.key, static_cast<std::uint32_t>(list.size()));
            if (fresh) list.push_back(t);
            if (t.kind != Kind::name && t.kind != Kind::defined) continue;
            ++list[at->second].sentences;
            note_context(text, t, list[at->second]);
        }
    }
    // "President" is a title where the document also writes "president"; "Ambedkar" never is.
    for (auto& term : entries_[Kind::name])
        if (term.group == "name" && term.key.find(' ') == std::string::npos &&
            frequency.count(term.key) && lowercase_uses.count(term.key))
            term.group = "title:" + wordnet::lexical_class(term.key, wordnet::Pos::noun);
    for (auto kind : {Kind::name, Kind::defined})
        for (const auto& [key, index] : known[kind])
            names_.push_back({std::hash<std::string>{}(key), kind, index});
    std::sort(names_.begin(), names_.end());
    classify_names();
    std::sort(sentence_hashes_.begin(), sentence_hashes_.end());
}

const Term* Inventory::entry_of(const std::string& key) const {
    const NameRef probe{std::hash<std::string>{}(key), Kind::name, 0};
    for (auto it = std::lower_bound(names_.begin(), names_.end(), probe);
         it != names_.end() && it->hash == probe.hash; ++it) {
        const auto& entry = entries_.at(it->kind)[it->index];
        if (entry.key == key) return &entry;
    }
    return nullptr;
}

// Up to this many distinct neighbour words are kept per name: enough to compare names, bounded
// for documents of megabytes.
constexpr std::size_t contexts_per_name = 10;

std::uint32_t context_hash(std::string_view feature) {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(feature));
}

void Inventory::note_context(std::string_view sentence, const Term& t, Term& entry) {
    auto& features = entry.contexts;
    if (features.size() >= contexts_per_name) return;
    const auto add = [&](const std::string& feature) {
        const auto h = context_hash(feature);
        const auto at = std::lower_bound(features.begin(), features.end(), h);
        if (at == features.end() || *at != h) features.insert(at, h);
    };
    const auto before = sentence.substr(0, t.begin);
    const auto words_before = split_words(before);
    if (!words_before.empty()) {
        const auto w = lower(words_before.back().text);
        if (!is_stopword(w) || w == "in" || w == "at" || w == "by" || w == "from") add("<" + w);
    }
    auto after = sentence.substr(std::min(sentence.size(), t.end));
    if (after.substr(0, 2) == "'s") after.remove_prefix(2);
    const auto words_after = split_words(after);
    if (!words_after.empty()) {
        const auto w = lower(words_after.front().text);
        if (!is_stopword(w) || w == "who") add(">" + w);
    }
}

// A name the sentence alone could not class: WordNet may know it ("Paris", "Einstein"); two or
// three capitalised words none of which is a common word read as a person ("Ian Murdock").
void Inventory::classify_names() {
    for (auto kind : {Kind::name, Kind::defined}) {
        for (auto& term : entries_[kind]) {
            if (term.group == "name") {
                switch (wordnet::name_kind(term.text)) {
                case wordnet::NameKind::person:
                    term.group = "person";
                    break;
                case wordnet::NameKind::place:
                    term.group = "place";
                    break;
                case wordnet::NameKind::organization:
                    term.group = "organization";
                    break;
                case wordnet::NameKind::other: // "Linux", "Unix": of one kind by their class
                    term.group = "wn:" + wordnet::lexical_class(term.text, wordnet::Pos::noun);
                    break;
                case wordnet::NameKind::unknown:
                    if (reads_as_person(term.text, term.contexts)) term.group = "person";
                }
            }
        }
    }
}

std::vector<Term> Inventory::terms_of(std::size_t i, bool common_words) const {
    if (shapes_[i] == heading) return {};
    auto terms = extract_terms(sentence_text(i), {shapes_[i] == initial_is_name, common_words});
    for (auto& t : terms) {
        if (t.kind != Kind::name && t.kind != Kind::defined) continue;
        if (const auto* entry = entry_of(t.key)) t.group = entry->group;
    }
    return terms;
}

std::string Inventory::sentence_text(std::size_t i) const {
    return normalize_whitespace(
        document_.substr(sentences_[i].begin, sentences_[i].end - sentences_[i].begin));
}

bool Inventory::has_sentence(std::string_view sentence) const {
    return std::binary_search(sentence_hashes_.begin(), sentence_hashes_.end(),
                              std::hash<std::string_view>{}(sentence));
}

bool Inventory::one_paragraph(std::size_t first, std::size_t last) const {
    const auto span =
        document_.substr(sentences_[first].begin, sentences_[last].end - sentences_[first].begin);
    return span.find("\n\n") == std::string_view::npos;
}

std::string Inventory::span_text(std::size_t first, std::size_t last) const {
    return normalize_whitespace(
        document_.substr(sentences_[first].begin, sentences_[last].end - sentences_[first].begin));
}

const std::string& Inventory::group_of(const std::string& key) const {
    static const std::string none;
    const auto* entry = entry_of(key);
    return entry ? entry->group : none;
}

const std::vector<Term>& Inventory::entries(Kind kind) const {
    static const std::vector<Term> none;
    auto it = entries_.find(kind);
    return it == entries_.end() ? none : it->second;
}

const Contexts& Inventory::contexts(const std::string& key) const {
    static const Contexts none;
    const auto* entry = entry_of(key);
    return entry ? entry->contexts : none;
}

double Inventory::weight(const std::string& word) const {
    auto it = words_.find(word);
    return it == words_.end() ? 0 : it->second.weight;
}

int Inventory::sentences_with(const std::string& key) const {
    // A word's count is tokenize()'s; a name's (several words, or short) its entry's.
    if (const auto it = words_.find(key); it != words_.end()) return it->second.sentences;
    const auto* entry = entry_of(key);
    return entry ? entry->sentences : 0;
}

double Inventory::specificity(const std::string& key) const {
    // Two or three mentions are a fact's own; beyond them every four more, or every 1 % of a
    // long document's sentences, halve it.
    constexpr double own_mentions = 3, halving = 4, share = 0.01;
    const double mentions = sentences_with(key);
    const double step = std::max(halving, share * static_cast<double>(sentences_.size()));
    return 1 / (1 + std::max(0.0, mentions - own_mentions) / step);
}

std::size_t Inventory::sentence_at(std::size_t begin) const {
    auto it = std::lower_bound(sentences_.begin(), sentences_.end(), begin,
                               [](const Sentence& s, std::size_t b) { return s.begin < b; });
    return it != sentences_.end() && it->begin == begin
               ? static_cast<std::size_t>(it - sentences_.begin())
               : static_cast<std::size_t>(-1);
}

} // namespace mcqgen::detail::offline
