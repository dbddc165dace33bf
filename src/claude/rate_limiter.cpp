#include "claude/rate_limiter.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>

namespace mcqgen::detail::claude {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

// Anthropic's limits are per minute, so a reset further away than this can only come from a
// clock that disagrees with the server's; waiting on it would stall the run.
constexpr auto longest_reset = 60s;

// Reset times come in whole seconds (truncated) from a clock that is not ours: waiting until the
// stated second could start a request just before the budget really refills.
constexpr auto reset_margin = 1s;

// The period of a per-minute budget: after a reset the next one is assumed a window later, until
// a response says otherwise.
constexpr auto window = 60s;

// Bytes of a request body per estimated input token.
constexpr std::int64_t bytes_per_token = 3;

// A request budget at or below 1/10 of its limit (or the concurrency) is spread until its reset.
constexpr std::int64_t request_low_divisor = 10;

template <class Int> std::optional<Int> parse_int(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    Int value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<int> fixed_digits(std::string_view text, std::size_t pos, std::size_t len) {
    if (pos + len > text.size()) return std::nullopt;
    auto digits = text.substr(pos, len);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return parse_int<int>(digits);
}

bool char_is(std::string_view text, std::size_t pos, std::string_view allowed) {
    return pos < text.size() && allowed.find(text[pos]) != std::string_view::npos;
}

// "Z", "+HH:MM" or "-HH:MM" at the end of a timestamp → its offset from UTC.
std::optional<std::chrono::minutes> parse_utc_offset(std::string_view zone) {
    if (zone == "Z" || zone == "z") return std::chrono::minutes{0};
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
        return std::nullopt;
    }
    auto hours = fixed_digits(zone, 1, 2);
    auto minutes = fixed_digits(zone, 4, 2);
    if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
    std::chrono::minutes offset{*hours * 60 + *minutes};
    return zone[0] == '-' ? -offset : offset;
}

struct BudgetHeaders {
    std::string_view limit;
    std::string_view remaining;
    std::string_view reset;
};

constexpr BudgetHeaders request_headers{"anthropic-ratelimit-requests-limit",
                                        "anthropic-ratelimit-requests-remaining",
                                        "anthropic-ratelimit-requests-reset"};

// In TokenKind order.
constexpr std::array<BudgetHeaders, 3> token_headers{{
    {"anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
     "anthropic-ratelimit-tokens-reset"},
    {"anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
     "anthropic-ratelimit-input-tokens-reset"},
    {"anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
     "anthropic-ratelimit-output-tokens-reset"},
}};

// A budget all three of whose headers are present and sane, with its reset on `Clock`.
std::optional<RateLimiter::Budget> read_budget(const ResponseHeaders& headers,
                                               const BudgetHeaders& names, std::uint64_t as_of,
                                               Clock::time_point now,
                                               std::chrono::system_clock::time_point wall_now) {
    auto limit_text = headers.find(names.limit);
    auto remaining_text = headers.find(names.remaining);
    auto reset_text = headers.find(names.reset);
    if (!limit_text || !remaining_text || !reset_text) return std::nullopt;
    auto limit = parse_int<std::int64_t>(*limit_text);
    auto remaining = parse_int<std::int64_t>(*remaining_text);
    auto reset = parse_rfc3339(*reset_text);
    if (!limit || !remaining || !reset || *limit <= 0 || *remaining < 0) return std::nullopt;
    auto until_reset =
        std::clamp<Clock::duration>(std::chrono::duration_cast<Clock::duration>(*reset - wall_now),
                                    Clock::duration::zero(), longest_reset);
    return RateLimiter::Budget{*limit, std::min(*remaining, *limit),
                               now + until_reset + reset_margin, as_of};
}

std::int64_t cost_for(TokenKind kind, const RequestCost& cost) {
    switch (kind) {
    case TokenKind::input_tokens:
        return cost.input_tokens;
    case TokenKind::output_tokens:
        return cost.output_tokens;
    case TokenKind::tokens:
        break;
    }
    // The combined budget may be either limit: counting both is never too little.
    return cost.input_tokens + cost.output_tokens;
}

constexpr std::array<TokenKind, 3> all_token_kinds{TokenKind::tokens, TokenKind::input_tokens,
                                                   TokenKind::output_tokens};

Clock::duration seconds_to_duration(double seconds) {
    return std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(seconds));
}

} // namespace

RequestCost estimate_cost(std::string_view body) {
    RequestCost cost;
    cost.input_tokens =
        (static_cast<std::int64_t>(body.size()) + bytes_per_token - 1) / bytes_per_token;
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) return cost;
    const auto* max_tokens = parsed.as_object().if_contains("max_tokens");
    if (!max_tokens) return cost;
    const auto value = max_tokens->to_number<std::int64_t>(ec);
    if (!ec && value > 0) cost.output_tokens = value;
    return cost;
}

