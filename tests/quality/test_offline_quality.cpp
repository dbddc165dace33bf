// The offline generator on real documents (issue 12): every defect a teacher would reject a
// question for, checked as code, over six documents of different fields from Debian's
// documentation packages (tests/quality/make_corpus.py extracts them at test time).
//
// `mcqgen_quality_tests --generate` runs the generator over the corpus once (the ctest fixture
// quality.generate) and stores every run in corpus/runs.db with SqliteStorage; each TEST_CASE
// below, one per document and defect, reads those runs back and checks one defect. Only the
// public C++ API is used.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <mcqgen/mcqgen.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// The plan: which runs are made, and the thresholds the checks hold them to.

constexpr int questions_per_run = 20;
const std::vector<std::uint64_t> mixed_seeds = {1, 2, 3};
const std::vector<std::uint64_t> style_seeds = {1};
const std::vector<mcqgen::QuestionStyle> single_styles = {mcqgen::QuestionStyle::cloze,
                                                          mcqgen::QuestionStyle::question,
                                                          mcqgen::QuestionStyle::statements};
// The judge must tell questions apart: over a document, best minus worst score at least this.
constexpr double min_score_spread = 0.1;
// The share of distractors with the key's last three letters, for plain lower-case keys (how
// it is derived: the TEST_CASE "suite distractor suffix share").
constexpr double suffix_share_limit = 0.25;
// Letters are most of a sentence's characters (not counting spaces); code and tables are not.
constexpr double min_letter_share = 0.6;
// Failures printed per check; the count covers all of them.
constexpr std::size_t failures_shown = 8;

const fs::path corpus_dir = MCQGEN_QUALITY_CORPUS_DIR;
const fs::path labels_dir = MCQGEN_QUALITY_LABELS_DIR;
const fs::path runs_db = corpus_dir / "runs.db";
const fs::path runs_index = corpus_dir / "runs.tsv";

// ---------------------------------------------------------------------------------------------
// Small text helpers.

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_alpha(char c) {
    return is_upper(c) || is_lower(c);
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::istringstream in{std::string(text)};
    for (std::string word; in >> word;)
        words.push_back(word);
    return words;
}

std::string join(const std::vector<std::string>& words, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t i = begin; i < end; ++i)
        out += (i == begin ? "" : " ") + words[i];
    return out;
}

// A word with the punctuation around it removed ("(Debian's," -> "Debian's").
std::string bare(std::string_view word) {
    auto is_edge = [](char c) { return !is_alpha(c) && !is_digit(c) && c != '%'; };
    std::size_t b = 0, e = word.size();
    while (b < e && is_edge(word[b]) && static_cast<unsigned char>(word[b]) < 0x80)
        ++b;
    while (e > b && is_edge(word[e - 1]) && static_cast<unsigned char>(word[e - 1]) < 0x80)
        --e;
    return std::string(word.substr(b, e - b));
}

bool has_digit(std::string_view text) {
    return std::any_of(text.begin(), text.end(), is_digit);
}

std::size_t count_of(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size()))
        ++n;
    return n;
}

// Whitespace runs collapsed to one space, trimmed; `origin[i]` is where squashed byte i came
// from in the input, so a match in the squashed text can be placed in the original.
struct Squashed {
    std::string text;
    std::vector<std::size_t> origin;
};

Squashed squash_with_origin(std::string_view text) {
    Squashed out;
    bool pending_space = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_space(text[i])) {
            pending_space = !out.text.empty();
            continue;
        }
        if (pending_space) {
            out.text += ' ';
            out.origin.push_back(i);
        }
        pending_space = false;
        out.text += text[i];
        out.origin.push_back(i);
    }
    return out;
}

std::string squash(std::string_view text) {
    return squash_with_origin(text).text;
}

// ---------------------------------------------------------------------------------------------
// The corpus, its labels and the stored runs.

struct Entry {
    std::string name, field, package, file, format;
};

struct Run {
    std::string doc;
    std::string style; // as requested: mixed, cloze, question, statements
    std::uint64_t seed = 0;
    double seconds = 0;
    mcqgen::Test test;
    std::vector<mcqgen::Question> questions;
};

struct Corpus {
    std::vector<Entry> entries;
    std::vector<Run> runs;
};

std::vector<std::vector<std::string>> read_tsv(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(path.string() +
                                 " is missing: run the ctest fixtures quality.corpus and "
                                 "quality.generate first");
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cells; // empty cells too, the last one included
        for (std::size_t begin = 0;;) {
            auto tab = line.find('\t', begin);
            cells.push_back(line.substr(begin, tab - begin));
            if (tab == std::string::npos) break;
            begin = tab + 1;
        }
        rows.push_back(cells);
    }
    return rows;
}

std::vector<Entry> read_manifest() {
    std::vector<Entry> entries;
    auto rows = read_tsv(corpus_dir / "manifest.tsv");
    for (std::size_t i = 1; i < rows.size(); ++i) { // row 0 is the header
        const auto& r = rows[i];
        if (r.size() != 5) throw std::runtime_error("manifest.tsv: a row without five cells");
        entries.push_back({r[0], r[1], r[2], r[3], r[4]});
    }
    return entries;
}

const Entry& entry(const Corpus& corpus, std::string_view name) {
    for (const auto& e : corpus.entries)
        if (e.name == name) return e;
    throw std::runtime_error("the corpus manifest has no document " + std::string(name));
}

// The runs of the fixture, read back from storage once per process.
const Corpus& corpus() {
    static const Corpus loaded = [] {
        Corpus c;
        c.entries = read_manifest();
        mcqgen::SqliteStorage storage{runs_db};
        for (const auto& r : read_tsv(runs_index)) {
            if (r.size() != 6) throw std::runtime_error("runs.tsv: a row without six cells");
            Run run{r[0], r[1], std::stoull(r[2]), std::stod(r[4]), {}, {}};
            if (r[5].empty()) {
                run.test = storage.test(r[3]);
                run.questions = storage.questions(r[3]);
            } else { // the run threw: a failed run, with what it threw
                run.test.status = mcqgen::Status::failed;
                run.test.message = "generate() threw: " + r[5];
            }
            c.runs.push_back(std::move(run));
        }
        return c;
    }();
    return loaded;
}

std::vector<const Run*> runs_of(std::string_view doc) {
    std::vector<const Run*> out;
    for (const auto& run : corpus().runs)
        if (run.doc == doc) out.push_back(&run);
    if (out.empty()) throw std::runtime_error("no stored runs for " + std::string(doc));
    return out;
}

// A document as the library reads it, with its whitespace-normalised text.
struct SourceDocument {
    mcqgen::Document document;
    Squashed squashed;
};

const SourceDocument& source(std::string_view doc) {
    static std::map<std::string, std::unique_ptr<SourceDocument>, std::less<>> cache;
    auto it = cache.find(doc);
    if (it == cache.end()) {
        auto document = mcqgen::Document::from_file(corpus_dir / entry(corpus(), doc).file);
        auto squashed = squash_with_origin(document.text());
        it = cache
                 .emplace(std::string(doc), std::make_unique<SourceDocument>(
                                                SourceDocument{std::move(document), squashed}))
                 .first;
    }
    return *it->second;
}

using Labels = std::map<std::string, std::string, std::less<>>; // entity -> class

Labels labels_of(std::string_view doc) {
    Labels labels;
    for (const auto& r : read_tsv(labels_dir / (std::string(doc) + ".txt"))) {
        if (r.size() != 2) throw std::runtime_error(std::string(doc) + ".txt: entity<TAB>class");
        labels[r[0]] = r[1];
    }
    return labels;
}

// ---------------------------------------------------------------------------------------------
// Reporting: each check collects its failures, each with the question it is about.

std::string describe(const mcqgen::Question& q) {
    std::ostringstream out;
    out << "  [" << q.style << ", score " << q.score << "] " << q.stem << "\n";
    for (int i = 0; i < 4; ++i)
        out << "    " << static_cast<char>('A' + i) << (i == q.answer_index ? "* " : ") ")
            << q.options[static_cast<std::size_t>(i)] << "\n";
    out << "    quote: " << q.source_quote << "\n    explanation: " << q.explanation << "\n";
    return out.str();
}

