#include "offline/offline_provider.hpp"

#include "core/random.hpp"
#include "offline/distractors.hpp"
#include "offline/forms.hpp"
#include "offline/sentences.hpp"
#include "offline/terms.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace mcqgen::detail::offline {
namespace {

// The blind answer to a wh-question is the option the passage supports best, by at least this
// share of the stem's words, and with no tie.
constexpr double least_support = 0.6;
// A term more than about a dozen sentences mention is what the document is about, not a fact
// in it: every reader guesses it, and it shows up in the other questions' stems.
constexpr double least_specificity = 0.3;
// Statement items quote the sentences they come from; longer than this is no longer a passage.
constexpr std::size_t longest_statement_quote = 1500;

struct Pick {
    std::size_t sentence = 0;
    Fact fact;
    std::vector<Term> sentence_terms;
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
        return 0.9;
    case Kind::word:
        return 0.8;
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

enum class Form { cloze, question, statements };

// The forms a slot asks for, in order: in a mixed test a third of the slots are statement items
// and a third wh-questions, each falling back to a cloze when its passages allow no such.
std::vector<Form> forms_for(QuestionStyle style, int slot, int attempt) {
    switch (style) {
    case QuestionStyle::cloze:
        return {Form::cloze};
    case QuestionStyle::question:
        return {Form::question};
    case QuestionStyle::statements:
        return {Form::statements};
    case QuestionStyle::mixed:
        break;
    }
    // A slot keeps to its form for its first passages before it settles for a cloze.
    constexpr int attempts_on_form = 20;
    if (attempt < attempts_on_form) {
        if (slot % 3 == 0) return {Form::question};
        if (slot % 3 == 2) return {Form::statements};
    }
    return {Form::cloze};
}

// Statement items of one test cycle through the four keys, two and three statements in turn.
int statement_slot(QuestionStyle style, int slot) {
    return style == QuestionStyle::statements ? slot : slot / 3;
}

// "Section 12.4", "Appendix E": where the document points, not a fact worth asking about; nor
// is an identifier ("lost8" is a word and its footnote mark).
bool is_cross_reference(const Term& t) {
    if (t.kind == Kind::number && (t.group == "identifier" || t.group == "mixed")) return true;
    if ((t.kind == Kind::name || t.kind == Kind::defined) && t.group == "part") return true;
    static const std::set<std::string> places = {
        "after section",  "after chapter", "after figure",    "after table",   "after page",
        "after appendix", "after item",    "after step",      "after line",    "after example",
        "after footnote", "after note",    "after paragraph", "after question"};
    return t.kind == Kind::number && places.count(t.group) > 0;
}

// True when an accepted stem shows `key` as a phrase: asking for it would give it away.
bool shown_in(const std::string& key, const std::vector<std::string>* stems) {
    if (!stems) return false;
    for (const auto& stem : *stems)
        for (auto at = stem.find(key); at != std::string::npos; at = stem.find(key, at + 1)) {
            const auto end = at + key.size();
            if ((at == 0 || !is_word_byte(stem[at - 1])) &&
                (end == stem.size() || !is_word_byte(stem[end])))
                return true;
        }
    return false;
}

bool mentions_any(const std::string& sentence, const std::vector<Term>& terms,
                  const std::set<std::string>* keys) {
    if (!keys || keys->empty()) return false;
    for (const auto& t : terms)
        if (keys->count(t.key)) return true;
    for (const auto& word : tokenize(sentence))
        if (keys->count(word)) return true;
    return false;
}

// A usable sentence of the passage and its terms.
struct Usable {
    std::size_t sentence = 0;
    std::string text;
    std::vector<Term> terms;
};

struct Facts {
    std::vector<Usable> sentences; ///< in document order
    std::vector<Pick> picks;       ///< best first
};

Facts facts_of(const Inventory& inventory, const AuthorRequest& request) {
    Facts facts;
    for (const auto& s : request.passage->sentences) {
        const std::size_t si = inventory.sentence_at(s.begin);
        if (si == static_cast<std::size_t>(-1)) continue;
        auto text = inventory.sentence_text(si);
        const auto check = check_sentence(text);
        if (!check.usable) continue;
        auto terms = inventory.terms_of(si, true);
        // A stem that shows an accepted question's key gives that question away.
        if (mentions_any(text, terms, request.taken_keys)) continue;
        const double info = informativeness(inventory, text) * (1 - check.risk);
        for (const auto& term : terms) {
            if (is_cross_reference(term) || shown_in(term.key, request.accepted_stems)) continue;
            const bool quantity = term.kind == Kind::year || term.kind == Kind::number;
            if (!quantity && inventory.specificity(term.key) < least_specificity) continue;
            const double score = info * kind_priority(term.kind) * inventory.specificity(term.key) *
                                 (term.kind == preferred_kind(request.slot) ? 1.5 : 1.0);
            facts.picks.push_back({si, fact_of(text, term, terms), terms, score});
        }
        facts.sentences.push_back({si, std::move(text), std::move(terms)});
    }
    auto& picks = facts.picks;
    std::stable_sort(picks.begin(), picks.end(),
                     [](const Pick& a, const Pick& b) { return a.score > b.score; });
    // Best term of each sentence first, so one call's candidates come from different sentences.
    std::set<std::size_t> seen;
    std::stable_partition(picks.begin(), picks.end(),
                          [&](const Pick& p) { return seen.insert(p.sentence).second; });
    return facts;
}

std::optional<Candidate> single_answer(const Inventory& inventory, const Pick& pick, Form form,
                                       SeededRandom& random) {
    const auto distractors =
        pick_distractors(inventory, pick.fact.key, pick.sentence_terms, random);
    if (distractors.size() < 3) return std::nullopt; // no three good ones: drop it
    return form == Form::question ? make_question(pick.fact, distractors)
                                  : make_cloze(pick.fact, distractors);
}

// The sentence with one of its terms swapped for a same-kind term from elsewhere.
// What differs between two sentences, in whole words: "a collection" and "an arrangement".
std::pair<std::string, std::string> difference(const std::string& a, const std::string& b) {
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    std::size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    while (prefix > 0 && a[prefix - 1] != ' ')
        --prefix;
    while (suffix > 0 && a[a.size() - suffix] != ' ')
        --suffix;
    return {a.substr(prefix, a.size() - suffix - prefix),
            b.substr(prefix, b.size() - suffix - prefix)};
}

std::optional<Statement> falsified(const Inventory& inventory, const Usable& sentence,
                                   SeededRandom& random) {
    for (const auto& term : sentence.terms) {
        const auto& text = sentence.text;
        if (text.find(term.text) != text.rfind(term.text) || is_cross_reference(term)) continue;
        const auto others = pick_distractors(inventory, term, sentence.terms, random);
        if (others.empty()) continue;
        Statement st;
        st.text = replaced(text, term.begin, term.end, others.front());
        st.correct = false;
        std::tie(st.original, st.swapped) = difference(text, st.text);
        return st;
    }
    return std::nullopt;
}

// The usable sentences a statement item may take: the passage's, and those of the passage after
// it, which the run cut from the same prose (a passage is a few sentences, a statement item
// takes two or three in a row).
std::vector<Usable> statement_sentences(const Inventory& inventory, const Facts& facts,
                                        const AuthorRequest& request) {
    auto usable = facts.sentences;
    const auto* passages = request.passages;
    const auto next = static_cast<std::size_t>(request.passage->index) + 1;
    if (usable.empty() || !passages || next >= passages->size()) return usable;
    for (const auto& s : (*passages)[next].sentences) {
        const std::size_t si = inventory.sentence_at(s.begin);
        if (si == static_cast<std::size_t>(-1)) continue;
        auto text = inventory.sentence_text(si);
        if (!check_sentence(text).usable) continue;
        auto terms = inventory.terms_of(si, true);
        if (mentions_any(text, terms, request.taken_keys)) continue;
        usable.push_back({si, std::move(text), std::move(terms)});
    }
    return usable;
}

// Statements are consecutive sentences of one paragraph, so the quote is the document's own
// text; the false ones are swapped versions of theirs.
std::vector<Candidate> statement_items(const Inventory& inventory, const Facts& facts,
                                       const AuthorRequest& request, SeededRandom& random) {
    std::vector<Candidate> items;
    const auto usable = statement_sentences(inventory, facts, request);
    const int n = statement_slot(request.style, request.slot);
    const std::size_t count = n % 2 == 0 ? 3 : 2; // three and two statements in turn
    if (usable.size() < count) return items;
    auto truth = statement_truth(count, request.key_position);
    if (count == 3)
        for (std::size_t i = truth.size(); i > 1; --i)
            std::vector<bool>::swap(truth[i - 1], truth[random.below(i)]);
    const std::size_t windows = usable.size() - count + 1;
    for (std::size_t w = 0; w < windows; ++w) {
        const std::size_t first = (static_cast<std::size_t>(request.attempt) + w) % windows;
        const auto first_si = usable[first].sentence, last_si = usable[first + count - 1].sentence;
        if (last_si - first_si != count - 1 || !inventory.one_paragraph(first_si, last_si))
            continue;
        std::vector<Statement> statements;
        for (std::size_t i = 0; i < count; ++i) {
            const auto& sentence = usable[first + i];
            if (truth[i]) {
                statements.push_back({sentence.text, true, {}, {}});
            } else if (auto st = falsified(inventory, sentence, random)) {
                statements.push_back(std::move(*st));
            } else {
                break;
            }
        }
        if (statements.size() != count) continue;
        auto quote = inventory.span_text(first_si, last_si);
        if (quote.size() > longest_statement_quote) continue;
        items.push_back(make_statements(statements, std::move(quote)));
        if (items.size() == static_cast<std::size_t>(request.count)) break;
    }
    return items;
}

// --- the judge -------------------------------------------------------------------------------

// The sentence a cloze stem quotes, with its blank.
std::optional<std::string> quoted_sentence(const std::string& stem) {
    const auto open = stem.find(": \"");
    if (open == std::string::npos || stem.size() < open + 4 || stem.back() != '"')
        return std::nullopt;
    return stem.substr(open + 3, stem.size() - open - 4);
}

// The numbered statements of a statement item.
std::vector<std::string> statements_of(const std::string& stem) {
    std::vector<std::string> out;
    for (int i = 1;; ++i) {
        const auto mark = " " + std::to_string(i) + ". ";
        const auto at = stem.find(mark);
        if (at == std::string::npos) break;
        const auto from = at + mark.size();
        const auto next = stem.find(" " + std::to_string(i + 1) + ". ", from);
        auto end = next;
        if (end == std::string::npos) {
            end = stem.find(" How many of the above", from);
            if (end == std::string::npos) end = stem.find(" Which of the statements", from);
        }
        if (end == std::string::npos) break;
        out.push_back(stem.substr(from, end - from));
    }
    return out;
}

struct Answer {
    int chosen = -1;
    std::string source; ///< the passage sentence the answer stands on
    std::string reason;
};

// A statement item: count the statements the document states, and find the option saying so.
Answer answer_statements(const Inventory& inventory, const JudgeItem& item) {
    const auto statements = statements_of(item.stem);
    Answer a;
    if (statements.size() < 2 || statements.size() > 3) {
        a.reason = "the statements could not be read";
        return a;
    }
    std::vector<bool> truth;
    for (const auto& st : statements)
        truth.push_back(inventory.has_sentence(st));
    const auto& key =
        statement_options(statements.size())[static_cast<std::size_t>(statement_key(truth))];
    const auto it = std::find(item.options.begin(), item.options.end(), key);
    if (it != item.options.end()) a.chosen = static_cast<int>(it - item.options.begin());
    a.reason = "the passage states " +
               std::to_string(std::count(truth.begin(), truth.end(), true)) + " of the " +
               std::to_string(statements.size()) + " statements";
    return a;
}

// A cloze: the option that, put in the blank, gives a sentence of the passage.
Answer answer_cloze(const std::string& passage, const JudgeItem& item, const std::string& quoted) {
    Answer a;
    auto sentence = quoted;
    if (const auto either = sentence.find("a(n) _____"); either != std::string::npos)
        sentence.replace(either, 4, "a"); // replaced() puts the article each option takes
    const auto blank = sentence.find("_____");
    int found = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        auto filled = replaced(sentence, blank, blank + 5, item.options[i]);
        if (passage.find(filled) == std::string::npos) continue;
        ++found;
        a.chosen = static_cast<int>(i);
        a.source = std::move(filled);
    }
    if (found != 1) {
        a.chosen = -1;
        a.reason = found ? "more than one option completes a sentence of the passage"
                         : "no option completes a sentence of the passage";
    }
    return a;
}

// A wh-question: the option whose passage sentence shares most of the stem's words.
Answer answer_question(const Passage& passage, const std::string& document, const JudgeItem& item) {
    static const std::set<std::string> framing = {"following", "which", "year", "who"};
    auto stem = content_words(item.stem);
    for (const auto& w : framing)
        stem.erase(w);
    std::array<double, 4> support{};
    std::array<std::string, 4> sources;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto option_words = content_words(item.options[i]);
        for (const auto& s : passage.sentences) {
            const auto sentence = std::string_view(document).substr(s.begin, s.end - s.begin);
            const auto words = content_words(sentence);
            if (stem.empty() || !std::all_of(option_words.begin(), option_words.end(),
                                             [&](const std::string& w) { return words.count(w); }))
                continue;
            std::size_t shared = 0;
            for (const auto& w : stem)
                shared += words.count(w);
            const double share = static_cast<double>(shared) / static_cast<double>(stem.size());
            if (share > support[i]) {
                support[i] = share;
                sources[i] = normalize_whitespace(sentence);
            }
        }
    }
    Answer a;
    const auto best = std::max_element(support.begin(), support.end());
    const auto ties =
        std::count_if(support.begin(), support.end(), [&](double s) { return s >= *best - 1e-9; });
    if (*best < least_support || ties > 1) {
        a.reason = ties > 1 ? "more than one option is supported by the passage"
                            : "no option is clearly supported by the passage";
        return a;
    }
    a.chosen = static_cast<int>(best - support.begin());
    a.source = sources[static_cast<std::size_t>(a.chosen)];
    // A distractor the passage supports almost as well is a second defensible answer.
    const auto runner_up =
        std::count_if(support.begin(), support.end(), [&](double s) { return s >= least_support; });
    a.reason = runner_up > 1 ? "another option is also supported" : "supported by the passage";
    return a;
}

