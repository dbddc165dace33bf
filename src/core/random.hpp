#pragma once
// Seeded randomness: the same numbers for the same seed on every platform, so a stored test's
// seed reproduces its questions.

#include <cstdint>

namespace mcqgen::detail {

/// A small, fast, portable PRNG (splitmix64), unlike the standard distributions.
class SeededRandom {
  public:
    explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();
    /// Uniform in [0, bound).
    std::uint64_t below(std::uint64_t bound);

  private:
    std::uint64_t state_;
};

/// Mixes two values into one seed.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

} // namespace mcqgen::detail