struct Findings {
    std::string what; // "questions", "runs", "distractors", ...
    int checked = 0;
    std::vector<std::string> failures;

    void fail(std::string reason, const mcqgen::Question* q = nullptr) {
        failures.push_back(q ? reason + "\n" + describe(*q) : reason);
    }
};

// One line a reader can count ("12 of 60 questions fail"), then the failures themselves.
void report(std::string_view name, const Findings& f, int min_checked = 1) {
    MESSAGE(name << ": " << f.failures.size() << " of " << f.checked << " " << f.what << " fail");
    REQUIRE_MESSAGE(f.checked >= min_checked,
                    name << ": nothing to check (" << f.checked << " " << f.what << ")");
    if (f.failures.empty()) return;
    std::ostringstream shown;
    for (std::size_t i = 0; i < f.failures.size() && i < failures_shown; ++i)
        shown << f.failures[i] << "\n";
    FAIL_CHECK(name << ": " << f.failures.size() << " of " << f.checked << " " << f.what
                    << " fail; the first ones:\n"
                    << shown.str());
}

template <class PerQuestion>
Findings over_questions(std::string_view doc, PerQuestion check, std::string what = "questions") {
    Findings f{std::move(what), 0, {}};
    for (const Run* run : runs_of(doc))
        for (const auto& q : run->questions)
            check(*run, q, f);
    return f;
}

bool is_statement_item(const mcqgen::Question& q) {
    return q.style == "statements";
}

std::string key_of(const mcqgen::Question& q) {
    return q.options[static_cast<std::size_t>(q.answer_index)];
}

// ---------------------------------------------------------------------------------------------
// Defect: stems keep the document's hard line breaks and double spaces.

std::string whitespace_fault(std::string_view text) {
    if (text.find_first_of("\n\r\t") != std::string_view::npos) return "a line break or tab";
    if (text.find("  ") != std::string_view::npos) return "a double space";
    if (!text.empty() && (text.front() == ' ' || text.back() == ' '))
        return "a leading or trailing space";
    return {};
}

void check_whitespace(const Run&, const mcqgen::Question& q, Findings& f) {
    ++f.checked;
    std::vector<std::pair<std::string, std::string_view>> fields = {
        {"stem", q.stem}, {"explanation", q.explanation}, {"quote", q.source_quote}};
    for (int i = 0; i < 4; ++i)
        fields.emplace_back(std::string("option ") + static_cast<char>('A' + i),
                            q.options[static_cast<std::size_t>(i)]);
    std::string faults;
    for (const auto& [field, text] : fields)
        if (auto fault = whitespace_fault(text); !fault.empty())
            faults += (faults.empty() ? "" : "; ") + field + " has " + fault;
    if (!faults.empty()) f.fail(faults, &q);
}

// ---------------------------------------------------------------------------------------------
// Defect: the quote is not the document's, or is a heading, a list item, a table row or code.

// The block of kind prose that holds text()[begin, end), if one does.
bool inside_prose(const mcqgen::Document& doc, std::size_t begin, std::size_t end) {
    for (const auto& block : doc.blocks())
        if (block.begin <= begin && end <= block.end) return block.kind == mcqgen::BlockKind::prose;
    return false;
}

enum class Located { missing, not_prose, prose };

// Where `text` (whitespace-normalised) is in the document: in prose somewhere, only elsewhere,
// or nowhere.
Located locate(const SourceDocument& src, std::string_view text) {
    std::string needle = squash(text);
    if (needle.empty()) return Located::missing;
    Located found = Located::missing;
    for (auto at = src.squashed.text.find(needle); at != std::string::npos;
         at = src.squashed.text.find(needle, at + 1)) {
        std::size_t begin = src.squashed.origin[at];
        std::size_t end = src.squashed.origin[at + needle.size() - 1] + 1;
        if (inside_prose(src.document, begin, end)) return Located::prose;
        found = Located::not_prose;
    }
    return found;
}

// Which blocks the first occurrence of `text` overlaps, for a failure message: "list",
// "prose + list".
std::string blocks_at(const SourceDocument& src, std::string_view text) {
    std::string needle = squash(text);
    auto at = needle.empty() ? std::string::npos : src.squashed.text.find(needle);
    if (at == std::string::npos) return "nowhere";
    std::size_t begin = src.squashed.origin[at];
    std::size_t end = src.squashed.origin[at + needle.size() - 1] + 1;
    std::string kinds;
    for (const auto& block : src.document.blocks())
        if (block.begin < end && begin < block.end)
            kinds += (kinds.empty() ? "" : " + ") + std::string(mcqgen::to_string(block.kind));
    return kinds.empty() ? "between blocks" : kinds;
}

// The sentences of a text: split after . ! ? (and closing quotes) before an upper-case start.
std::vector<std::string> sentences_of(std::string_view text) {
    std::vector<std::string> out;
    std::string s = squash(text);
    std::size_t start = 0;
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        bool end = (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i + 1] == ' ' &&
                   (is_upper(s[i + 2]) || is_digit(s[i + 2]));
        if (!end) continue;
        out.push_back(s.substr(start, i + 1 - start));
        start = i + 2;
    }
    if (start < s.size()) out.push_back(s.substr(start));
    return out;
}

void check_quote_in_prose(const Run& run, const mcqgen::Question& q, Findings& f) {
    ++f.checked;
    const auto& src = source(run.doc);
    std::vector<std::string> parts = {q.source_quote};
    // A statement item's quote may join its sentences from different paragraphs or places:
    // then each of its sentences must be a prose sentence of the document.
    if (is_statement_item(q) && locate(src, q.source_quote) != Located::prose)
        parts = sentences_of(q.source_quote);
    for (const auto& part : parts) {
        std::string what = parts.size() == 1 ? "the quote" : "the quote's sentence '" + part + "'";
        Located where = locate(src, part);
        if (where == Located::missing) return f.fail(what + " is not in the document", &q);
        if (where == Located::not_prose)
            return f.fail(what + " is not inside one prose block: it is in " + blocks_at(src, part),
                          &q);
    }
}

// ---------------------------------------------------------------------------------------------
// Defect: the sentence is a fragment, a heading, a list bullet without a verb, or code.

// Opening quotes a sentence may start with, closing ones it may end with (UTF-8).
const std::vector<std::string_view> opening_quotes = {"\"", "'", "\u201c", "\u2018", "\u00ab"};
const std::vector<std::string_view> closers = {"\"", "'", ")", "]", "\u201d", "\u2019", "\u00bb"};

bool starts_like_a_sentence(std::string_view s) {
    if (s.empty()) return false;
    if (is_upper(s[0]) || is_digit(s[0])) return true;
    for (auto q : opening_quotes)
        if (starts_with(s, q)) return true;
    // Latin-1 capitals (U+00C0..U+00DE but the multiplication sign): "Émile".
    auto b0 = static_cast<unsigned char>(s[0]);
    auto b1 = s.size() > 1 ? static_cast<unsigned char>(s[1]) : 0;
    return b0 == 0xC3 && b1 >= 0x80 && b1 <= 0x9E && b1 != 0x97;
}

bool ends_like_a_sentence(std::string_view s) {
    for (int strip = 0; strip < 3 && !s.empty(); ++strip) {
        char last = s.back();
        if (last == '.' || last == '!' || last == '?') return true;
        bool stripped = false;
        for (auto c : closers)
            if (ends_with(s, c)) {
                s.remove_suffix(c.size());
                stripped = true;
                break;
            }
        if (!stripped) return false;
    }
    return false;
}

bool balanced(std::string_view s) {
    int round = 0, square = 0;
    for (char c : s) {
        round += c == '(' ? 1 : c == ')' ? -1 : 0;
        square += c == '[' ? 1 : c == ']' ? -1 : 0;
        if (round < 0 || square < 0) return false;
    }
    // Curly double quotes pair up; ASCII double quotes come in twos; a curly single opening
    // quote needs a closing one (which also serves as an apostrophe, so it may be more).
    return round == 0 && square == 0 && count_of(s, "\u201c") == count_of(s, "\u201d") &&
           count_of(s, "\"") % 2 == 0 && count_of(s, "\u2018") <= count_of(s, "\u2019");
}

