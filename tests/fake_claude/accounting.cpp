// Statistics and the requests-per-minute budget.
#include "messages_api.hpp"

#include <algorithm>

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
    update([](Stats& s) {
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
void StatsBoard::count_author() {
    update([](Stats& s) { ++s.author_requests; });
}
void StatsBoard::count_judge() {
    update([](Stats& s) { ++s.judge_requests; });
}
void StatsBoard::count_429() {
    update([](Stats& s) { ++s.responses_429; });
}
void StatsBoard::count_fault() {
    update([](Stats& s) { ++s.faults_injected; });
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

} // namespace fake_claude::detail
