#include "claude/retry_policy.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace std::chrono_literals;
using mcqgen::errc;
using mcqgen::detail::claude::AttemptOutcome;
using mcqgen::detail::claude::backoff_delay;
using mcqgen::detail::claude::decide_retry;
using mcqgen::detail::claude::is_retryable;
using mcqgen::detail::claude::is_spend_limit_exhausted;
using mcqgen::detail::claude::parse_http_date;
using mcqgen::detail::claude::ResponseHeaders;
using mcqgen::detail::claude::RetrySettings;
using mcqgen::detail::claude::server_retry_delay;

namespace {

// 2025-08-21T12:40:00Z
const std::chrono::system_clock::time_point noon =
    std::chrono::sys_days{std::chrono::year{2025} / 8 / 21} + 12h + 40min;

AttemptOutcome response(int status, const ResponseHeaders& headers, std::string_view body = {}) {
    return AttemptOutcome{errc::ok, status, &headers, body};
}

AttemptOutcome transport(errc kind) {
    return AttemptOutcome{kind, 0, nullptr, {}};
}

const ResponseHeaders none;
const std::string spend_limit_body =
    R"({"type":"error","error":{"type":"rate_limit_error","message":"spend limit",)"
    R"("details":{"error_code":"enforced_spend_limit_reached"}}})";

} // namespace