// A deliberately small, conservative verb test: it only has to tell a sentence from a heading
// or a bullet ("Reading data from files", "Debian GNU/Linux 12"), never to parse. A sentence
// passes when it has an auxiliary or a common verb from the list, a word ending in -ed, or a
// word ending in -s right after a word that can be a subject (not a determiner, preposition,
// conjunction or number).
const std::set<std::string, std::less<>> common_verbs = {
    "is",      "are",     "was",     "were",    "be",      "been",     "being",   "am",
    "isn't",   "aren't",  "wasn't",  "has",     "have",    "had",      "hasn't",  "haven't",
    "do",      "does",    "did",     "don't",   "doesn't", "didn't",   "can",     "cannot",
    "can't",   "could",   "may",     "might",   "must",    "shall",    "should",  "will",
    "would",   "won't",   "it's",    "that's",  "there's", "let",      "lets",    "make",
    "made",    "get",     "got",     "go",      "goes",    "went",     "take",    "took",
    "give",    "gave",    "see",     "saw",     "know",    "knew",     "say",     "said",
    "come",    "came",    "find",    "found",   "keep",    "kept",     "run",     "ran",
    "put",     "set",     "show",    "shown",   "write",   "wrote",    "written", "read",
    "hold",    "held",    "begin",   "began",   "become",  "became",   "mean",    "meant",
    "tell",    "told",    "think",   "thought", "use",     "need",     "want",    "allow",
    "provide", "include", "require", "contain", "call",    "consider", "note",    "try",
    "work",    "add",     "create",  "build",   "built",   "install",  "check",   "choose",
    "chose",   "leave",   "left",    "lose",    "lost",    "seem",     "appear",  "follow",
    "refer",   "please"}; // "Please file a bug report": an imperative

const std::set<std::string, std::less<>> function_words = {
    "the",  "a",    "an",      "of",      "in",      "on",      "at",    "to",    "for",
    "from", "with", "by",      "as",      "and",     "or",      "but",   "nor",   "into",
    "onto", "over", "under",   "about",   "between", "through", "its",   "their", "his",
    "her",  "our",  "your",    "my",      "these",   "those",   "this",  "that",  "some",
    "many", "all",  "several", "various", "other",   "such",    "no",    "two",   "three",
    "four", "five", "more",    "most",    "both",    "each",    "every", "any",   "few"};

bool has_a_verb(std::string_view s) {
    std::string previous;
    for (const auto& raw : split_words(s)) {
        std::string word = lower(bare(raw));
        if (word.empty()) continue;
        if (common_verbs.count(word)) return true;
        if (word.size() >= 5 && ends_with(word, "ed")) return true;
        bool third_person = word.size() >= 4 && ends_with(word, "s") && !ends_with(word, "ss") &&
                            !ends_with(word, "us") && !ends_with(word, "is");
        if (third_person && !previous.empty() && !function_words.count(previous) &&
            !has_digit(previous))
            return true;
        previous = word;
    }
    return false;
}

// Code and shell: a prompt, braces, assignments, scope and arrow operators, paths, options,
// identifiers with underscores or in camelCase, a semicolon not followed by a space.
std::string code_sign(std::string_view s) {
    if (starts_with(s, "$ ") || starts_with(s, "# ") || starts_with(s, "%") || starts_with(s, "> "))
        return "starts like a shell prompt";
    for (std::string_view sign : {"{", "}", "=", "::", "->", "<-"})
        if (s.find(sign) != std::string_view::npos) return "contains " + std::string(sign);
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool word_start = i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '"';
        if (s[i] == ';' && i + 1 < s.size() && s[i + 1] != ' ') return "a semicolon in code";
        if (word_start && (s[i] == '/' || s[i] == '~') && i + 1 < s.size() &&
            (is_alpha(s[i + 1]) || s[i + 1] == '/'))
            return "a path";
        if (word_start && starts_with(s.substr(i), "--") && i + 2 < s.size() && is_alpha(s[i + 2]))
            return "a command-line option";
        if (s[i] == '_' && i > 0 && i + 1 < s.size() &&
            (is_alpha(s[i - 1]) || is_digit(s[i - 1])) &&
            (is_alpha(s[i + 1]) || is_digit(s[i + 1])))
            return "an identifier_with_underscores";
        if (word_start && is_lower(s[i])) {
            std::size_t j = i;
            while (j < s.size() && is_lower(s[j]))
                ++j;
            if (j < s.size() && is_upper(s[j])) return "a camelCase identifier";
        }
    }
    std::size_t letters = 0, visible = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == ' ') continue;
        ++visible;
        auto b = static_cast<unsigned char>(s[i]);
        // A multi-byte character counts once, as a letter (the documents' are letters or
        // typographic quotes).
        if (b >= 0x80) {
            if (b >= 0xC0)
                ++letters;
            else
                --visible;
        } else if (is_alpha(s[i])) {
            ++letters;
        }
    }
    if (visible > 0 && static_cast<double>(letters) < min_letter_share * visible)
        return "mostly not letters";
    return {};
}

// Why `s` is not a whole sentence of prose, or "" when it is.
std::string sentence_fault(std::string_view s) {
    if (!starts_like_a_sentence(s)) return "does not start like a sentence";
    if (!ends_like_a_sentence(s)) return "does not end like a sentence";
    if (!balanced(s)) return "unbalanced brackets or quotes";
    if (!has_a_verb(s)) return "has no verb";
    if (auto sign = code_sign(s); !sign.empty()) return "looks like code: " + sign;
    return {};
}

// ---------------------------------------------------------------------------------------------
// Statement items: "Consider the following statements: 1. ... 2. ... [3. ...] <question>".

const std::string statements_lead = "Consider the following statements:";
const std::array<std::string, 4> three_statement_options = {"Only one", "Only two", "All three",
                                                            "None"};
const std::array<std::string, 4> two_statement_options = {"1 only", "2 only", "Both 1 and 2",
                                                          "Neither 1 nor 2"};

// The numbered statements of a statement item's stem, or nothing when it is not of that form.
// Where the marker " 2. " of the next statement is: the first one a sentence starts after (so
// "consumes 2. 2. For more" splits after "consumes 2."), else the first one.
std::size_t next_marker(std::string_view rest, const std::string& marker, std::size_t from) {
    for (auto at = rest.find(marker, from); at != std::string_view::npos;
         at = rest.find(marker, at + 1))
        if (starts_like_a_sentence(rest.substr(at + marker.size())) &&
            !is_digit(rest[at + marker.size()]))
            return at;
    return rest.find(marker, from);
}

std::optional<std::vector<std::string>> statements_of(std::string_view stem) {
    if (!starts_with(stem, statements_lead)) return std::nullopt;
    std::string_view rest = stem.substr(statements_lead.size());
    auto tail = std::min(rest.rfind(" How many of the above"), rest.rfind(" Which of the"));
    if (tail == std::string_view::npos) return std::nullopt;
    rest = rest.substr(0, tail);
    std::vector<std::string> out;
    for (int n = 1;; ++n) {
        std::string marker = " " + std::to_string(n) + ". ";
        std::string next = " " + std::to_string(n + 1) + ". ";
        if (!starts_with(rest, marker)) break;
        auto end = next_marker(rest, next, marker.size());
        out.emplace_back(rest.substr(marker.size(), end == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : end - marker.size()));
        if (end == std::string_view::npos) {
            rest = {};
            break;
        }
        rest = rest.substr(end);
    }
    if (out.empty() || !rest.empty()) return std::nullopt;
    return out;
}

// Which statements are the document's own sentences (the true ones).
std::vector<bool> truth_of(const SourceDocument& src, const std::vector<std::string>& statements) {
    std::vector<bool> truth;
    for (const auto& s : statements)
        truth.push_back(locate(src, s) != Located::missing);
    return truth;
}

