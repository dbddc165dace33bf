#include "pipeline/passages.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace mcqgen::detail;

namespace {
std::vector<std::string> sentence_texts(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& s : split_sentences(text))
        out.emplace_back(text.substr(s.begin, s.end - s.begin));
    return out;
}
} // namespace

TEST_SUITE("passages") {
    TEST_CASE("splits sentences but not at initials abbreviations or decimals") {
        const auto s = sentence_texts("B. R. Ambedkar chaired it. Dr. Rau advised, e.g. on drafts. "
                                      "It took 2.5 years! Did it? Yes.");
        REQUIRE(s.size() == 5);
        CHECK(s[0] == "B. R. Ambedkar chaired it.");
        CHECK(s[1] == "Dr. Rau advised, e.g. on drafts.");
        CHECK(s[2] == "It took 2.5 years!");
    }

    TEST_CASE("headings and blank lines end sentences - wrapped lines do not") {
        const auto s = sentence_texts(
            "A Heading\n\nThis sentence is wrapped over a line break that a text editor\n"
            "inserted in the middle of it. Next one.");
        REQUIRE(s.size() == 3);
        CHECK(s[0] == "A Heading");
        CHECK(s[1].find("editor\ninserted") != std::string::npos);
    }

    TEST_CASE("passages cover the document in order and the plan spreads over all of it") {
        const auto doc = test_support::sample_document();
        const auto passages = make_passages(doc.text());
        REQUIRE(passages.size() >= 8);
        for (std::size_t i = 1; i < passages.size(); ++i)
            CHECK(passages[i].begin >= passages[i - 1].end);
        const auto plan = plan_passages(passages, 4);
        CHECK(plan.size() == passages.size());
        // The first four picks come from the four quarters of the document.
        for (int q = 0; q < 4; ++q) {
            const int n = static_cast<int>(passages.size());
            CHECK(plan[static_cast<std::size_t>(q)] >= q * n / 4);
            CHECK(plan[static_cast<std::size_t>(q)] < (q + 1) * n / 4);
        }
    }

    TEST_CASE("normalize_whitespace collapses runs and trims") {
        CHECK(normalize_whitespace("  a \n\t b  c ") == "a b c");
    }
}
