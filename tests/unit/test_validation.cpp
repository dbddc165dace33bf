#include "core/random.hpp"
#include "pipeline/selection.hpp"
#include "pipeline/validation.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace mcqgen::detail;

namespace {

const std::string document = "The Constitution of India came into force on 26 January 1950. "
                             "Rajendra Prasad was the first President of India. "
                             "The Supreme Court was inaugurated on 28 January 1950.";

Candidate good() {
    Candidate c;
    c.stem = "Who was the first President of India?";
    c.options = {"Rajendra Prasad", "Jawaharlal Nehru", "Sardar Patel", "B. R. Ambedkar"};
    c.answer_index = 0;
    c.explanation = "The document says Rajendra Prasad was the first President of India.";
    c.quote = "Rajendra Prasad was the first President of India.";
    return c;
}

mcqgen::Question accepted_from(const Candidate& c) {
    return place_key(c, 0, 1);
}

} // namespace

TEST_SUITE("validation") {
    const QuoteIndex quotes(document);

    TEST_CASE("a well-formed candidate passes every gate") {
        CHECK_FALSE(check_candidate(good(), quotes).has_value());
    }

    TEST_CASE("each gate rejects its defect with a stable reason") {
        auto c = good();
        SUBCASE("three options") {
            c.options.pop_back();
            CHECK(check_candidate(c, quotes) == reason::option_count);
        }
        SUBCASE("key out of range") {
            c.answer_index = 7;
            CHECK(check_candidate(c, quotes) == reason::key_out_of_range);
        }
        SUBCASE("duplicate options, ignoring case and spacing") {
            c.options[1] = "  rajendra   PRASAD ";
            CHECK(check_candidate(c, quotes) == reason::duplicate_options);
        }
        SUBCASE("an empty option") {
            c.options[2] = "   ";
            CHECK(check_candidate(c, quotes) == reason::empty_field);
        }
        SUBCASE("all or none of the above") {
            c.options[3] = "None of the above";
            CHECK(check_candidate(c, quotes) == reason::all_none_of_the_above);
        }
        SUBCASE("a quote that is not in the document") {
            c.quote = "Rajendra Prasad was the first Prime Minister of India.";
            CHECK(check_candidate(c, quotes) == reason::quote_not_in_document);
        }
        SUBCASE("a quote with different line breaks still matches") {
            c.quote = "Rajendra Prasad was\nthe first   President of India.";
            CHECK_FALSE(check_candidate(c, quotes).has_value());
        }
        SUBCASE("the key is much the longest option") {
            c.options[0] = "Rajendra Prasad, the scholar-statesman from Bihar who led the Assembly";
            CHECK(check_candidate(c, quotes) == reason::giveaway_length);
        }
        SUBCASE("only the key echoes the stem") {
            c.stem = "Which Prasad was the first President of India?";
            CHECK(check_candidate(c, quotes) == reason::giveaway_echo);
        }
        SUBCASE("the explanation names an option letter") {
            c.explanation = "Option A is right because the document says so.";
            CHECK(check_candidate(c, quotes) == reason::explanation_letter);
        }
    }

    TEST_CASE("near-duplicates and key leaks are caught against accepted questions") {
        const AcceptedQuestions accepted({accepted_from(good())});
        auto c = good();
        SUBCASE("the same stem reworded slightly") {
            c.stem = "Who was the first President of India ?";
            CHECK(accepted.check(c) == reason::near_duplicate);
        }
        SUBCASE("the same key from the same passage") {
            c.stem = "Name the statesman who first held the highest office of the republic.";
            CHECK(accepted.check(c) == reason::same_key_same_passage);
        }
        SUBCASE("a stem that contains an accepted key") {
            c.stem = "In which year did Rajendra Prasad take office?";
            c.options = {"1950", "1947", "1952", "1949"};
            c.quote = "The Constitution of India came into force on 26 January 1950.";
            CHECK(accepted.check(c) == reason::stem_contains_key);
        }
        SUBCASE("an unrelated question passes") {
            c.stem = "On which date was the Supreme Court inaugurated?";
            c.options = {"28 January 1950", "26 January 1950", "15 August 1947",
                         "26 November 1949"};
            c.quote = "The Supreme Court was inaugurated on 28 January 1950.";
            CHECK_FALSE(accepted.check(c).has_value());
        }
    }

    TEST_CASE("key positions are dealt fairly and reproducibly") {
        for (int count : {1, 4, 10, 20, 101}) {
            const auto deal = deal_key_positions(99, count);
            REQUIRE(deal.size() == static_cast<std::size_t>(count));
            std::array<int, 4> seen{};
            for (int p : deal)
                ++seen[static_cast<std::size_t>(p)];
            const auto [lo, hi] = std::minmax_element(seen.begin(), seen.end());
            CHECK(*hi - *lo <= 1);
            CHECK(deal == deal_key_positions(99, count));
        }
        CHECK(deal_key_positions(1, 40) != deal_key_positions(2, 40));
    }

    TEST_CASE("place_key moves the key and keeps every option") {
        const auto c = good();
        for (int position = 0; position < 4; ++position) {
            const auto q = place_key(c, position, 5);
            CHECK(q.answer_index == position);
            CHECK(q.options[static_cast<std::size_t>(position)] == "Rajendra Prasad");
            std::vector<std::string> sorted(q.options.begin(), q.options.end());
            std::vector<std::string> original = c.options;
            std::sort(sorted.begin(), sorted.end());
            std::sort(original.begin(), original.end());
            CHECK(sorted == original);
        }
    }
}