std::string expected_key(const std::vector<bool>& truth) {
    if (truth.size() == 3) {
        auto n = std::count(truth.begin(), truth.end(), true);
        return n == 0 ? "None" : three_statement_options[static_cast<std::size_t>(n - 1)];
    }
    if (truth[0] && truth[1]) return "Both 1 and 2";
    if (truth[0]) return "1 only";
    if (truth[1]) return "2 only";
    return "Neither 1 nor 2";
}

void check_statement_form(const Run&, const mcqgen::Question& q, Findings& f) {
    if (!is_statement_item(q)) return;
    ++f.checked;
    auto statements = statements_of(q.stem);
    if (!statements)
        return f.fail("the stem is not 'Consider the following statements: 1. "
                      "... 2. ... <question>'",
                      &q);
    if (statements->size() != 2 && statements->size() != 3)
        return f.fail(std::to_string(statements->size()) + " statements, not 2 or 3", &q);
    const auto& options = statements->size() == 3 ? three_statement_options : two_statement_options;
    for (std::size_t i = 0; i < 4; ++i)
        if (q.options[i] != options[i])
            return f.fail("option " + std::string(1, static_cast<char>('A' + i)) + " is '" +
                              q.options[i] + "', not '" + options[i] + "'",
                          &q);
    for (std::size_t i = 0; i < statements->size(); ++i)
        if (auto fault = sentence_fault((*statements)[i]); !fault.empty())
            return f.fail("statement " + std::to_string(i + 1) + " " + fault, &q);
}

void check_statement_key(const Run& run, const mcqgen::Question& q, Findings& f) {
    if (!is_statement_item(q)) return;
    ++f.checked;
    auto statements = statements_of(q.stem);
    if (!statements || statements->size() < 2 || statements->size() > 3)
        return f.fail("not a statement item of 2 or 3 statements", &q);
    auto truth = truth_of(source(run.doc), *statements);
    std::string expected = expected_key(truth);
    std::string found;
    for (std::size_t i = 0; i < truth.size(); ++i)
        found += truth[i] ? "T" : "F";
    if (key_of(q) != expected)
        f.fail("the key is '" + key_of(q) + "' but the statements found in the document (" + found +
                   ") make it '" + expected + "'",
               &q);
}

// What a false statement changed: the document's words and the ones put in their place. The
// statement is split into kept words before and after a replaced run (as few replaced words as
// possible), and the document must have the kept words with at most a short term between them.
// Empty when the statement is no such variant of a document sentence.
struct Swap {
    std::string original, replacement;
};

constexpr std::size_t max_term_bytes = 60;
constexpr std::size_t max_term_words = 6;

// The document's term between `prefix` and `suffix` (either may be empty, not both), where
// they occur as whole words with a short term between them.
std::optional<std::string> term_between(const std::string& doc, const std::string& prefix,
                                        const std::string& suffix) {
    auto word_at = [&](std::size_t b, std::size_t e) {
        return (b == 0 || doc[b - 1] == ' ') && (e == doc.size() || doc[e] == ' ');
    };
    const bool from_prefix = prefix.size() >= suffix.size();
    const std::string& anchor = from_prefix ? prefix : suffix;
    for (auto at = doc.find(anchor); at != std::string::npos; at = doc.find(anchor, at + 1)) {
        if (!word_at(at, at + anchor.size())) continue;
        std::size_t b = 0, e = 0; // the term is doc[b, e)
        if (from_prefix) {
            b = at + anchor.size() + 1;
            if (b >= doc.size()) continue;
            if (suffix.empty()) {
                e = std::min(doc.find(' ', b), doc.size());
            } else {
                auto s = doc.find(" " + suffix, b);
                if (s == std::string::npos || s - b > max_term_bytes) continue;
                e = s;
            }
        } else {
            if (at < 2) continue;
            e = at - 1;
            if (prefix.empty()) {
                auto space = doc.rfind(' ', e - 1);
                b = space == std::string::npos ? 0 : space + 1;
            } else {
                auto p = doc.rfind(prefix + " ", e);
                if (p == std::string::npos || e - (p + prefix.size() + 1) > max_term_bytes)
                    continue;
                b = p + prefix.size() + 1;
            }
        }
        if (b < e && e - b <= max_term_bytes && word_at(b, e)) return doc.substr(b, e - b);
    }
    return std::nullopt;
}

std::optional<Swap> swap_in(const std::string& doc, const std::string& statement) {
    auto words = split_words(statement);
    const std::size_t n = words.size();
    for (std::size_t replaced = 1; replaced <= std::min(n, max_term_words); ++replaced)
        for (std::size_t p = 0; p + replaced <= n; ++p) {
            if (p == 0 && replaced == n) break;
            auto original = term_between(doc, join(words, 0, p), join(words, p + replaced, n));
            std::string replacement = join(words, p, p + replaced);
            if (original && *original != replacement) return Swap{*original, replacement};
        }
    return std::nullopt;
}

// The lower-case runs of ASCII letters and digits of a text ("AI Lab's 9–13" -> ai lab s 9 13).
std::set<std::string> tokens_of(std::string_view text) {
    std::set<std::string> out;
    std::string token;
    for (char c : std::string(text) + " ") {
        if (is_alpha(c) || is_digit(c)) {
            token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!token.empty()) {
            out.insert(token);
            token.clear();
        }
    }
    return out;
}

// True when the explanation names what the swap changed: a token of the original term or of
// its replacement that the other one does not have ("Lab" of "AI Lab's" for "Usenet's").
bool explains(std::string_view explanation, const Swap& swap) {
    static const std::set<std::string> filler = {"a", "an", "the", "s"};
    // "Statement 2 is incorrect" names a statement, not a term: its number does not count.
    std::string text = lower(explanation);
    for (auto at = text.find("statement "); at != std::string::npos;
         at = text.find("statement ", at + 1))
        for (auto i = at + 10; i < text.size() && is_digit(text[i]); ++i)
            text[i] = ' ';
    auto said = tokens_of(text);
    auto original = tokens_of(swap.original), replacement = tokens_of(swap.replacement);
    auto named = [&](const std::set<std::string>& mine, const std::set<std::string>& other) {
        return std::any_of(mine.begin(), mine.end(), [&](const std::string& t) {
            return !other.count(t) && !filler.count(t) && said.count(t);
        });
    };
    return named(original, replacement) || named(replacement, original);
}

// Calls each(number, swap) for every false statement of a statement item, with what it
// changed (nothing when it is no one-term variant of a document sentence).
template <class Each>
void for_each_false_statement(const Run& run, const mcqgen::Question& q, Each each) {
    if (!is_statement_item(q)) return;
    auto statements = statements_of(q.stem);
    if (!statements) return;
    const auto& src = source(run.doc);
    auto truth = truth_of(src, *statements);
    for (std::size_t i = 0; i < statements->size(); ++i)
        if (!truth[i]) each(i + 1, swap_in(src.squashed.text, squash((*statements)[i])));
}

void check_statement_explanation(const Run& run, const mcqgen::Question& q, Findings& f) {
    for_each_false_statement(run, q, [&](std::size_t number, const std::optional<Swap>& swap) {
        ++f.checked;
        std::string label = "false statement " + std::to_string(number);
        if (!swap)
            f.fail(label + " is not a sentence of the document with one term swapped", &q);
        else if (!explains(q.explanation, *swap))
            f.fail(label + " swapped '" + swap->original + "' for '" + swap->replacement +
                       "', which the explanation does not say",
                   &q);
    });
}

// ---------------------------------------------------------------------------------------------
// Defect: distractors of another form than the key (case, number, length, possessive).

// The text inside any quote marks around it ("‘1970s’" -> "1970s").
std::string_view unquoted(std::string_view s) {
    for (bool stripped = true; stripped && !s.empty();) {
        stripped = false;
        // Not the ASCII apostrophe: "users'" is a possessive.
        for (auto q : opening_quotes)
            if (q != "'" && starts_with(s, q)) s.remove_prefix(q.size()), stripped = true;
        for (auto q : closers)
            if (q != "'" && q != ")" && q != "]" && ends_with(s, q))
                s.remove_suffix(q.size()), stripped = true;
    }
    return s;
}

bool is_quoted(std::string_view s) {
    return unquoted(s).size() != s.size();
}

