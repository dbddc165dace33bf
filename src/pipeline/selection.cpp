#include "pipeline/selection.hpp"

#include "core/random.hpp"

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

Question place_key(const Candidate& c, int key_position, std::uint64_t seed) {
    std::vector<std::string> distractors;
    for (std::size_t i = 0; i < 4; ++i)
        if (static_cast<int>(i) != c.answer_index) distractors.push_back(c.options[i]);
    SeededRandom random(seed);
    for (std::size_t i = distractors.size(); i > 1; --i)
        std::swap(distractors[i - 1], distractors[random.below(i)]);
    Question q;
    q.stem = c.stem;
    std::size_t next = 0;
    for (int i = 0; i < 4; ++i)
        q.options[static_cast<std::size_t>(i)] =
            i == key_position ? c.options[static_cast<std::size_t>(c.answer_index)]
                              : distractors[next++];
    q.answer_index = key_position;
    q.explanation = c.explanation;
    q.source_quote = c.quote;
    q.style = c.style;
    q.difficulty = c.difficulty;
    return q;
}

} // namespace mcqgen::detail
