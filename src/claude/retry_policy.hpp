#pragma once
// When to retry a Claude API call and how long to wait first: the official SDKs' rule
// (anthropic-sdk-python `_base_client.py`: `_should_retry`, `_parse_retry_after_header`,
// `_calculate_retry_timeout`), as pure functions so they are tested without a network.

#include "claude/response_headers.hpp"

#include <mcqgen/errors.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace mcqgen::detail::claude {

struct RetrySettings {
    int max_retries = 2; ///< the SDKs' DEFAULT_MAX_RETRIES: up to 3 attempts
    /// A server-suggested delay is honoured only up to this; Python caps it at 60 s.
    std::chrono::milliseconds max_retry_after{60'000};
};

/// What one attempt produced, as far as the retry rule cares.
struct AttemptOutcome {
    /// ok when an HTTP response arrived; otherwise why none did (network, timeout, tls,
    /// bad_response, cancelled).
    errc transport = errc::ok;
    int status = 0;
    const ResponseHeaders* headers = nullptr; ///< may be null when no response arrived
    std::string_view body;
};

struct RetryDecision {
    bool retry = false;
    std::chrono::milliseconds delay{0};
    bool delay_from_server = false; ///< the delay is the server's retry-after(-ms)
};

/// Decides about the attempt after `retries_done` retries. `jitter_draw` is a uniform random
/// number in [0, 1); `now` is the wall clock, for a retry-after given as an HTTP date.
RetryDecision decide_retry(const AttemptOutcome& outcome, int retries_done,
                           const RetrySettings& settings, double jitter_draw,
                           std::chrono::system_clock::time_point now);

/// Whether the outcome is of a retryable kind, ignoring how many retries are left.
bool is_retryable(const AttemptOutcome& outcome);

/// The delay the server asks for: `retry-after-ms`, else `retry-after` in seconds, else
/// `retry-after` as an HTTP date (relative to `now`). The raw value, possibly <= 0 or huge.
std::optional<std::chrono::duration<double, std::milli>>
server_retry_delay(const ResponseHeaders& headers, std::chrono::system_clock::time_point now);

/// min(0.5 s * 2^retries_done, 8 s) * (1 - 0.25 * jitter_draw): INITIAL_RETRY_DELAY and
/// MAX_RETRY_DELAY of the SDKs, shortened by up to a quarter at random.
std::chrono::milliseconds backoff_delay(int retries_done, double jitter_draw);

/// A 429 for a usage tier's monthly spend cap: it carries no retry-after and keeps failing
/// until access resumes, so retrying only wastes time (Anthropic's errors page).
bool is_spend_limit_exhausted(int status, const ResponseHeaders& headers, std::string_view body);

/// Parses an HTTP date in the IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT"; the weekday
/// is optional).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

} // namespace mcqgen::detail::claude