// A year these documents could name: 1600 to 2030, or its decade ("1990s").
bool is_year(std::string_view s) {
    s = unquoted(s);
    if (ends_with(s, "s")) s.remove_suffix(1);
    if (s.size() != 4 || !std::all_of(s.begin(), s.end(), is_digit)) return false;
    int year = std::stoi(std::string(s));
    return year >= 1600 && year <= 2030;
}

// "Debian's", "users'"; not a contraction ("It's", "that's").
bool is_possessive(std::string_view s) {
    static const std::set<std::string, std::less<>> contractions = {
        "it", "that", "there", "here", "what", "who", "let", "he", "she", "where", "how"};
    for (std::string_view mark : {"'s", "\u2019s"})
        if (ends_with(s, mark)) {
            auto words = split_words(s.substr(0, s.size() - mark.size()));
            return words.empty() || !contractions.count(lower(words.back()));
        }
    return ends_with(s, "s'");
}

bool starts_upper(std::string_view s) {
    return !s.empty() && is_upper(s[0]);
}

// True when the words of `inner` occur, in order and together, among those of `outer`.
bool contains_words(std::string_view outer, std::string_view inner) {
    auto o = split_words(lower(outer)), i = split_words(lower(inner));
    if (i.empty() || i.size() > o.size()) return false;
    for (std::size_t at = 0; at + i.size() <= o.size(); ++at)
        if (std::equal(
                i.begin(), i.end(), o.begin() + static_cast<long>(at),
                [](const std::string& a, const std::string& b) { return bare(a) == bare(b); }))
            return true;
    return false;
}

std::string form_mismatch(std::string_view key, std::string_view d) {
    auto k = unquoted(key);
    if (!k.empty() && is_alpha(k[0]) && starts_upper(k) != starts_upper(unquoted(d)))
        return starts_upper(key) ? "the key is capitalised and it is not"
                                 : "it is capitalised and the key is not";
    if (has_digit(key) != has_digit(d)) return "digits in only one of key and distractor";
    if (ends_with(key, "%") != ends_with(d, "%")) return "a percentage in only one of them";
    if (is_year(key) != is_year(d)) return "a year in only one of them";
    auto kw = split_words(key).size(), dw = split_words(d).size();
    if (kw > dw + 1 || dw > kw + 1)
        return std::to_string(dw) + " words against the key's " + std::to_string(kw);
    if (is_possessive(key) != is_possessive(d)) return "a possessive in only one of them";
    if (is_quoted(key) != is_quoted(d)) return "quote marks around only one of them";
    return {};
}

void check_distractor_form(const Run&, const mcqgen::Question& q, Findings& f) {
    if (is_statement_item(q)) return;
    const std::string key = key_of(q);
    for (int i = 0; i < 4; ++i) {
        const auto& option = q.options[static_cast<std::size_t>(i)];
        for (int j = 0; j < 4; ++j)
            if (j != i && contains_words(q.options[static_cast<std::size_t>(j)], option))
                f.fail("option '" + q.options[static_cast<std::size_t>(j)] + "' contains '" +
                           option + "'",
                       &q);
        if (i == q.answer_index) continue;
        ++f.checked;
        if (key.empty()) continue;
        if (auto why = form_mismatch(key, option); !why.empty())
            f.fail("distractor '" + option + "' against key '" + key + "': " + why, &q);
    }
}

// ---------------------------------------------------------------------------------------------
// Defect: distractors of another semantic class (a person among cities, a % among ports).

std::string strip_possessive(std::string s) {
    for (std::string_view p : {"'s", "\u2019s"})
        if (ends_with(s, p)) return s.substr(0, s.size() - p.size());
    return s;
}

// The unit of a number with one ("30 days" -> "day", "5%" -> "%"), or "" when none: a
// number, then a word of letters or a per cent sign and nothing else.
std::string unit_of(std::string_view s) {
    if (s.empty() || !is_digit(s[0])) return {};
    std::size_t i = 0;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '.' || s[i] == ','))
        ++i;
    std::string_view rest = s.substr(i);
    if (starts_with(rest, " ")) rest.remove_prefix(1);
    if (rest == "%") return "%";
    // Two letters at least: the "s" of "1990s" is a plural, not a unit.
    if (rest.size() < 2 || !std::all_of(rest.begin(), rest.end(), is_alpha)) return {};
    std::string unit = lower(rest);
    if (ends_with(unit, "s") && unit.size() > 1) unit.pop_back();
    return unit;
}

void check_distractor_class(const Run&, const mcqgen::Question& q, Findings& f,
                            const Labels& labels) {
    if (is_statement_item(q)) return;
    const std::string key = key_of(q);
    auto key_class = labels.find(strip_possessive(key));
    const std::string key_unit = unit_of(key);
    for (int i = 0; i < 4; ++i) {
        if (i == q.answer_index) continue;
        const auto& d = q.options[static_cast<std::size_t>(i)];
        ++f.checked;
        if (!key_unit.empty() && unit_of(d) != key_unit)
            f.fail("distractor '" + d + "' lacks the key's unit '" + key_unit + "'", &q);
        auto d_class = labels.find(strip_possessive(d));
        if (key_class != labels.end() && d_class != labels.end() &&
            d_class->second != key_class->second)
            f.fail("key '" + key + "' is a " + key_class->second + ", distractor '" + d + "' a " +
                       d_class->second,
                   &q);
    }
}

// A term without the punctuation around it ("(Postgres95," -> "Postgres95", "§9.2." -> "9.2").
std::string trimmed(std::string_view term) {
    auto alnum = [](char c) { return is_alpha(c) || is_digit(c) || c == '%'; };
    auto b = std::find_if(term.begin(), term.end(), alnum);
    auto e = std::find_if(term.rbegin(), term.rend(), alnum).base();
    return b < e ? std::string(b, e) : std::string();
}

// A false statement's new term is of the kind of the one it replaced: the same form as a
// distractor would be, the same labelled class, the same unit ("mid-1980s" never becomes
// "Steele-1983").
void check_statement_swap(const Run& run, const mcqgen::Question& q, Findings& f,
                          const Labels& labels) {
    for_each_false_statement(run, q, [&](std::size_t number, const std::optional<Swap>& swap) {
        if (!swap) return; // the statement explanation check reports it
        ++f.checked;
        auto original = trimmed(swap->original), replacement = trimmed(swap->replacement);
        std::string why = original.empty() ? "" : form_mismatch(original, replacement);
        auto a = labels.find(strip_possessive(original));
        auto b = labels.find(strip_possessive(replacement));
        if (why.empty() && a != labels.end() && b != labels.end() && a->second != b->second)
            why = "a " + a->second + " became a " + b->second;
        if (why.empty() && unit_of(original) != unit_of(replacement)) why = "another unit";
        if (!why.empty())
            f.fail("false statement " + std::to_string(number) + " swapped '" + original +
                       "' for '" + replacement + "': " + why,
                   &q);
    });
}

// Every labelled entity must occur in its document, or the label file is not of it.
void require_labels_occur(std::string_view doc, const Labels& labels) {
    const auto& text = source(doc).squashed.text;
    std::vector<std::string> absent;
    for (const auto& [entity, cls] : labels)
        if (text.find(entity) == std::string::npos) absent.push_back(entity);
    std::string list;
    for (const auto& a : absent)
        list += " '" + a + "'";
    REQUIRE_MESSAGE(absent.empty(), "labels/" << doc
                                              << ".txt names what the document does not "
                                                 "have:"
                                              << list);
    REQUIRE_MESSAGE(labels.size() >= 20, "labels/" << doc << ".txt has too few entries");
}

// ---------------------------------------------------------------------------------------------
// Defect: distractors chosen by a shared suffix (key "online": examine, machine, determine).

// A plain lower-case key: letters only, no name, long enough to have a suffix.
bool is_common_word_key(std::string_view key) {
    return key.size() >= 4 && std::all_of(key.begin(), key.end(), is_lower);
}

