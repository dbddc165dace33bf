// Statistics, the request and token budgets, and how the fake counts tokens.
#include "messages_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <vector>

namespace fake_claude::detail {

template <class Change> void StatsBoard::update(Change change) {
    {
        const std::lock_guard lock(mutex_);
        change(stats_);
    }
    changed_.notify_all();
}

Stats StatsBoard::snapshot() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

void StatsBoard::reset() {
    update([this](Stats& s) {
        input_window_ = {};
        output_window_ = {};
        const int in_flight = s.in_flight, open_connections = s.open_connections;
        s = Stats{};
        s.in_flight = in_flight;
        s.peak_in_flight = in_flight;
        s.open_connections = open_connections;
    });
}

bool StatsBoard::wait_until(const std::function<bool(const Stats&)>& condition,
                            std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return condition(stats_); });
}

void StatsBoard::connection_opened() {
    update([](Stats& s) {
        ++s.connections_accepted;
        ++s.open_connections;
    });
}

void StatsBoard::connection_closed() {
    update([](Stats& s) { --s.open_connections; });
}

void StatsBoard::request_started() {
    update([](Stats& s) { s.peak_in_flight = std::max(s.peak_in_flight, ++s.in_flight); });
}

void StatsBoard::request_finished() {
    update([](Stats& s) { --s.in_flight; });
}

void StatsBoard::count_request(std::string_view user_agent) {
    update([&](Stats& s) {
        ++s.requests;
        s.last_user_agent = user_agent;
    });
}
void StatsBoard::add(int64_t Stats::*counter, int64_t amount) {
    update([&](Stats& s) { s.*counter += amount; });
}
void StatsBoard::count_author() {
    update([](Stats& s) { ++s.author_requests; });
}
void StatsBoard::count_judge(const std::string& model) {
    update([&](Stats& s) {
        ++s.judge_requests;
        ++s.judge_requests_by_model[model];
    });
}
void StatsBoard::count_429(bool token_budget) {
    update([&](Stats& s) {
        ++s.responses_429;
        if (token_budget) ++s.responses_429_tokens;
    });
}
void StatsBoard::count_400() {
    update([](Stats& s) { ++s.responses_400; });
}
void StatsBoard::count_413() {
    update([](Stats& s) { ++s.responses_413; });
}
void StatsBoard::count_fault() {
    update([](Stats& s) { ++s.faults_injected; });
}

int64_t StatsBoard::Window::add(int64_t tokens, std::chrono::milliseconds minute) {
    const auto now = std::chrono::steady_clock::now();
    while (!entries.empty() && entries.front().first + minute <= now) {
        sum -= entries.front().second;
        entries.pop_front();
    }
    entries.emplace_back(now, tokens);
    return sum += tokens;
}

void StatsBoard::count_input_tokens(int64_t tokens) {
    update([&](Stats& s) {
        s.input_tokens += tokens;
        s.peak_input_tokens_per_minute =
            std::max(s.peak_input_tokens_per_minute, input_window_.add(tokens, minute_));
    });
}

void StatsBoard::count_output_tokens(int64_t tokens) {
    update([&](Stats& s) {
        s.output_tokens += tokens;
        s.peak_output_tokens_per_minute =
            std::max(s.peak_output_tokens_per_minute, output_window_.add(tokens, minute_));
    });
}

RequestBudget::Decision RequestBudget::admit(Clock::time_point now) {
    constexpr auto window = std::chrono::seconds(60);
    Decision decision;
    if (!limited()) return decision;
    while (!admitted_.empty() && admitted_.front() + window <= now)
        admitted_.pop_front();
    decision.admitted = static_cast<int>(admitted_.size()) < limit_;
    if (decision.admitted) admitted_.push_back(now);
    decision.remaining = limit_ - static_cast<int>(admitted_.size());
    decision.reset = (admitted_.empty() ? now : admitted_.back()) + window;
    if (!decision.admitted) {
        // Whole seconds, rounded up, and never 0: retrying sooner would only be refused again.
        const auto until_free = admitted_.front() + window - now;
        const auto seconds = std::chrono::ceil<std::chrono::seconds>(until_free);
        decision.retry_after = std::max(seconds, std::chrono::seconds(1));
    }
    return decision;
}