// A cloze whose distractor another sentence of the passage supports about as well has two
// defensible answers ("Debian, the producers of the Debian system" when the passage also says
// its developers made it).
Answer with_rivals(Answer answer, const Passage& passage, const std::string& document,
                   const JudgeItem& item, const std::string& quoted) {
    if (answer.chosen < 0) return answer;
    JudgeItem unblanked = item;
    unblanked.stem = quoted;
    const auto rivals = answer_question(passage, document, unblanked);
    if (rivals.reason == "another option is also supported" ||
        rivals.reason == "more than one option is supported by the passage")
        answer.reason = "another option is also supported";
    return answer;
}

// How alike the distractors are to the key: same kind and class, same shape.
double distractor_fit(const Inventory& inventory, const JudgeItem& item, int chosen) {
    const auto& key = item.options[static_cast<std::size_t>(chosen)];
    const auto key_kind = option_kind(inventory, key);
    const auto shape = [](const std::string& o) {
        const bool digits = o.find_first_of("0123456789") != std::string::npos;
        const bool capital = !o.empty() && std::isupper(static_cast<unsigned char>(o[0]));
        const auto words = std::count(o.begin(), o.end(), ' ');
        return std::tuple{digits, capital, words};
    };
    double fit = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (static_cast<int>(i) == chosen) continue;
        const auto& o = item.options[i];
        const double length =
            static_cast<double>(std::min(o.size(), key.size())) /
            static_cast<double>(std::max<std::size_t>(1, std::max(o.size(), key.size())));
        fit += (option_kind(inventory, o) == key_kind ? 0.5 : 0) +
               (shape(o) == shape(key) ? 0.3 : 0) + 0.2 * std::min(1.0, 2 * length);
    }
    return fit / 3;
}

