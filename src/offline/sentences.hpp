#pragma once
// Which sentences of a document are worth a question: whole sentences of prose that stand on
// their own, never a fragment, a heading, a bullet without a verb, a line of code or a shell
// prompt. The author asks only about sentences that pass; the judge scores what is left of
// the risk, so a borderline sentence scores lower than a clean one.

#include <string>
#include <string_view>

namespace mcqgen::detail::offline {

struct SentenceCheck {
    bool usable = false;  ///< a whole, self-contained sentence of prose
    double risk = 0;      ///< 0 (clean) .. 1: how likely a reader sees it as a poor stem
    std::string_view why; ///< the first reason it is not usable ("" when it is)
};

/// Checks one sentence, white space already normalised.
SentenceCheck check_sentence(std::string_view sentence);

/// True when some word of `sentence` is a finite verb (an auxiliary, or an inflected verb form
/// WordNet knows).
bool has_finite_verb(std::string_view sentence);

/// True when `word` (lower case, not a sentence's first) reads as a finite verb: an auxiliary, a
/// "-s" or "-ed" form or an irregular past WordNet knows.
bool is_finite_verb(std::string_view word);

/// The base form of a past-tense verb ("founded" -> "found", "began" -> "begin"), "" if `word`
/// is not one.
std::string past_tense_base(std::string_view word);

/// True when `word` (any case) is an auxiliary or modal verb: "is", "was", "has", "can", ...
bool is_auxiliary(std::string_view word);

/// Upper-cases the first byte (ASCII).
std::string capitalise(std::string_view text);

} // namespace mcqgen::detail::offline