double RateLimiter::TokenBudget::level_at(Clock::time_point when) const {
    if (when <= at) return level;
    const std::chrono::duration<double> elapsed = when - at;
    return std::min(static_cast<double>(limit), level + per_second * elapsed.count());
}

Clock::time_point RateLimiter::TokenBudget::earliest_for(std::int64_t cost,
                                                         Clock::time_point not_before) const {
    const Clock::time_point from = std::max(not_before, at);
    // A request larger than the whole budget can only wait for it to be full.
    const double wanted = static_cast<double>(std::min(cost, limit));
    const double available = level_at(from);
    if (available >= wanted) return from;
    return from + seconds_to_duration((wanted - available) / per_second);
}

void RateLimiter::TokenBudget::spend(std::int64_t cost, Clock::time_point when) {
    when = std::max(when, at);
    level = level_at(when) - static_cast<double>(cost);
    at = when;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
    auto year = fixed_digits(text, 0, 4);
    auto month = fixed_digits(text, 5, 2);
    auto day = fixed_digits(text, 8, 2);
    auto hour = fixed_digits(text, 11, 2);
    auto minute = fixed_digits(text, 14, 2);
    auto second = fixed_digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || !char_is(text, 4, "-") ||
        !char_is(text, 7, "-") || !char_is(text, 10, "Tt ") || !char_is(text, 13, ":") ||
        !char_is(text, 16, ":") || *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    std::chrono::year_month_day date{std::chrono::year{*year},
                                     std::chrono::month{static_cast<unsigned>(*month)},
                                     std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) return std::nullopt;
    std::size_t pos = 19;
    std::chrono::nanoseconds fraction{0};
    if (char_is(text, pos, ".")) {
        std::int64_t scale = 100'000'000;
        ++pos;
        const std::size_t first_digit = pos;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            fraction += std::chrono::nanoseconds{(text[pos] - '0') * scale};
            scale /= 10;
        }
        if (pos == first_digit) return std::nullopt;
    }
    auto offset = parse_utc_offset(text.substr(pos));
    if (!offset) return std::nullopt;
    return std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
           std::chrono::seconds{*second} +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction) - *offset;
}

RateLimiter::Ticket RateLimiter::reserve(Clock::time_point now, RequestCost cost) {
    Clock::time_point earliest = std::max(now, paused_until_);
    earliest = earliest_for_requests(now, earliest);
    earliest = earliest_for_tokens(cost, earliest);
    for (TokenKind kind : all_token_kinds)
        if (auto& budget = tokens_[static_cast<std::size_t>(kind)])
            budget->spend(cost_for(kind, cost), earliest);
    last_start_ = std::max(last_start_, earliest);
    bookings_.push_back(Booking{++last_sequence_, earliest, cost});
    return Ticket{last_sequence_, earliest};
}

void RateLimiter::replenish_requests(Clock::time_point now) {
    // Full again at its reset. The requests booked beyond the old budget were booked for this
    // moment, so they are the first to count against the new one.
    const std::int64_t carried = std::min(booked_beyond_, requests_->limit);
    const auto windows_passed = (now - requests_->reset) / window + 1;
    requests_ = Budget{requests_->limit, requests_->limit - carried,
                       requests_->reset + windows_passed * window, last_sequence_};
    booked_beyond_ = 0;
}

Clock::time_point RateLimiter::earliest_for_requests(Clock::time_point now,
                                                     Clock::time_point earliest) {
    if (!requests_) return earliest;
    if (requests_->reset <= now) replenish_requests(now);
    const std::int64_t left = requests_->remaining - booked_after(requests_->as_of);
    if (left <= 0) {
        // Beyond the budget: wait for the reset, and a further window once even the refilled
        // budget is booked up (only possible with more calls in flight than the limit).
        ++booked_beyond_;
        const auto windows_ahead = (booked_beyond_ - 1) / requests_->limit;
        return std::max(earliest, requests_->reset + windows_ahead * window);
    }
    const bool low =
        left <= std::max<std::int64_t>(concurrency_, requests_->limit / request_low_divisor);
    if (!low) return earliest;
    const auto spacing = (requests_->reset - now) / left;
    return std::max(earliest, last_start_ + spacing);
}

