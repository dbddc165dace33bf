#pragma once
// Where the key of an accepted question goes: a fair deal of A-D over a test, the blind order of
// options shown to the judge, and the placement of key and distractors.

#include "provider/provider.hpp"

#include <mcqgen/question.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace mcqgen::detail {

/// Key positions for a whole test: each of A-D gets a fair share (counts differ by at most one),
/// in a seeded order. The same (seed, count) always gives the same deal.
std::vector<int> deal_key_positions(std::uint64_t seed, int count);

/// A permutation of 0..3, seeded: the order options are shown in.
std::array<int, 4> seeded_permutation(std::uint64_t seed);

/// Turns a validated candidate into a question with its key moved to `key_position` and the
/// distractors in a seeded order.
Question place_key(const Candidate& candidate, int key_position, std::uint64_t seed);

} // namespace mcqgen::detail
