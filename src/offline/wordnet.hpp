#pragma once
// WordNet, the lexical database, for the offline generator: lemmas, how common a word is, what
// kind of thing a name is, and sister terms (co-hyponyms) as distractors. Backed by Debian's
// libwordnet and its database, read by file offset (nothing but the small exception lists is
// loaded into memory); opened once per process and shared by every generator, every call
// serialised by one lock because the C library keeps global state. Results are cached in
// bounded process-wide caches. Without the database every query answers "nothing".
//
// Words and lemmas are taken case-insensitively, multiword ones with spaces ("united nations");
// lemmas come back with spaces, in WordNet's case ("Paris", "town").

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail::offline::wordnet {

enum class Pos { noun, verb, adjective, adverb };

/// True when the WordNet database opened (tried once per process, where WNSEARCHDIR points or
/// at the library's default place). A missing database is not an error: every query then
/// returns nothing.
bool available();

/// Lemmas `word` can be an inflection of as `pos` ("cities" -> "city", "began" -> "begin",
/// "data" -> "data", "datum"), the word itself first when it is a lemma; empty when WordNet does
/// not know it as that part of speech. In WordNet's index form: lower case, with spaces.
std::vector<std::string> base_forms(std::string_view word, Pos pos);

/// The number of senses of a lemma as `pos` (0 when unknown): its polysemy. An inflected form is
/// taken as its first base form, here and in the functions below that take a lemma.
int sense_count(std::string_view lemma, Pos pos);

/// How common a lemma is: the sum of its senses' tag counts in WordNet's sense-tagged corpus
/// (the cntlist file), 0 when unknown or never tagged.
int familiarity(std::string_view lemma, Pos pos);

/// The lexicographer file of the lemma's most frequent sense ("noun.person", "noun.location",
/// "noun.artifact", "verb.motion"...), "" when unknown.
std::string lexical_class(std::string_view lemma, Pos pos);

enum class NameKind { unknown, person, place, organization, other };

/// The coarse kind of a proper noun WordNet lists ("Einstein" person, "Paris" place, "NATO"
/// organization, "Linux" other), from its most frequent capitalised sense's (instance)
/// hypernyms; unknown when WordNet has no capitalised noun of that name.
NameKind name_kind(std::string_view name);

/// A co-hyponym of a key: a candidate distractor.
struct Sister {
    std::string lemma; ///< with spaces, in WordNet's case
    /// The tag count of the lemma in this meaning: how familiar the word is as this sister (a
    /// polysemous word's total, familiarity(), says little: "head" is no common farm animal).
    int familiarity = 0;
    /// Which sense of the lemma this meaning is: 1 is its most frequent one. A high number
    /// ("see" in its sense "accompany") makes a distractor a reader will misread.
    int sense = 0;
    std::string hypernym;      ///< the shared parent it was found under
    std::string lexical_class; ///< of the sister's synset
    long synset = 0;           ///< the sister's synset, for gloss()
};

/// Sister terms of the lemma's `senses` most frequent senses (the first always, a further one
/// only when the sense-tagged corpus gives it a tenth of the first one's tags): the other hyponyms
/// (and instances) of each sense's hypernyms (and instance hypernyms). Excluded: the lemma, every
/// word that shares a synset with it (in any sense), its hypernyms and its direct hyponyms, and any
/// lemma that contains the key or is contained in it. One lemma per sister synset (its most
/// familiar word in that meaning), deduplicated; most familiar first (untagged meanings by the
/// word's total familiarity), then lower sense numbers first; at most `limit`. Adjectives and
/// adverbs have no hypernyms in WordNet, so none.
std::vector<Sister> sister_terms(std::string_view lemma, Pos pos, int senses = 2,
                                 std::size_t limit = 30);

/// One meaning of a lemma: its gloss (definition and examples), and whether the sense-tagged
/// corpus attests it as a real share of the lemma's use (the rule sister_terms applies).
struct Sense {
    std::string gloss;
    bool attested = false;
};

/// The lemma's meanings, most frequent first, at most `most`.
std::vector<Sense> senses(std::string_view lemma, Pos pos, std::size_t most = 8);

/// The gloss of a sister's meaning (Sister::synset), "" when there is none.
std::string gloss(Pos pos, long synset);

/// As sister_terms, for one meaning only: `sense` indexes senses(). `generation` 2 gives the
/// sisters of the hypernyms instead ("dismay", a fear: "anger", "joy"), for meanings whose own
/// sisters are near-synonyms ("horror", "terror"); 1 to 3.
std::vector<Sister> sense_sisters(std::string_view lemma, Pos pos, std::size_t sense,
                                  std::size_t limit = 30, int generation = 1);

/// True when a and b, in any of their senses as `pos`, share a synset, or one is a hypernym
/// (at any depth, instance links included) of the other, or (adjectives) one is "similar to" the
/// other: a distractor related so would also be true.
bool related(std::string_view a, std::string_view b, Pos pos);

/// `lemma` in the inflection `like` has, to fit a distractor into the key's sentence: nouns
/// singular or plural ("town" like "cities" -> "towns"), verbs base, -s, past or -ing ("run"
/// like "walked" -> "ran"); anything else, or a form not recognised, gives the lemma. Irregular
/// forms come from WordNet's exception lists read in reverse, the rest from English spelling
/// rules. Multiword lemmas inflect their last word (nouns) or first word (verbs).
std::string inflect_like(std::string_view lemma, std::string_view like, Pos pos);

} // namespace mcqgen::detail::offline::wordnet
