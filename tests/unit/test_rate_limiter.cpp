#include "claude/rate_limiter.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;
using mcqgen::detail::claude::estimate_cost;
using mcqgen::detail::claude::parse_rfc3339;
using mcqgen::detail::claude::RateLimiter;
using mcqgen::detail::claude::ResponseHeaders;
using mcqgen::detail::claude::TokenKind;

namespace {

using Clock = RateLimiter::Clock;

// The steady clock and the wall clock of the tests, advanced together.
const Clock::time_point t0 = Clock::time_point{} + 1000h;
const std::chrono::system_clock::time_point wall0 =
    std::chrono::sys_days{std::chrono::year{2025} / 8 / 21} + 12h + 40min;

std::string rfc3339_after(std::chrono::seconds offset) {
    const auto time = std::chrono::floor<std::chrono::seconds>(wall0 + offset);
    const auto day = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss clock{time - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", int(date.year()),
                  unsigned(date.month()), unsigned(date.day()), long(clock.hours().count()),
                  long(clock.minutes().count()), long(clock.seconds().count()));
    return text;
}

ResponseHeaders requests_budget(int limit, int remaining, std::chrono::seconds reset_in) {
    return {{"anthropic-ratelimit-requests-limit", std::to_string(limit)},
            {"anthropic-ratelimit-requests-remaining", std::to_string(remaining)},
            {"anthropic-ratelimit-requests-reset", rfc3339_after(reset_in)}};
}

// `kind` is "input", "output" or "" for the combined tokens budget.
ResponseHeaders token_budget(const std::string& kind, int limit, int remaining,
                             std::chrono::seconds reset_in) {
    const std::string prefix = "anthropic-ratelimit-" + (kind.empty() ? "" : kind + "-") + "tokens";
    return {{prefix + "-limit", std::to_string(limit)},
            {prefix + "-remaining", std::to_string(remaining)},
            {prefix + "-reset", rfc3339_after(reset_in)}};
}

// Token waits are computed in floating point: equal to the nanosecond is too much to ask.
bool near(Clock::time_point actual, Clock::time_point expected) {
    return actual - expected < 1ms && expected - actual < 1ms;
}

} // namespace

