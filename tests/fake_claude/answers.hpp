#pragma once
// What the fake "model" writes: fill-in-the-blank candidates drawn from a passage (author), and
// picks among a question's options (judge). Plain text in, plain structs out.

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace fake_claude::detail {

struct Candidate {
    std::string stem;
    std::vector<std::string> options; ///< four, case-insensitively distinct
    int answer_index = 0;
    std::string key; ///< options[answer_index]
    std::string explanation;
    std::string quote; ///< a sentence of the passage, byte for byte
    std::string difficulty;
};

/// What the author's prompt steers towards and away from, obeyed as a model would.
struct Steering {
    std::string focus;              ///< the first candidate's key where a sentence has it
    std::vector<std::string> avoid; ///< terms used as no key and, where possible, in no stem
};

/// Up to `count` candidates, on different sentences where the passage has enough of them.
/// Empty only when no sentence of the passage holds a usable key word.
std::vector<Candidate> write_candidates(std::string_view passage, int count, std::mt19937_64& rng,
                                        const Steering& steering = {});

/// The text between "<tag>\n" and "\n</tag>" (the last such pair), or empty when absent.
std::string_view tagged_section(std::string_view text, std::string_view tag);

/// K from "Write exactly K candidate", or `fallback`.
int requested_candidate_count(std::string_view instructions, int fallback);

} // namespace fake_claude::detail
