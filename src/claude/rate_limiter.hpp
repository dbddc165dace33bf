#pragma once
// Paces the start of API requests from the limits the server announces, so that a run does not
// drive the server into 429s (header names: Anthropic's rate-limits page,
// `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`).
//
// Rules:
// - A request budget whose remaining count is low is spread evenly over the time left until its
//   reset; an exhausted one holds every start until the reset, when it counts as full again
//   (the requests that waited for it are the first to use it).
// - A token budget below 5 % of its limit holds every start until its reset (the cost of the next
//   request in tokens is not known here, so it cannot be spread).
// - After a 429 every request waits until the retry time, not only the one that got it.
// - The server's `remaining` says nothing about requests started after the one it answers, so
//   those are subtracted from it: when several are in flight the estimate errs on the safe side.
//
// Pure: the caller passes the clocks in, so the rules are tested without waiting.

#include "claude/response_headers.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mcqgen::detail::claude {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    /// A booked start. `sequence` orders the bookings.
    struct Ticket {
        std::uint64_t sequence = 0;
        Clock::time_point start;
    };

    /// What the limiter currently knows about one budget (for tests and logs).
    struct Budget {
        std::int64_t limit = 0;
        std::int64_t remaining = 0;
        Clock::time_point reset;
        std::uint64_t as_of = 0; ///< the ticket sequence of the response that reported it
    };

    /// `concurrency` is how many requests may be in flight at once: a remaining request count
    /// at or below it (or below a tenth of the limit) counts as low.
    explicit RateLimiter(int concurrency = 8) : concurrency_(concurrency) {}

    /// Books the next start: the earliest time, not before `now`, at which a request may begin.
    Ticket reserve(Clock::time_point now);

    /// Learns the budgets from the headers of the response to `ticket`'s request.
    /// `wall_now` converts the RFC 3339 reset times to `Clock`.
    void observe(const Ticket& ticket, const ResponseHeaders& headers, Clock::time_point now,
                 std::chrono::system_clock::time_point wall_now);

    /// No request starts before `until` (after a 429 with its retry delay).
    void pause_until(Clock::time_point until);

    const std::optional<Budget>& requests() const { return requests_; }
    Clock::time_point paused_until() const { return paused_until_; }

  private:
    // tokens, input-tokens, output-tokens
    static constexpr std::size_t token_kinds = 3;

    Clock::time_point earliest_for_requests(Clock::time_point now, Clock::time_point earliest);
    Clock::time_point earliest_for_tokens(Clock::time_point now, Clock::time_point earliest);
    std::int64_t booked_after(std::uint64_t sequence) const {
        return static_cast<std::int64_t>(last_sequence_ - sequence);
    }
    void replenish_requests(Clock::time_point now);

    int concurrency_;
    std::uint64_t last_sequence_ = 0;
    Clock::time_point last_start_{};
    Clock::time_point paused_until_{};
    std::optional<Budget> requests_;
    std::int64_t booked_beyond_ = 0; ///< starts booked for after the requests budget's reset
    std::array<std::optional<Budget>, token_kinds> tokens_;
};

/// Parses an RFC 3339 timestamp ("2025-08-21T12:40:59Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

} // namespace mcqgen::detail::claude