// The judge's score: what is left of the sentence's risk, times how well the distractors fit,
// how specific the key is and whether a distractor is also defensible. Each factor stays above
// zero so one weakness lowers the score without hiding the others.
double score(const Inventory& inventory, const JudgeItem& item, const Answer& answer) {
    const auto check = check_sentence(answer.source);
    const double clean = check.usable ? 1 - check.risk : 0.3;
    const auto& key = item.options[static_cast<std::size_t>(answer.chosen)];
    const bool numeric = key.find_first_of("0123456789") != std::string::npos;
    const double specific = numeric ? 1 : inventory.specificity(lower(key));
    const double ambiguous = answer.reason == "another option is also supported" ? 0.5 : 1;
    return clean * (0.4 + 0.6 * distractor_fit(inventory, item, answer.chosen)) *
           (0.5 + 0.5 * specific) * ambiguous;
}

// A statement item's key is computed, so what is left to judge is the statements as reading.
double statement_score(const JudgeItem& item) {
    double clean = 0;
    const auto statements = statements_of(item.stem);
    for (const auto& st : statements) {
        const auto check = check_sentence(st);
        clean += check.usable ? 1 - check.risk : 0.3;
    }
    return 0.95 * clean / static_cast<double>(statements.size());
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
    const auto facts = facts_of(inventory, request);
    const auto& picks = facts.picks;
    AuthorResult result;
    SeededRandom random(request.seed);
    const auto wanted = static_cast<std::size_t>(request.count);
    // The slot's form first: its candidates alone if it has any, the simpler forms otherwise,
    // so that a mixed test keeps its mix instead of the judge preferring the easiest form.
    for (Form form : forms_for(request.style, request.slot, request.attempt)) {
        if (form == Form::statements) {
            result.candidates = statement_items(inventory, facts, request, random);
        } else {
            // Later attempts start further down the list, so they write something new.
            const std::size_t start =
                picks.empty() ? 0
                              : static_cast<std::size_t>(request.attempt) * wanted % picks.size();
            for (std::size_t n = 0; n < picks.size() && result.candidates.size() < wanted; ++n)
                if (auto c =
                        single_answer(inventory, picks[(start + n) % picks.size()], form, random))
                    result.candidates.push_back(std::move(*c));
        }
        if (!result.candidates.empty()) break;
    }
    return result;
}

JudgeResult OfflineProvider::verdicts(const JudgeRequest& request) {
    const auto& inventory = inventory_for(request.document);
    const auto passage = normalize_whitespace(request.passage->text);
    JudgeResult result;
    for (const auto& item : request.items) {
        Answer answer;
        const auto quoted = quoted_sentence(item.stem);
        const bool statements = !statements_of(item.stem).empty();
        if (statements)
            answer = answer_statements(inventory, item);
        else if (quoted && quoted->find("_____") != std::string::npos)
            answer = with_rivals(answer_cloze(passage, item, *quoted), *request.passage,
                                 *request.document, item, *quoted);
        else
            answer = answer_question(*request.passage, *request.document, item);
        Verdict v;
        v.id = item.id;
        v.chosen = answer.chosen;
        v.reason = answer.reason;
        if (answer.chosen >= 0)
            v.score = statements ? statement_score(item) : score(inventory, item, answer);
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
