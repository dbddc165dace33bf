#include "pipeline/selection.hpp"

#include "core/random.hpp"

#include <algorithm>
#include <utility>

namespace mcqgen::detail {

std::vector<int> deal_key_positions(std::uint64_t seed, int count) {
    std::vector<int> positions;
    for (int i = 0; i < count; ++i)
        positions.push_back(i % 4);
    SeededRandom random(mix_seed(seed, 0x6B6579)); // "key"
    for (std::size_t i = positions.size(); i > 1; --i)
        std::swap(positions[i - 1], positions[random.below(i)]);
    return positions;
}

std::array<int, 4> seeded_permutation(std::uint64_t seed) {
    std::array<int, 4> order{0, 1, 2, 3};
    SeededRandom random(seed);
    for (std::size_t i = 4; i > 1; --i)
        std::swap(order[i - 1], order[random.below(i)]);
    return order;
}

namespace {

// The options with the key at `key_position` and the distractors in a seeded order. A statement
// item keeps its canonical order ("Only one" ... "None"): its author spread the keys by choosing
// which statements are true.
std::array<std::string, 4> placed_options(const Candidate& c, int& key_position,
                                          std::uint64_t seed) {
    std::array<std::string, 4> options;
    if (c.style == "statements") {
        key_position = c.answer_index;
        std::copy_n(c.options.begin(), 4, options.begin());
        return options;
    }
    std::vector<std::string> distractors;
    for (std::size_t i = 0; i < 4; ++i)
        if (static_cast<int>(i) != c.answer_index) distractors.push_back(c.options[i]);
    SeededRandom random(seed);
    for (std::size_t i = distractors.size(); i > 1; --i)
        std::swap(distractors[i - 1], distractors[random.below(i)]);
    std::size_t next = 0;
    for (int i = 0; i < 4; ++i)
        options[static_cast<std::size_t>(i)] =
            i == key_position ? c.options[static_cast<std::size_t>(c.answer_index)]
                              : distractors[next++];
    return options;
}

} // namespace

Question place_key(const Candidate& c, int key_position, std::uint64_t seed) {
    Question q;
    q.stem = c.stem;
    q.options = placed_options(c, key_position, seed);
    q.answer_index = key_position;
    q.explanation = c.explanation;
    q.source_quote = c.quote;
    q.style = c.style;
    q.difficulty = c.difficulty;
    return q;
}

} // namespace mcqgen::detail