TEST_SUITE("retry_policy") {
    TEST_CASE("408 409 429 and every 5xx are retried other statuses are not") {
        for (int status : {408, 409, 429, 500, 502, 503, 504, 529}) {
            CAPTURE(status);
            CHECK(is_retryable(response(status, none)));
        }
        for (int status : {400, 401, 402, 403, 404, 413, 422}) {
            CAPTURE(status);
            CHECK_FALSE(is_retryable(response(status, none)));
        }
    }

    TEST_CASE("x-should-retry overrides the status rule in both directions") {
        const ResponseHeaders yes{{"X-Should-Retry", "true"}};
        const ResponseHeaders no{{"x-should-retry", "false"}};
        const ResponseHeaders odd{{"x-should-retry", "maybe"}};
        CHECK(is_retryable(response(400, yes)));
        CHECK_FALSE(is_retryable(response(500, no)));
        CHECK_FALSE(is_retryable(response(429, no)));
        CHECK(is_retryable(response(529, odd)));
        CHECK_FALSE(is_retryable(response(400, odd)));
    }

    TEST_CASE("connection failures and timeouts are retried - TLS cancellation and bad "
              "responses are not") {
        CHECK(is_retryable(transport(errc::network)));
        CHECK(is_retryable(transport(errc::timeout)));
        CHECK_FALSE(is_retryable(transport(errc::tls)));
        CHECK_FALSE(is_retryable(transport(errc::cancelled)));
        CHECK_FALSE(is_retryable(transport(errc::bad_response)));
    }

    TEST_CASE("no retry is made once max_retries retries have been spent") {
        RetrySettings settings{.max_retries = 2};
        CHECK(decide_retry(response(529, none), 0, settings, 0.0, noon).retry);
        CHECK(decide_retry(response(529, none), 1, settings, 0.0, noon).retry);
        CHECK_FALSE(decide_retry(response(529, none), 2, settings, 0.0, noon).retry);
        CHECK_FALSE(decide_retry(response(529, none), 0, {.max_retries = 0}, 0.0, noon).retry);
    }

    TEST_CASE("the backoff doubles from half a second caps at 8 s and jitter shortens it by "
              "up to a quarter") {
        CHECK(backoff_delay(0, 0.0) == 500ms);
        CHECK(backoff_delay(0, 1.0) == 375ms);
        CHECK(backoff_delay(0, 0.5) == 438ms); // 437.5 rounded
        CHECK(backoff_delay(1, 0.0) == 1000ms);
        CHECK(backoff_delay(2, 0.0) == 2000ms);
        CHECK(backoff_delay(4, 0.0) == 8000ms);
        CHECK(backoff_delay(5, 0.0) == 8000ms);
        CHECK(backoff_delay(1000, 0.0) == 8000ms);
        CHECK(backoff_delay(1000, 1.0) == 6000ms);
    }

    TEST_CASE("without a server hint the retry waits the backoff for the retries done so far") {
        auto decision = decide_retry(response(500, none), 1, {}, 0.0, noon);
        CHECK(decision.retry);
        CHECK(decision.delay == 1000ms);
        CHECK_FALSE(decision.delay_from_server);
        CHECK(decide_retry(transport(errc::timeout), 0, {}, 1.0, noon).delay == 375ms);
    }

    TEST_CASE("retry-after-ms is honoured first then retry-after in seconds") {
        const ResponseHeaders both{{"retry-after-ms", "250.5"}, {"retry-after", "7"}};
        auto decision = decide_retry(response(429, both), 0, {}, 0.0, noon);
        CHECK(decision.delay == 251ms); // rounded up: never earlier than asked
        CHECK(decision.delay_from_server);

        const ResponseHeaders seconds{{"retry-after", "1.5"}};
        CHECK(decide_retry(response(429, seconds), 0, {}, 0.0, noon).delay == 1500ms);

        const ResponseHeaders bad_ms{{"retry-after-ms", "soon"}, {"retry-after", "2"}};
        CHECK(decide_retry(response(429, bad_ms), 0, {}, 0.0, noon).delay == 2000ms);
    }

    TEST_CASE("retry-after as an HTTP date is the time left until that date") {
        const ResponseHeaders date{{"retry-after", "Thu, 21 Aug 2025 12:40:03 GMT"}};
        auto decision = decide_retry(response(503, date), 0, {}, 0.0, noon);
        CHECK(decision.delay == 3000ms);
        CHECK(decision.delay_from_server);
    }

    TEST_CASE("a server delay of zero below zero past the cap or unparseable falls back to "
              "the backoff") {
        for (const char* value :
             {"0", "-3", "61", "1e9", "nan", "inf", "soon", "", "Thu, 21 Aug 2025 12:39:00 GMT"}) {
            CAPTURE(value);
            const ResponseHeaders headers{{"retry-after", value}};
            auto decision = decide_retry(response(429, headers), 0, {}, 0.0, noon);
            CHECK(decision.retry);
            CHECK(decision.delay == 500ms);
            CHECK_FALSE(decision.delay_from_server);
        }
    }

    TEST_CASE("the cap on a server delay is configurable and inclusive") {
        const ResponseHeaders headers{{"retry-after", "60"}};
        CHECK(decide_retry(response(429, headers), 0, {}, 0.0, noon).delay == 60s);
        RetrySettings strict{.max_retries = 2, .max_retry_after = 5s};
        CHECK(decide_retry(response(429, headers), 0, strict, 0.0, noon).delay == 500ms);
    }

    TEST_CASE("a 429 for an exhausted spend limit without retry-after is not retried") {
        CHECK(is_spend_limit_exhausted(429, none, spend_limit_body));
        CHECK_FALSE(decide_retry(response(429, none, spend_limit_body), 0, {}, 0.0, noon).retry);

        const ResponseHeaders with_hint{{"retry-after", "5"}};
        CHECK_FALSE(is_spend_limit_exhausted(429, with_hint, spend_limit_body));
        CHECK(decide_retry(response(429, with_hint, spend_limit_body), 0, {}, 0.0, noon).retry);
        CHECK_FALSE(is_spend_limit_exhausted(500, none, spend_limit_body));
        CHECK_FALSE(
            is_spend_limit_exhausted(429, none, R"({"error":{"type":"rate_limit_error"}})"));
    }

    TEST_CASE("server_retry_delay reports the raw value even when it will not be honoured") {
        const ResponseHeaders far{{"retry-after", "3600"}};
        auto delay = server_retry_delay(far, noon);
        REQUIRE(delay);
        CHECK(delay->count() == doctest::Approx(3'600'000.0));
        CHECK_FALSE(server_retry_delay(none, noon));
    }

    TEST_CASE("HTTP dates parse with or without the weekday and reject nonsense") {
        auto date = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
        REQUIRE(date);
        CHECK(*date == std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min + 37s);
        CHECK(parse_http_date("6 Nov 1994 08:49:37 GMT") == date);
        CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 CET"));
        CHECK_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
        CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
        CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
        CHECK_FALSE(parse_http_date("1994-11-06T08:49:37Z"));
        CHECK_FALSE(parse_http_date(""));
    }
}
