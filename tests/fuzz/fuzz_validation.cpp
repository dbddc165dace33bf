// Fuzz target: the local candidate gates and the checks against accepted questions.
//
// Input layout (fields separated by 0x1F): the document, then candidates of
//   stem, option count (one byte, 0..6), that many options, answer index (one byte, -2..6),
//   explanation, quote, difficulty.
// Every candidate goes through check_candidate; one that passes goes through
// AcceptedQuestions::check and, if it passes too, is placed with place_key and becomes accepted,
// as the pipeline does. The gates must answer with a reason or nothing, never crash, and what
// passes must keep the invariants later stages rely on.

#include "fuzz_input.hpp"

#include "core/random.hpp"
#include "pipeline/selection.hpp"
#include "pipeline/validation.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace mcqgen;
using namespace mcqgen::detail;

Candidate read_candidate(fuzz::Input& in) {
    Candidate c;
    c.stem = in.field();
    const int options = in.byte() % 7;
    for (int i = 0; i < options; ++i)
        c.options.push_back(in.field());
    c.answer_index = static_cast<int>(in.byte() % 9) - 2;
    c.explanation = in.field();
    c.quote = in.field();
    c.difficulty = in.field();
    c.style = "fuzz";
    return c;
}

void check_key_deal(std::uint64_t seed, int count) {
    const auto deal = deal_key_positions(seed, count);
    FUZZ_CHECK(static_cast<int>(deal.size()) == count);
    std::array<int, 4> per_key{};
    for (int k : deal) {
        FUZZ_CHECK(k >= 0 && k <= 3);
        ++per_key[static_cast<std::size_t>(k)];
    }
    const auto [low, high] = std::minmax_element(per_key.begin(), per_key.end());
    FUZZ_CHECK(*high - *low <= 1);
    FUZZ_CHECK(deal == deal_key_positions(seed, count));
    auto order = seeded_permutation(seed);
    std::sort(order.begin(), order.end());
    FUZZ_CHECK((order == std::array<int, 4>{0, 1, 2, 3}));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint64_t seed = in.u64();
    check_key_deal(seed, in.integer(0, 1000));

    const std::string document = in.field();
    const QuoteIndex quotes(document);
    AcceptedQuestions accepted;
    int position = 0;
    while (!in.empty() && accepted.size() < 16) {
        const Candidate c = read_candidate(in);
        if (check_candidate(c, quotes)) continue;
        // What passes the gates has the shape the rest of the pipeline indexes into.
        FUZZ_CHECK(c.options.size() == 4);
        FUZZ_CHECK(c.answer_index >= 0 && c.answer_index <= 3);
        FUZZ_CHECK(quotes.contains(c.quote));
        if (accepted.check(c)) continue;
        const int key_position = static_cast<int>(mix_seed(seed, position) % 4);
        Question q = place_key(c, key_position, mix_seed(seed, position + 100));
        q.position = position++;
        FUZZ_CHECK(q.answer_index == key_position);
        FUZZ_CHECK(q.options[static_cast<std::size_t>(key_position)] ==
                   c.options[static_cast<std::size_t>(c.answer_index)]);
        std::multiset<std::string> before(c.options.begin(), c.options.end());
        std::multiset<std::string> after(q.options.begin(), q.options.end());
        FUZZ_CHECK(before == after);
        FUZZ_CHECK(q.source_quote == c.quote);
        accepted.add(q);
    }
    return 0;
}
