#pragma once
// The forms a question takes: a cloze of the sentence, a wh-question where the sentence's shape
// allows one ("Who ...?", "In which year ...?", "Which of the following is a ...?"), and the
// UPSC statement items whose key is computed here from which statements are true.

#include "offline/terms.hpp"
#include "provider/provider.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mcqgen::detail::offline {

/// A whole sentence of the document (white space normalised) and the term it is asked about.
struct Fact {
    std::string sentence;
    Term key;
    bool initial_is_name = false; ///< the sentence's first word is a name (keeps its capital)
};

/// The fact of `key` in a sentence whose terms are `terms`.
Fact fact_of(std::string sentence, const Term& key, const std::vector<Term>& terms);

/// `sentence` with [begin, end) replaced by `text`, "a"/"an" before it made to agree: "an" before
/// a vowel, and "a(n)" before a blank, which must not tell which option fits.
std::string replaced(std::string sentence, std::size_t begin, std::size_t end,
                     const std::string& text);

/// "Complete the statement from the document: "... _____ ..."". Nullopt when the key occurs
/// twice in the sentence (the other would give it away).
std::optional<Candidate> make_cloze(const Fact& fact, const std::vector<std::string>& distractors);

/// A wh-question, or nullopt when the sentence's shape allows none.
std::optional<Candidate> make_question(const Fact& fact,
                                       const std::vector<std::string>& distractors);

/// One statement of a statement item: a sentence of the document, or that sentence with one
/// term swapped for a same-kind term from elsewhere in the document.
struct Statement {
    std::string text;
    bool correct = true;
    std::string original; ///< the document's term, for a swapped statement
    std::string swapped;  ///< what replaced it
};

/// "Consider the following statements: 1. ... 2. ... [3. ...] How many of the above are
/// correct?" (three statements) or "... Which of the statements given above is/are correct?"
/// (two); the options in their canonical order and the key computed from `statements`.
/// `quote` is the document's text the statements come from.
Candidate make_statements(const std::vector<Statement>& statements, std::string quote);

/// The options of a statement item with `count` statements, in canonical order.
const std::vector<std::string>& statement_options(std::size_t count);

/// The key of a statement item whose statements are correct as `truth` says.
int statement_key(const std::vector<bool>& truth);

/// Which statements a key of a statement item with `count` statements says are correct.
std::vector<bool> statement_truth(std::size_t count, int key);

} // namespace mcqgen::detail::offline