// One pass is enough: a budget's level never falls as time passes, so a start that suits a
// budget still suits it when a later budget moves the start further out.
Clock::time_point RateLimiter::earliest_for_tokens(const RequestCost& cost,
                                                   Clock::time_point earliest) const {
    for (TokenKind kind : all_token_kinds)
        if (const auto& budget = tokens_[static_cast<std::size_t>(kind)])
            earliest = budget->earliest_for(cost_for(kind, cost), earliest);
    return earliest;
}

// A per-minute budget refills at least at its limit per minute. A report can say more: full at
// its reset, counted from when the request went out (before the server counted) and with the
// reset's margin, it understates the server's rate, and the more so the closer the reset. The
// rate does not change while the limit stays, so the best of these bounds is kept.
double RateLimiter::refill_rate(const Budget& reported, Clock::time_point sent,
                                const std::optional<TokenBudget>& known) {
    double rate = static_cast<double>(reported.limit) / 60.0;
    if (known && known->limit == reported.limit) rate = std::max(rate, known->per_second);
    // Less one token: the remaining count is a whole number, the server's level need not be.
    const std::chrono::duration<double> span = reported.reset - sent;
    const auto deficit = reported.limit - reported.remaining - 1;
    if (deficit > 0 && span.count() > 0)
        rate = std::max(rate, static_cast<double>(deficit) / span.count());
    return rate;
}

// The report is as of the server answering `as_of`. The starts booked after that one, and the
// earlier ones not answered yet, may be missing from it: they are taken out again, in order.
RateLimiter::TokenBudget RateLimiter::with_pending(TokenBudget budget, TokenKind kind) const {
    for (const Booking& booking : bookings_) {
        const bool pending = booking.sequence > budget.as_of ||
                             (booking.sequence < budget.as_of && !booking.answered);
        if (pending) budget.spend(cost_for(kind, booking.cost), booking.start);
    }
    return budget;
}

void RateLimiter::learn_tokens(const Ticket& ticket, const ResponseHeaders& headers,
                               Clock::time_point now,
                               std::chrono::system_clock::time_point wall_now) {
    std::array<std::optional<Budget>, token_kinds> fresh;
    for (TokenKind kind : all_token_kinds) {
        const auto i = static_cast<std::size_t>(kind);
        fresh[i] = read_budget(headers, token_headers[i], ticket.sequence, now, wall_now);
    }
    // The combined budget only stands in for the two precise ones, and is rounded.
    const auto tokens = static_cast<std::size_t>(TokenKind::tokens);
    if (fresh[static_cast<std::size_t>(TokenKind::input_tokens)] ||
        fresh[static_cast<std::size_t>(TokenKind::output_tokens)]) {
        fresh[tokens].reset();
        tokens_[tokens].reset();
    }
    for (TokenKind kind : all_token_kinds) {
        const auto i = static_cast<std::size_t>(kind);
        auto& known = tokens_[i];
        if (!fresh[i] || (known && ticket.sequence < known->as_of)) continue; // older news
        TokenBudget budget{fresh[i]->limit, static_cast<double>(fresh[i]->remaining), now, 0,
                           ticket.sequence};
        budget.per_second = refill_rate(*fresh[i], ticket.start, known);
        known = with_pending(budget, kind);
    }
}

// A booking matters until it is answered and every token budget is reported as of it or later.
void RateLimiter::forget_settled_bookings() {
    std::uint64_t settled = std::numeric_limits<std::uint64_t>::max();
    for (const auto& budget : tokens_)
        if (budget) settled = std::min(settled, budget->as_of);
    while (!bookings_.empty() && bookings_.front().answered &&
           bookings_.front().sequence <= settled)
        bookings_.pop_front();
}

void RateLimiter::observe(const Ticket& ticket, const ResponseHeaders& headers,
                          Clock::time_point now, std::chrono::system_clock::time_point wall_now) {
    if (auto fresh = read_budget(headers, request_headers, ticket.sequence, now, wall_now)) {
        // A response to a later request replaces what is known. One that arrives after a later
        // request's response may carry older numbers: it only replaces them when it leaves
        // fewer requests (erring on the safe side), or when the known budget has reset.
        const bool replace = !requests_ || requests_->reset <= now ||
                             ticket.sequence >= requests_->as_of ||
                             fresh->remaining - booked_after(fresh->as_of) <
                                 requests_->remaining - booked_after(requests_->as_of);
        if (replace) {
            requests_ = fresh;
            booked_beyond_ = 0;
        }
    }
    for (auto& booking : bookings_)
        if (booking.sequence == ticket.sequence) booking.answered = true;
    learn_tokens(ticket, headers, now, wall_now);
    forget_settled_bookings();
}

void RateLimiter::pause_until(Clock::time_point until) {
    paused_until_ = std::max(paused_until_, until);
}

} // namespace mcqgen::detail::claude