TEST_SUITE("rate_limiter") {
    TEST_CASE("without any rate-limit headers every request may start at once") {
        RateLimiter limiter{8};
        for (int i = 0; i < 20; ++i)
            CHECK(limiter.reserve(t0).start == t0);
        limiter.observe(limiter.reserve(t0), ResponseHeaders{{"request-id", "req_1"}}, t0, wall0);
        CHECK(limiter.reserve(t0).start == t0);
        CHECK_FALSE(limiter.requests());
    }

    TEST_CASE("a budget with plenty of requests left does not slow anything down") {
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(1000, 900, 60s), t0, wall0);
        for (int i = 0; i < 50; ++i)
            CHECK(limiter.reserve(t0).start == t0);
    }

    TEST_CASE("an exhausted request budget holds every start until a second after its reset") {
        // The extra second: reset times are truncated to whole seconds.
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(50, 0, 20s), t0, wall0);
        CHECK(limiter.reserve(t0).start == t0 + 21s);
        CHECK(limiter.reserve(t0 + 1s).start == t0 + 21s);
    }

    TEST_CASE("starts that wait for a reset never exceed the refilled budget") {
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(2, 0, 10s), t0, wall0);
        CHECK(limiter.reserve(t0).start == t0 + 11s);
        CHECK(limiter.reserve(t0).start == t0 + 11s);
        CHECK(limiter.reserve(t0).start == t0 + 71s);
        CHECK(limiter.reserve(t0).start == t0 + 71s);
        CHECK(limiter.reserve(t0).start == t0 + 131s);
    }

    TEST_CASE("after its reset a budget counts as full less the starts that waited for it") {
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(30, 0, 10s), t0, wall0);
        CHECK(limiter.reserve(t0).start == t0 + 11s);
        CHECK(limiter.reserve(t0 + 12s).start == t0 + 12s);
        REQUIRE(limiter.requests());
        CHECK(limiter.requests()->remaining == 29);
        CHECK(limiter.requests()->reset == t0 + 71s);
    }

    TEST_CASE("a low request budget is spread evenly over the time left until the reset") {
        RateLimiter limiter{2};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(100, 4, 39s), t0, wall0);
        // 4 left over the 40 s until the reset (with its margin): one every 10 s, then (with
        // fewer left) further apart.
        CHECK(limiter.reserve(t0).start == t0 + 10s);
        CHECK(limiter.reserve(t0).start == t0 + 10s + Clock::duration{40s} / 3);
    }

    TEST_CASE("requests booked after the observed one are subtracted from its remaining count") {
        RateLimiter limiter{1};
        auto observed = limiter.reserve(t0);
        for (int i = 0; i < 3; ++i)
            limiter.reserve(t0); // in flight, unknown to that response
        limiter.observe(observed, requests_budget(100, 3, 30s), t0, wall0);
        CHECK(limiter.reserve(t0).start == t0 + 31s);
    }

    TEST_CASE("a late response to an older request cannot loosen a newer and tighter budget") {
        RateLimiter limiter{1};
        auto older = limiter.reserve(t0);
        auto newer = limiter.reserve(t0);
        limiter.observe(newer, requests_budget(100, 0, 30s), t0, wall0);
        limiter.observe(older, requests_budget(100, 50, 30s), t0, wall0);
        CHECK(limiter.reserve(t0).start == t0 + 31s);
    }

    TEST_CASE("once the reset time has passed the old budget no longer holds anything back") {
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(50, 0, 10s), t0, wall0);
        CHECK(limiter.reserve(t0 + 11s).start == t0 + 11s);
        REQUIRE(limiter.requests());
        CHECK(limiter.requests()->remaining == 50);
        CHECK(limiter.reserve(t0 + 11s).start == t0 + 11s);
    }

    TEST_CASE("a reset further away than a minute is treated as a minute (clock skew)") {
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first, requests_budget(50, 0, 3600s), t0, wall0);
        CHECK(limiter.reserve(t0).start == t0 + 61s);
    }

    TEST_CASE("after a 429 every request waits until the retry time and not only the one "
              "that got it") {
        RateLimiter limiter{8};
        limiter.pause_until(t0 + 2s);
        CHECK(limiter.reserve(t0).start == t0 + 2s);
        CHECK(limiter.reserve(t0 + 1s).start == t0 + 2s);
        limiter.pause_until(t0 + 1s); // an earlier time never shortens the pause
        CHECK(limiter.reserve(t0).start == t0 + 2s);
        CHECK(limiter.reserve(t0 + 3s).start == t0 + 3s);
    }

    TEST_CASE("a start waits until the input budget holds the request's estimated tokens") {
        // 0 of 6000 left, full a minute after the request went out: 100 tokens a second.
        RateLimiter limiter{8};
        limiter.observe(limiter.reserve(t0), token_budget("input", 6000, 0, 59s), t0, wall0);
        CHECK(near(limiter.reserve(t0, {1000, 0}).start, t0 + 10s));
        // Starts come in order: the next one waits for its own thousand after that.
        CHECK(near(limiter.reserve(t0, {1000, 0}).start, t0 + 20s));
        CHECK(near(limiter.reserve(t0 + 25s, {500, 0}).start, t0 + 25s));
    }

    TEST_CASE("a budget with room lets requests start at once until their costs use it up") {
        // Full: the refill rate is the limit per minute, 100 tokens a second.
        RateLimiter limiter{8};
        limiter.observe(limiter.reserve(t0), token_budget("input", 6000, 6000, 0s), t0, wall0);
        CHECK(limiter.reserve(t0, {2500, 0}).start == t0);
        CHECK(limiter.reserve(t0, {2500, 0}).start == t0);
        CHECK(near(limiter.reserve(t0, {2500, 0}).start, t0 + 15s));
        REQUIRE(limiter.tokens(TokenKind::input_tokens));
        CHECK(limiter.tokens(TokenKind::input_tokens)->level == doctest::Approx(0));
    }

    TEST_CASE("max_tokens is booked against the output budget") {
        RateLimiter limiter{8};
        limiter.observe(limiter.reserve(t0), token_budget("output", 6000, 6000, 0s), t0, wall0);
        CHECK(limiter.reserve(t0, {100'000, 4000}).start == t0); // input has no budget here
        CHECK(near(limiter.reserve(t0, {10, 4000}).start, t0 + 20s));
    }

    TEST_CASE("a request larger than a whole budget waits for it to be full once") {
        RateLimiter limiter{8};
        // 5500 of 6000 left, refilling at the limit per minute: 100 a second.
        limiter.observe(limiter.reserve(t0), token_budget("input", 6000, 5500, 9s), t0, wall0);
        CHECK(near(limiter.reserve(t0, {9000, 0}).start, t0 + 5s));
        // It took 9000 of a full 6000: the next start waits for the 3000 it overdrew as well.
        CHECK(near(limiter.reserve(t0, {100, 0}).start, t0 + 36s));
    }

    TEST_CASE("starts booked after the reported one and earlier unanswered ones are taken out") {
        RateLimiter limiter{8};
        const auto earlier = limiter.reserve(t0, {1000, 0});
        const auto reported = limiter.reserve(t0, {1000, 0});
        limiter.reserve(t0, {1000, 0}); // later, unknown to the report
        // 3000 left, 100/s: the earlier and the later one leave 1000.
        limiter.observe(reported, token_budget("input", 6000, 3000, 29s), t0, wall0);
        CHECK(near(limiter.reserve(t0, {2000, 0}).start, t0 + 10s));
        // The earlier one's answer, with no headers, changes nothing already booked.
        limiter.observe(earlier, ResponseHeaders{}, t0, wall0);
        CHECK(near(limiter.reserve(t0, {1000, 0}).start, t0 + 20s));
    }

    TEST_CASE("a late report for an older request cannot replace a newer one") {
        RateLimiter limiter{8};
        const auto older = limiter.reserve(t0);
        const auto newer = limiter.reserve(t0);
        limiter.observe(newer, token_budget("input", 6000, 0, 59s), t0, wall0);
        limiter.observe(older, token_budget("input", 6000, 6000, 0s), t0, wall0);
        CHECK(near(limiter.reserve(t0, {1000, 0}).start, t0 + 10s));
    }

    TEST_CASE("a budget that refills faster than per minute is paced by what its reset says") {
        RateLimiter limiter{8};
        const auto sent = limiter.reserve(t0);
        // Answered 2 s after it went out, empty, full 8 s later: with the reset's margin, at
        // least 5999 tokens in 11 s (a token less than the deficit: the count is whole).
        limiter.observe(sent, token_budget("output", 6000, 0, 10s), t0 + 2s, wall0 + 2s);
        const auto& budget = limiter.tokens(TokenKind::output_tokens);
        REQUIRE(budget);
        const double rate = 5999.0 / 11.0;
        CHECK(budget->per_second == doctest::Approx(rate));
        CHECK(budget->at == t0 + 2s);
        CHECK(near(limiter.reserve(t0 + 2s, {0, 1000}).start,
                   t0 + 2s +
                       std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(1000 / rate))));

        // A report close to full says less about the rate: the better bound stays.
        limiter.observe(limiter.reserve(t0 + 20s), token_budget("output", 6000, 5900, 20s),
                        t0 + 20s, wall0 + 20s);
        CHECK(limiter.tokens(TokenKind::output_tokens)->per_second == doctest::Approx(rate));
        // Another limit is another budget: back to what its own numbers say.
        limiter.observe(limiter.reserve(t0 + 30s), token_budget("output", 12'000, 12'000, 30s),
                        t0 + 30s, wall0 + 30s);
        CHECK(limiter.tokens(TokenKind::output_tokens)->per_second == doctest::Approx(200.0));
    }

    TEST_CASE("the combined tokens budget counts input and output and only without the "
              "precise ones") {
        RateLimiter limiter{8};
        limiter.observe(limiter.reserve(t0), token_budget("", 6000, 6000, 0s), t0, wall0);
        CHECK(limiter.reserve(t0, {1000, 2000}).start == t0);
        CHECK(near(limiter.reserve(t0, {1000, 2000}).start, t0));
        CHECK(near(limiter.reserve(t0, {1000, 2000}).start, t0 + 30s));

        auto both = token_budget("", 6000, 0, 59s);
        for (const auto& [name, value] :
             {std::pair{"input-tokens-limit", "6000"}, std::pair{"input-tokens-remaining", "6000"},
              std::pair{"input-tokens-reset", ""}})
            both.add(std::string("anthropic-ratelimit-") + name,
                     *value ? value : rfc3339_after(0s));
        RateLimiter precise{8};
        precise.observe(precise.reserve(t0), both, t0, wall0);
        CHECK_FALSE(precise.tokens(TokenKind::tokens));
        CHECK(precise.tokens(TokenKind::input_tokens));
        CHECK(precise.reserve(t0, {1000, 2000}).start == t0);
    }

    TEST_CASE("the estimated cost is a token per 3 bytes of the body and its max_tokens") {
        const std::string body = R"({"model":"m","max_tokens":4096,"messages":[]})";
        const auto cost = estimate_cost(body);
        CHECK(cost.input_tokens == (static_cast<std::int64_t>(body.size()) + 2) / 3);
        CHECK(cost.output_tokens == 4096);
        CHECK(estimate_cost(std::string(300, 'x')).input_tokens == 100);
        CHECK(estimate_cost(std::string(301, 'x')).input_tokens == 101);
        CHECK(estimate_cost("not json").output_tokens == 0);
        CHECK(estimate_cost(R"({"max_tokens":-5})").output_tokens == 0);
        CHECK(estimate_cost(R"({"max_tokens":"many"})").output_tokens == 0);
    }

    TEST_CASE("incomplete or malformed rate-limit headers are ignored") {
        RateLimiter limiter{8};
        auto first = limiter.reserve(t0);
        limiter.observe(first,
                        ResponseHeaders{{"anthropic-ratelimit-requests-limit", "50"},
                                        {"anthropic-ratelimit-requests-remaining", "0"}},
                        t0, wall0);
        limiter.observe(first,
                        ResponseHeaders{{"anthropic-ratelimit-requests-limit", "fifty"},
                                        {"anthropic-ratelimit-requests-remaining", "0"},
                                        {"anthropic-ratelimit-requests-reset", rfc3339_after(9s)}},
                        t0, wall0);
        limiter.observe(first,
                        ResponseHeaders{{"anthropic-ratelimit-requests-limit", "50"},
                                        {"anthropic-ratelimit-requests-remaining", "0"},
                                        {"anthropic-ratelimit-requests-reset", "tomorrow"}},
                        t0, wall0);
        CHECK_FALSE(limiter.requests());
        CHECK(limiter.reserve(t0).start == t0);
    }

    TEST_CASE("RFC 3339 timestamps parse with fractions and offsets") {
        const auto expected =
            std::chrono::sys_days{std::chrono::year{2025} / 8 / 21} + 12h + 40min + 59s;
        CHECK(parse_rfc3339("2025-08-21T12:40:59Z") == expected);
        CHECK(parse_rfc3339("2025-08-21t12:40:59z") == expected);
        CHECK(parse_rfc3339("2025-08-21T14:40:59+02:00") == expected);
        CHECK(parse_rfc3339("2025-08-21T10:10:59-02:30") == expected);
        CHECK(parse_rfc3339("2025-08-21T12:40:59.250Z") == expected + 250ms);
        for (const char* bad :
             {"", "2025-08-21", "2025-08-21T12:40:59", "2025-02-30T12:40:59Z",
              "2025-08-21T24:00:00Z", "2025-08-21T12:40:59.Z", "2025-08-21T12:40:59+0200",
              "2025-08-21T12:40:59Zjunk", "20a5-08-21T12:40:59Z"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_rfc3339(bad));
        }
    }
}