// Endings parallel form itself asks for: a gerund's distractors are gerunds ("-ing"), a
// plural agent noun's are too ("-ers"). Keys ending so are left out of the share, which is
// meant to catch suffix matching, not agreement in form.
bool has_inflectional_ending(std::string_view key) {
    for (std::string_view e : {"ing", "ers", "ies", "ion", "ity", "ness", "ism", "ist"})
        if (ends_with(key, e)) return true;
    return false;
}

struct SuffixShare {
    int distractors = 0;
    int sharing = 0;
    double chance = 0; // the share among the document's own words, averaged over the keys
};

// For each key, the share of the document's distinct lower-case words of 4+ letters (without
// an inflectional ending) that end in its last three letters: what a choice blind to suffixes
// would give.
double chance_share(const std::string& key, const std::set<std::string>& vocabulary) {
    if (vocabulary.empty()) return 0;
    auto tail = key.substr(key.size() - 3);
    int same = 0;
    for (const auto& w : vocabulary)
        same += w != key && ends_with(w, tail);
    return static_cast<double>(same) / static_cast<double>(vocabulary.size());
}

std::set<std::string> vocabulary_of(std::string_view doc) {
    std::set<std::string> words;
    for (const auto& raw : split_words(source(doc).squashed.text)) {
        auto w = bare(raw);
        if (is_common_word_key(w) && !has_inflectional_ending(w)) words.insert(w);
    }
    return words;
}

SuffixShare suffix_share(std::vector<std::string>* examples) {
    SuffixShare share;
    double chance_sum = 0;
    int keys = 0;
    std::map<std::string, std::set<std::string>> vocabularies;
    for (const auto& run : corpus().runs) {
        auto& vocabulary = vocabularies[run.doc];
        if (vocabulary.empty()) vocabulary = vocabulary_of(run.doc);
        for (const auto& q : run.questions) {
            const std::string key = key_of(q);
            if (is_statement_item(q) || !is_common_word_key(key) || has_inflectional_ending(key))
                continue;
            ++keys;
            chance_sum += chance_share(key, vocabulary);
            std::string shared;
            for (int i = 0; i < 4; ++i) {
                const auto& d = q.options[static_cast<std::size_t>(i)];
                if (i == q.answer_index) continue;
                ++share.distractors;
                if (d.size() >= 3 && ends_with(d, key.substr(key.size() - 3))) {
                    ++share.sharing;
                    shared += " " + d;
                }
            }
            if (!shared.empty() && examples && examples->size() < failures_shown)
                examples->push_back(run.doc + ": key '" + key + "' with" + shared);
        }
    }
    share.chance = keys ? chance_sum / keys : 0;
    return share;
}

// ---------------------------------------------------------------------------------------------
// Defect: the same key many times in one test; generic keys; one form only.

const std::set<std::string, std::less<>> generic_keys = {
    "online",    "several",    "system",  "systems",   "various",     "different",  "following",
    "example",   "examples",   "number",  "numbers",   "information", "other",      "others",
    "many",      "much",       "some",    "thing",     "things",      "way",        "ways",
    "part",      "parts",      "case",    "cases",     "kind",        "kinds",      "type",
    "types",     "lot",        "lots",    "time",      "times",       "use",        "usage",
    "general",   "particular", "certain", "specific",  "important",   "possible",   "available",
    "usual",     "usually",    "similar", "same",      "new",         "good",       "simple",
    "whole",     "rest",       "item",    "items",     "point",       "fact",       "able",
    "first",     "last",       "next",    "above",     "below",       "however",    "also",
    "well",      "just",       "really",  "actually",  "still",       "even",       "very",
    "more",      "most",       "less",    "such",      "there",       "these",      "those",
    "this",      "that",       "thus",    "therefore", "often",       "always",     "never",
    "sometimes", "things",     "stuff",   "something", "anything",    "everything", "people",
    "used",      "using",      "makes",   "make",      "made",        "way",        "etc"};

void check_distinct_keys(const Run& run, Findings& f) {
    std::map<std::string, int> seen;
    for (const auto& q : run.questions) {
        if (is_statement_item(q)) continue;
        ++f.checked;
        if (++seen[lower(key_of(q))] == 2)
            f.fail("run " + run.style + " seed " + std::to_string(run.seed) + ": the key '" +
                       key_of(q) + "' again",
                   &q);
    }
}

void check_specific_key(const Run&, const mcqgen::Question& q, Findings& f) {
    if (is_statement_item(q)) return;
    ++f.checked;
    if (generic_keys.count(lower(key_of(q))))
        f.fail("the key '" + key_of(q) + "' is a generic word", &q);
}

void check_requested_style(const Run& run, const mcqgen::Question& q, Findings& f) {
    if (run.style == "mixed") return;
    ++f.checked;
    if (q.style != run.style) f.fail(run.style + " was asked for, the question is " + q.style, &q);
}

// ---------------------------------------------------------------------------------------------
// Forms: wh-questions and cloze.

void check_wh_question(const Run&, const mcqgen::Question& q, Findings& f) {
    if (q.style != "question") return;
    ++f.checked;
    const std::string& s = q.stem;
    static const std::vector<std::string_view> openers = {
        "What ",  "Which ", "Who ", "Whom ",     "Whose ",   "When ",
        "Where ", "Why ",   "How ", "In which ", "In what ", "According to "};
    bool opens = std::any_of(openers.begin(), openers.end(),
                             [&](std::string_view o) { return starts_with(s, o); });
    if (!ends_with(s, "?"))
        f.fail("the question does not end with '?'", &q);
    else if (s.find("___") != std::string::npos)
        f.fail("the question has a blank", &q);
    else if (!opens)
        f.fail("the question does not start with a wh-word or 'According to'", &q);
}

void check_cloze(const Run&, const mcqgen::Question& q, Findings& f) {
    if (q.style != "cloze") return;
    ++f.checked;
    // Blanks are runs of underscores; exactly one, of exactly five.
    int runs = 0;
    bool five = true;
    for (std::size_t i = 0; i < q.stem.size();) {
        if (q.stem[i] != '_') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < q.stem.size() && q.stem[j] == '_')
            ++j;
        ++runs;
        five = five && j - i == 5;
        i = j;
    }
    if (runs != 1 || !five)
        f.fail("the stem has " + std::to_string(runs) + " blanks, not one '_____'", &q);
}

// ---------------------------------------------------------------------------------------------
// The generation fixture: every run of the plan, stored in runs.db, indexed in runs.tsv.

