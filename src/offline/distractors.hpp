#pragma once
// Distractors of the key's kind, class and form: a person for a person, a year for a year, a
// number with the same unit, a WordNet sister term in the key's inflection for a common noun.
// Never chosen for a shared suffix.

#include "core/random.hpp"
#include "offline/terms.hpp"

#include <string>
#include <vector>

namespace mcqgen::detail::offline {

/// Up to three distractors for `key`, a term of `sentence` (its terms are never used), best
/// first among equals; fewer when the document and WordNet have no three good ones, and then
/// the caller drops the candidate.
std::vector<std::string> pick_distractors(const Inventory& inventory, const Term& key,
                                          const std::vector<Term>& sentence_terms,
                                          SeededRandom& random);

/// The kind a bare option reads as, for a judge that compares options it did not write:
/// "year", "number:<unit-less shape>", "name:<class>", "word:<lexical class>".
std::string option_kind(const Inventory& inventory, const std::string& option);

} // namespace mcqgen::detail::offline