TokenBucket::TokenBucket(int64_t limit, std::chrono::milliseconds minute, Clock::time_point now)
    : limit_(limit), minute_(minute), level_(static_cast<double>(limit)), updated_(now) {
    if (limit < 0) throw std::invalid_argument("a token budget must be >= 0");
    if (minute.count() < 1) throw std::invalid_argument("the token minute must be >= 1 ms");
}

double TokenBucket::per_second() const {
    return static_cast<double>(limit_) * 1000.0 / static_cast<double>(minute_.count());
}

void TokenBucket::refill(Clock::time_point now) {
    if (now <= updated_) return;
    const std::chrono::duration<double> elapsed = now - updated_;
    level_ = std::min(static_cast<double>(limit_), level_ + elapsed.count() * per_second());
    updated_ = now;
}

int64_t TokenBucket::remaining(Clock::time_point now) {
    refill(now);
    return static_cast<int64_t>(std::floor(level_));
}

bool TokenBucket::has(int64_t tokens, Clock::time_point now) {
    refill(now);
    return static_cast<double>(tokens) <= level_;
}

void TokenBucket::take(int64_t tokens, Clock::time_point now) {
    refill(now);
    level_ -= static_cast<double>(tokens);
}

void TokenBucket::give_back(int64_t tokens, Clock::time_point now) {
    refill(now);
    level_ = std::min(static_cast<double>(limit_), level_ + static_cast<double>(tokens));
}

TokenBucket::Clock::time_point TokenBucket::full_at(Clock::time_point now) {
    refill(now);
    const double seconds = (static_cast<double>(limit_) - level_) / per_second();
    return now +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::chrono::seconds TokenBucket::wait_for(int64_t tokens, Clock::time_point now) {
    refill(now);
    const double wanted = static_cast<double>(std::min(tokens, limit_));
    const double seconds = std::max(0.0, (wanted - level_) / per_second());
    return std::max(std::chrono::seconds(1),
                    std::chrono::seconds(static_cast<int64_t>(std::ceil(seconds))));
}

int64_t tokens_in(size_t bytes) {
    return static_cast<int64_t>((bytes + 3) / 4);
}

namespace {

/// "claude-opus-4-6-20260101" -> {"opus", 4, 6}; the minor is 0 when absent or a date.
struct ModelVersion {
    std::string_view family;
    int major = 0;
    int minor = 0;
};

std::optional<int> small_number(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.size() > 2)
        return std::nullopt;
    return value;
}

std::optional<ModelVersion> model_version(std::string_view model) {
    constexpr std::string_view prefix = "claude-";
    if (!model.starts_with(prefix)) return std::nullopt;
    model.remove_prefix(prefix.size());
    std::vector<std::string_view> parts;
    for (size_t start = 0; start <= model.size();) {
        const size_t end = std::min(model.find('-', start), model.size());
        parts.push_back(model.substr(start, end - start));
        start = end + 1;
    }
    // Old ids put the version first ("claude-3-5-sonnet-..."): none of them has a large window.
    if (parts.size() < 2 || parts[0].empty() ||
        !std::isalpha(static_cast<unsigned char>(parts[0][0])))
        return std::nullopt;
    const auto major = small_number(parts[1]);
    if (!major) return std::nullopt;
    const auto minor = parts.size() > 2 ? small_number(parts[2]) : std::nullopt;
    return ModelVersion{parts[0], *major, minor.value_or(0)};
}

} // namespace

} // namespace fake_claude::detail

namespace fake_claude {

int64_t context_window_of(std::string_view model) {
    constexpr int64_t standard = 200'000, large = 1'000'000;
    const auto version = detail::model_version(model);
    if (!version) return standard;
    if (version->major >= 5) return large;
    const bool opus_or_sonnet = version->family == "opus" || version->family == "sonnet";
    if (opus_or_sonnet && version->major == 4 && version->minor >= 6) return large;
    return standard;
}

} // namespace fake_claude
