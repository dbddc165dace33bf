#include "claude/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <vector>

namespace mcqgen::detail::claude {
namespace {

using namespace std::chrono_literals;
using Millis = std::chrono::duration<double, std::milli>;

// The SDKs' INITIAL_RETRY_DELAY and MAX_RETRY_DELAY (`_constants.py`).
constexpr Millis initial_retry_delay = 500ms;
constexpr Millis max_retry_delay = 8s;

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// A finite decimal number and nothing else, like Python's float() on a header value.
std::optional<double> parse_number(std::string_view text) {
    text = trim(text);
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
        !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<int> parse_digits(std::string_view text, std::size_t min_len, std::size_t max_len) {
    if (text.size() < min_len || text.size() > max_len) return std::nullopt;
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<unsigned> parse_month(std::string_view name) {
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto it = std::find(months.begin(), months.end(), name);
    if (it == months.end()) return std::nullopt;
    return static_cast<unsigned>(it - months.begin() + 1);
}

// "HH:MM:SS" → seconds since midnight.
std::optional<std::chrono::seconds> parse_clock(std::string_view text) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
    auto h = parse_digits(text.substr(0, 2), 2, 2);
    auto m = parse_digits(text.substr(3, 2), 2, 2);
    auto s = parse_digits(text.substr(6, 2), 2, 2);
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
    return std::chrono::hours{*h} + std::chrono::minutes{*m} + std::chrono::seconds{*s};
}

// Splits on single spaces, skipping empty pieces.
std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto space = text.find(' ');
        if (space != 0) out.push_back(text.substr(0, space));
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
    }
    return out;
}

bool is_retryable_status(int status) {
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
    text = trim(text);
    if (auto comma = text.find(','); comma != std::string_view::npos) {
        text.remove_prefix(comma + 1);
    }
    auto parts = words(text);
    if (parts.size() != 5 || (parts[4] != "GMT" && parts[4] != "UTC")) return std::nullopt;
    auto day = parse_digits(parts[0], 1, 2);
    auto month = parse_month(parts[1]);
    auto year = parse_digits(parts[2], 4, 4);
    auto time_of_day = parse_clock(parts[3]);
    if (!day || !month || !year || !time_of_day) return std::nullopt;
    std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{*month},
                                     std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) return std::nullopt;
    return std::chrono::sys_days{date} + *time_of_day;
}

std::optional<Millis> server_retry_delay(const ResponseHeaders& headers,
                                         std::chrono::system_clock::time_point now) {
    if (auto ms = headers.find("retry-after-ms")) {
        if (auto value = parse_number(*ms)) return Millis{*value};
    }
    auto retry_after = headers.find("retry-after");
    if (!retry_after) return std::nullopt;
    if (auto seconds = parse_number(*retry_after)) return Millis{*seconds * 1000.0};
    if (auto date = parse_http_date(*retry_after)) return Millis{*date - now};
    return std::nullopt;
}

std::chrono::milliseconds backoff_delay(int retries_done, double jitter_draw) {
    // Capping the exponent first keeps pow() finite for absurd retry counts.
    const double doublings = std::clamp(retries_done, 0, 30);
    const Millis base = std::min(initial_retry_delay * std::pow(2.0, doublings), max_retry_delay);
    const double jitter = 1.0 - 0.25 * std::clamp(jitter_draw, 0.0, 1.0);
    return std::chrono::round<std::chrono::milliseconds>(base * jitter);
}

bool is_spend_limit_exhausted(int status, const ResponseHeaders& headers, std::string_view body) {
    // Matched as text: the shape of the error's `details` object is not documented firmly.
    return status == 429 && !headers.contains("retry-after-ms") &&
           !headers.contains("retry-after") &&
           body.find("enforced_spend_limit_reached") != std::string_view::npos;
}

bool is_retryable(const AttemptOutcome& outcome) {
    if (outcome.transport != errc::ok) {
        // Connection failures and timeouts are retried by the SDKs; a certificate problem, a
        // broken response or a cancellation will not fix itself.
        return outcome.transport == errc::network || outcome.transport == errc::timeout;
    }
    static const ResponseHeaders no_headers;
    const ResponseHeaders& headers = outcome.headers ? *outcome.headers : no_headers;
    // x-should-retry is the server's own verdict and overrides the status rules.
    if (auto verdict = headers.find("x-should-retry")) {
        if (trim(*verdict) == "true") return true;
        if (trim(*verdict) == "false") return false;
    }
    if (is_spend_limit_exhausted(outcome.status, headers, outcome.body)) return false;
    return is_retryable_status(outcome.status);
}

RetryDecision decide_retry(const AttemptOutcome& outcome, int retries_done,
                           const RetrySettings& settings, double jitter_draw,
                           std::chrono::system_clock::time_point now) {
    if (retries_done >= settings.max_retries || !is_retryable(outcome)) return {};
    RetryDecision decision{.retry = true};
    if (outcome.headers) {
        auto suggested = server_retry_delay(*outcome.headers, now);
        if (suggested && *suggested > Millis::zero() && *suggested <= settings.max_retry_after) {
            decision.delay = std::chrono::ceil<std::chrono::milliseconds>(*suggested);
            decision.delay_from_server = true;
            return decision;
        }
    }
    decision.delay = backoff_delay(retries_done, jitter_draw);
    return decision;
}

} // namespace mcqgen::detail::claude
