#include "core/random.hpp"

namespace mcqgen::detail {

std::uint64_t SeededRandom::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t SeededRandom::below(std::uint64_t bound) {
    if (bound <= 1) return 0;
    // Rejection sampling removes the modulo bias.
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t x = next();
    while (x >= limit)
        x = next();
    return x % bound;
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
    SeededRandom r(a ^ (b * 0x9E3779B97F4A7C15ull));
    return r.next();
}

} // namespace mcqgen::detail
