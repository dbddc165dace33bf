#pragma once
// Paces the start of API requests from the limits the server announces, so that a run does not
// drive the server into 429s (header names: Anthropic's rate-limits page,
// `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`).
//
// Rules:
// - A request budget whose remaining count is low is spread evenly over the time left until its
//   reset; an exhausted one holds every start until the reset, when it counts as full again
//   (the requests that waited for it are the first to use it).
// - Token budgets (input, output, and the combined one when a response has neither of those) are
//   token buckets that refill continuously up to their limit, at least at the limit per minute
//   and as fast as their reset shows (counted from when the request went out). A start
//   waits until every budget holds the request's cost: its estimated input tokens, and its
//   max_tokens, which the server books against the output budget when the request starts.
//   A request costing more than a whole budget waits until that budget is full.
// - After a 429 every request waits until the retry time, not only the one that got it.
// - The server's `remaining` says nothing about requests started after the one it answers, so
//   those are subtracted from it (for tokens also the earlier ones still unanswered): when
//   several are in flight the estimate errs on the safe side.
//
// Pure: the caller passes the clocks in, so the rules are tested without waiting.

#include "claude/response_headers.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

namespace mcqgen::detail::claude {

/// What a request takes from the token budgets.
struct RequestCost {
    std::int64_t input_tokens = 0;  ///< an estimate that errs on the high side
    std::int64_t output_tokens = 0; ///< max_tokens: what the server books when it starts
};

/// The cost of a Messages request body: a token per 3 bytes of the whole body (Claude averages
/// about 4 characters of English per token; the JSON around the text and the denser newer
/// tokenizers take up the difference), and its `max_tokens` (0 when the body has none).
RequestCost estimate_cost(std::string_view body);

/// The three token budgets, by the header names `anthropic-ratelimit-<kind>-*`.
enum class TokenKind { tokens, input_tokens, output_tokens };

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    /// A booked start. `sequence` orders the bookings.
    struct Ticket {
        std::uint64_t sequence = 0;
        Clock::time_point start;
    };

    /// What the limiter currently knows about the requests budget (for tests and logs).
    struct Budget {
        std::int64_t limit = 0;
        std::int64_t remaining = 0;
        Clock::time_point reset;
        std::uint64_t as_of = 0; ///< the ticket sequence of the response that reported it
    };

    /// A token bucket as last reported, with the starts booked since then taken out of it.
    struct TokenBudget {
        std::int64_t limit = 0;
        double level = 0; ///< tokens left at `at`; below 0 when booked ahead of the refill
        Clock::time_point at;
        double per_second = 0;   ///< the refill rate, never above the server's
        std::uint64_t as_of = 0; ///< the ticket sequence of the response that reported it

        double level_at(Clock::time_point when) const;
        /// The earliest time, not before `not_before` nor `at`, at which `cost` is available.
        Clock::time_point earliest_for(std::int64_t cost, Clock::time_point not_before) const;
        void spend(std::int64_t cost, Clock::time_point when);
    };

    /// `concurrency` is how many requests may be in flight at once: a remaining request count
    /// at or below it (or below a tenth of the limit) counts as low.
    explicit RateLimiter(int concurrency = 8) : concurrency_(concurrency) {}

    /// Books the next start: the earliest time, not before `now`, at which a request costing
    /// `cost` may begin. Starts come in the order they are booked.
    Ticket reserve(Clock::time_point now, RequestCost cost = {});

    /// Learns the budgets from the headers of the response to `ticket`'s request; call it for
    /// every booked attempt, with no headers when no response arrived.
    /// `wall_now` converts the RFC 3339 reset times to `Clock`.
    void observe(const Ticket& ticket, const ResponseHeaders& headers, Clock::time_point now,
                 std::chrono::system_clock::time_point wall_now);

    /// No request starts before `until` (after a 429 with its retry delay).
    void pause_until(Clock::time_point until);

    const std::optional<Budget>& requests() const { return requests_; }
    const std::optional<TokenBudget>& tokens(TokenKind kind) const {
        return tokens_[static_cast<std::size_t>(kind)];
    }
    Clock::time_point paused_until() const { return paused_until_; }

  private:
    static constexpr std::size_t token_kinds = 3;

    /// A booked start whose cost a later report of the token budgets may not include yet.
    struct Booking {
        std::uint64_t sequence = 0;
        Clock::time_point start;
        RequestCost cost;
        bool answered = false;
    };

    Clock::time_point earliest_for_requests(Clock::time_point now, Clock::time_point earliest);
    Clock::time_point earliest_for_tokens(const RequestCost& cost,
                                          Clock::time_point earliest) const;
    void learn_tokens(const Ticket& ticket, const ResponseHeaders& headers, Clock::time_point now,
                      std::chrono::system_clock::time_point wall_now);
    static double refill_rate(const Budget& reported, Clock::time_point sent,
                              const std::optional<TokenBudget>& known);
    TokenBudget with_pending(TokenBudget budget, TokenKind kind) const;
    void forget_settled_bookings();
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
    std::array<std::optional<TokenBudget>, token_kinds> tokens_;
    std::deque<Booking> bookings_; ///< in sequence order
};

/// Parses an RFC 3339 timestamp ("2025-08-21T12:40:59Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

} // namespace mcqgen::detail::claude