int generate_corpus_runs() {
    auto entries = read_manifest();
    fs::remove(runs_db);
    fs::remove(fs::path(runs_db.string() + "-wal"));
    fs::remove(fs::path(runs_db.string() + "-shm"));
    mcqgen::SqliteStorage storage{runs_db};
    std::ofstream index(runs_index, std::ios::trunc);
    index << "# doc\tstyle\tseed\ttest id\tseconds\twhat generate() threw\n";
    auto total_start = std::chrono::steady_clock::now();
    for (const auto& e : entries) {
        auto document = mcqgen::Document::from_file(corpus_dir / e.file);
        std::vector<std::pair<mcqgen::QuestionStyle, std::uint64_t>> plan;
        for (auto seed : mixed_seeds)
            plan.emplace_back(mcqgen::QuestionStyle::mixed, seed);
        for (auto style : single_styles)
            for (auto seed : style_seeds)
                plan.emplace_back(style, seed);
        for (const auto& [style, seed] : plan) {
            mcqgen::Config config;
            config.pipeline.offline = true;
            config.pipeline.style = style;
            config.pipeline.seed = seed;
            mcqgen::Generator generator{config};
            auto start = std::chrono::steady_clock::now();
            // A run that throws is kept as a failed run, so the other runs are still checked.
            mcqgen::Test test;
            std::string thrown;
            try {
                test = generator.generate(document, questions_per_run, storage);
            } catch (const std::exception& error) {
                thrown = squash(error.what());
                test.status = mcqgen::Status::failed;
                test.message = "threw " + thrown;
            }
            std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
            index << e.name << '\t' << mcqgen::to_string(style) << '\t' << seed << '\t'
                  << (thrown.empty() ? test.id : "-") << '\t' << took.count() << '\t' << thrown
                  << '\n';
            std::printf("%-13s %-10s seed %llu: %-9s %2d/%d questions, %d rejected, %.2f s %s\n",
                        e.name.c_str(), std::string(mcqgen::to_string(style)).c_str(),
                        static_cast<unsigned long long>(seed),
                        std::string(mcqgen::to_string(test.status)).c_str(),
                        test.questions_generated, questions_per_run, test.candidates_rejected,
                        took.count(), thrown.empty() ? "" : test.message.c_str());
        }
    }
    std::chrono::duration<double> total = std::chrono::steady_clock::now() - total_start;
    std::printf("all runs: %.2f s\n", total.count());
    return index.good() ? 0 : 1;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// The checks, one TEST_CASE per document and defect ("quality.<doc> <defect>" in ctest).

namespace checks {

// How many of a run's questions its style must reach. A cloze or a mixed test asks about any
// fact, so a document of tens of kilobytes fills three quarters of twenty even under the rules
// against repeated keys and stems that show another key. Statement items need two or three
// whole sentences in a row, and wh-questions a sentence of the right shape (a subject that is
// the key, or "in 1993", "by Ian Murdock"): manuals have few, so those runs end short and say
// so, and their floor only proves they are made at all.
int floor_for(const std::string& style) {
    if (style == "mixed" || style == "cloze") return questions_per_run * 3 / 4;
    return style == "statements" ? 5 : 0;
}

void reaches_count(std::string_view doc) {
    Findings f{"runs", 0, {}};
    for (const Run* run : runs_of(doc)) {
        ++f.checked;
        const int made = static_cast<int>(run->questions.size());
        const bool honest =
            run->test.status == (made == questions_per_run ? mcqgen::Status::completed
                                 : made > 0                ? mcqgen::Status::partial
                                                           : mcqgen::Status::failed);
        if (made < floor_for(run->style) || !honest)
            f.fail(run->style + " seed " + std::to_string(run->seed) + ": " +
                   std::string(mcqgen::to_string(run->test.status)) + ", " + std::to_string(made) +
                   " of " + std::to_string(questions_per_run) + " (at least " +
                   std::to_string(floor_for(run->style)) + "; " + run->test.message + ")");
    }
    report(std::string(doc) + " reaches its count", f);
}

template <class Check>
void per_question(std::string_view doc, std::string_view name, Check check,
                  std::string what = "questions") {
    report(std::string(doc) + " " + std::string(name), over_questions(doc, check, what));
}

template <class Check>
void per_run(std::string_view doc, std::string_view name, Check check, std::string what) {
    Findings f{std::move(what), 0, {}};
    for (const Run* run : runs_of(doc))
        check(*run, f);
    report(std::string(doc) + " " + std::string(name), f);
}

// A document's mixed runs show more than one form: together, and in at least one run.
void mixed_forms(std::string_view doc) {
    Findings f{"mixed runs", 0, {}};
    std::set<std::string> together;
    std::size_t best = 0;
    for (const Run* run : runs_of(doc)) {
        if (run->style != "mixed") continue;
        ++f.checked;
        std::set<std::string> forms;
        for (const auto& q : run->questions)
            forms.insert(q.style);
        together.insert(forms.begin(), forms.end());
        best = std::max(best, forms.size());
    }
    if (together.size() < 2 || best < 2)
        f.fail("the mixed runs show " + std::to_string(together.size()) +
               " form(s) together and at most " + std::to_string(best) + " in one run");
    report(std::string(doc) + " mixed forms", f);
}

void quote_is_sentence(std::string_view doc) {
    per_question(doc, "quote is a whole sentence",
                 [](const Run&, const mcqgen::Question& q, Findings& f) {
                     ++f.checked;
                     if (auto fault = sentence_fault(q.source_quote); !fault.empty())
                         f.fail("the quote " + fault, &q);
                 });
}

void statement_swap(std::string_view doc) {
    auto labels = labels_of(doc);
    per_question(
        doc, "statement swap kind",
        [&](const Run& run, const mcqgen::Question& q, Findings& f) {
            check_statement_swap(run, q, f, labels);
        },
        "swapped terms");
}

void distractor_class(std::string_view doc) {
    auto labels = labels_of(doc);
    require_labels_occur(doc, labels);
    per_question(
        doc, "distractor class",
        [&](const Run& run, const mcqgen::Question& q, Findings& f) {
            check_distractor_class(run, q, f, labels);
        },
        "distractors");
}

void statement_keys_spread(std::string_view doc) {
    Findings f{"statement runs", 0, {}};
    for (const Run* run : runs_of(doc)) {
        std::map<std::string, int> keys;
        int items = 0;
        for (const auto& q : run->questions)
            if (is_statement_item(q)) ++items, ++keys[key_of(q)];
        if (items < 4) continue;
        ++f.checked;
        for (const auto& [key, n] : keys)
            if (2 * n > items)
                f.fail(run->style + " seed " + std::to_string(run->seed) + ": '" + key +
                       "' is the key of " + std::to_string(n) + " of " + std::to_string(items) +
                       " statement items");
    }
    report(std::string(doc) + " statement keys spread", f);
}

void judge_spread(std::string_view doc) {
    Findings f{"documents", 1, {}};
    double lo = 1, hi = 0;
    std::size_t n = 0;
    for (const Run* run : runs_of(doc))
        for (const auto& q : run->questions)
            lo = std::min(lo, q.score), hi = std::max(hi, q.score), ++n;
    MESSAGE(doc << ": scores from " << lo << " to " << hi << " over " << n << " questions");
    if (n == 0 || hi - lo < min_score_spread)
        f.fail("the judge's scores span " + std::to_string(n ? hi - lo : 0.0) + ", less than " +
               std::to_string(min_score_spread));
    report(std::string(doc) + " judge scores spread", f);
}

} // namespace checks

#define MCQGEN_QUALITY_CASES(doc)                                                                  \
    TEST_CASE(doc " reaches its count") {                                                          \
        checks::reaches_count(doc);                                                                \
    }                                                                                              \
    TEST_CASE(doc " whitespace") {                                                                 \
        checks::per_question(doc, "whitespace", check_whitespace);                                 \
    }                                                                                              \
    TEST_CASE(doc " quote in prose") {                                                             \
        checks::per_question(doc, "quote in prose", check_quote_in_prose);                         \
    }                                                                                              \
    TEST_CASE(doc " quote is a whole sentence") {                                                  \
        checks::quote_is_sentence(doc);                                                            \
    }                                                                                              \
    TEST_CASE(doc " distractor form") {                                                            \
        checks::per_question(doc, "distractor form", check_distractor_form, "distractors");        \
    }                                                                                              \
    TEST_CASE(doc " distractor class") {                                                           \
        checks::distractor_class(doc);                                                             \
    }                                                                                              \
    TEST_CASE(doc " distinct keys") {                                                              \
        checks::per_run(doc, "distinct keys", check_distinct_keys, "keys");                        \
    }                                                                                              \
    TEST_CASE(doc " specific keys") {                                                              \
        checks::per_question(doc, "specific keys", check_specific_key);                            \
    }                                                                                              \
    TEST_CASE(doc " mixed forms") {                                                                \
        checks::mixed_forms(doc);                                                                  \
    }                                                                                              \
    TEST_CASE(doc " requested style") {                                                            \
        checks::per_question(doc, "requested style", check_requested_style);                       \
    }                                                                                              \
    TEST_CASE(doc " statement form") {                                                             \
        checks::per_question(doc, "statement form", check_statement_form, "statement items");      \
    }                                                                                              \
    TEST_CASE(doc " statement key") {                                                              \
        checks::per_question(doc, "statement key", check_statement_key, "statement items");        \
    }                                                                                              \
    TEST_CASE(doc " statement explanation") {                                                      \
        checks::per_question(doc, "statement explanation", check_statement_explanation,            \
                             "false statements");                                                  \
    }                                                                                              \
    TEST_CASE(doc " statement keys spread") {                                                      \
        checks::statement_keys_spread(doc);                                                        \
    }                                                                                              \
    TEST_CASE(doc " statement swap kind") {                                                        \
        checks::statement_swap(doc);                                                               \
    }                                                                                              \
    TEST_CASE(doc " wh-question form") {                                                           \
        report(std::string(doc) + " wh-question form",                                             \
               over_questions(doc, check_wh_question, "wh-questions"), 0);                         \
    }                                                                                              \
    TEST_CASE(doc " cloze form") {                                                                 \
        checks::per_question(doc, "cloze form", check_cloze, "cloze items");                       \
    }                                                                                              \
    TEST_CASE(doc " judge scores spread") {                                                        \
        checks::judge_spread(doc);                                                                 \
    }

TEST_SUITE("offline quality") {
    MCQGEN_QUALITY_CASES("constitution")
    MCQGEN_QUALITY_CASES("jargon")
    MCQGEN_QUALITY_CASES("r-intro")
    MCQGEN_QUALITY_CASES("postgresql")
    MCQGEN_QUALITY_CASES("maint-guide")
    MCQGEN_QUALITY_CASES("debian-faq")

    // Over the whole suite: distractors are not picked for the key's suffix. The limit: a
    // choice blind to suffixes shares the last three letters with the key about as often as
    // the document's own words do (chance, printed below, a few per cent); a suffix picker
    // shares them nearly always. 25 % leaves room for sister terms that happen to share an
    // ending and still fails any picker that prefers one.
    TEST_CASE("suite distractor suffix share") {
        std::vector<std::string> examples;
        auto share = suffix_share(&examples);
        REQUIRE_MESSAGE(share.distractors > 0, "no plain lower-case keys in the whole suite");
        double value = static_cast<double>(share.sharing) / share.distractors;
        std::string shown;
        for (const auto& e : examples)
            shown += "\n  " + e;
        MESSAGE("suffix share " << share.sharing << " of " << share.distractors << " = " << value
                                << " (chance " << share.chance << ", limit " << suffix_share_limit
                                << ")");
        CHECK_MESSAGE(value < suffix_share_limit,
                      "distractors share the key's last three letters in "
                          << share.sharing << " of " << share.distractors << " cases:" << shown);
    }

    // The checks themselves catch the defects the issue lists, on its own examples.
    TEST_CASE("checks catch the issue's examples") {
        CHECK(whitespace_fault("kept\nthe line break") != "");
        CHECK(whitespace_fault("a double  space") != "");
        CHECK(whitespace_fault("Clean text.") == "");
        CHECK(sentence_fault("from over 59000 source packages) maintained by the Project.") != "");
        CHECK(sentence_fault("i386 and Motorola 68000 series architectures.") != "");
        CHECK(sentence_fault("Debian GNU/Linux 12 architectures") != "");
        CHECK(sentence_fault("Reading data from files.") != "");
        CHECK(sentence_fault("$ dpkg-buildpackage -us -uc") != "");
        CHECK(sentence_fault("Run it with --verbose to see more.") != "");
        CHECK(sentence_fault("The file lives in /usr/share/doc today.") != "");
        CHECK(sentence_fault("Call make_corpus to build it.") != "");
        CHECK(sentence_fault("Use getValue to read it.") != "");
        CHECK(sentence_fault("x <- c(1, 2) is how it is done.") != "");
        CHECK(sentence_fault("The Debian Project is an association of individuals.") == "");
        CHECK(sentence_fault("Please file a bug report on the package.") == "");
        CHECK(sentence_fault("\u201cHackers love wordplay,\u201d he said.") == "");
        CHECK(form_mismatch("Motorola", "Debian's") != "");
        CHECK(form_mismatch("online", "Debian") != "");
        CHECK(form_mismatch("1998", "several") != "");
        CHECK(form_mismatch("80%", "90") != "");
        CHECK(form_mismatch("1998", "386") != "");
        CHECK(form_mismatch("Project Leader", "the Technical Committee of Debian") != "");
        CHECK(form_mismatch("Motorola", "Intel") == "");
        CHECK(form_mismatch(trimmed("mid-1980s"), trimmed("Steele-1983,")) != "");
        CHECK(trimmed("(Postgres95,") == "Postgres95");
        CHECK(form_mismatch("This", "It's") == "");
        CHECK(contains_words("Debian GNU/Linux", "Debian"));
        CHECK_FALSE(contains_words("10 days", "1"));
        CHECK(unit_of("30 days") == "day");
        CHECK(unit_of("5%") == "%");
        CHECK(unit_of("2.4-03") == "");
        CHECK(generic_keys.count("online"));
        CHECK(has_inflectional_ending("running"));

        mcqgen::ReadOptions markdown;
        markdown.name_hint = "notes.md";
        auto doc = mcqgen::Document::from_bytes(
            "# Packaging\n\nThe maintainer uploads the package.\n\n- the list item\n", markdown);
        SourceDocument src{doc, squash_with_origin(doc.text())};
        CHECK(locate(src, "The maintainer  uploads\nthe package.") == Located::prose);
        CHECK(locate(src, "Packaging") == Located::not_prose);
        CHECK(locate(src, "the list item") == Located::not_prose);
        CHECK(locate(src, "The maintainer builds the package.") == Located::missing);

        auto stmts = statements_of("Consider the following statements: 1. A is so. 2. B is so. "
                                   "3. C is so. How many of the above are correct?");
        REQUIRE(stmts);
        CHECK(stmts->size() == 3);
        CHECK((*stmts)[1] == "B is so.");
        stmts = statements_of("Consider the following statements: 1. It usually consumes 2. 2. "
                              "It is short. Which of the statements given above is/are correct?");
        REQUIRE(stmts);
        CHECK((*stmts)[0] == "It usually consumes 2.");
        CHECK(is_year("1990s"));
        CHECK_FALSE(is_year("4095"));
        CHECK(unit_of("1990s") == "");
        CHECK(expected_key({true, false, true}) == "Only two");
        CHECK(expected_key({false, true}) == "2 only");
        auto swap = swap_in("The Project Leader appoints the Delegates.",
                            "The Project Secretary appoints the Delegates.");
        REQUIRE(swap);
        CHECK(swap->original == "Leader");
        CHECK(swap->replacement == "Secretary");
        swap = swap_in("It is detailed in §9.2. Traditionally, SPI holds it.",
                       "It is detailed in §9.3.");
        REQUIRE(swap);
        CHECK(swap->original == "§9.2.");
        CHECK(explains("The document has \"§9.2\" where it says \"§9.3\".", *swap));
        CHECK_FALSE(explains("Statement 2 is incorrect.", *swap));
        swap = swap_in("Money goes to the Debian Project today.",
                       "Money goes to the Technical Committee today.");
        REQUIRE(swap);
        CHECK(swap->original == "Debian Project");
        CHECK_FALSE(swap_in("The Project Leader appoints the Delegates.",
                            "Nothing of the kind is written anywhere here at all."));
    }

    // Over the whole suite the judge rejects some candidates for what it judged.
    // wh-questions need a sentence of the right shape, which some manuals lack entirely; over
    // the suite there must be some, and every one of them well formed (the per-document cases).
    TEST_CASE("suite wh-questions") {
        int wh = 0;
        for (const auto& run : corpus().runs)
            for (const auto& q : run.questions)
                wh += q.style == "question";
        MESSAGE(wh << " wh-questions over the suite");
        CHECK(wh >= 10);
    }

    TEST_CASE("suite judge rejects") {
        int judged_out = 0, candidates = 0;
        for (const auto& run : corpus().runs) {
            candidates += run.test.candidates_generated;
            for (std::string_view reason : {"judge_low_score", "judge_disagrees"}) {
                auto it = run.test.rejections.find(std::string(reason));
                if (it != run.test.rejections.end()) judged_out += it->second;
            }
        }
        MESSAGE("the judge rejected " << judged_out << " of " << candidates << " candidates");
        CHECK_MESSAGE(judged_out > 0, "the judge rejected none of " << candidates << " candidates");
    }
}

int main(int argc, char** argv) {
    if (argc == 2 && std::string_view(argv[1]) == "--generate") {
        try {
            return generate_corpus_runs();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mcqgen_quality_tests --generate: %s\n", e.what());
            return 1;
        }
    }
    doctest::Context context(argc, argv);
    return context.run();
}
