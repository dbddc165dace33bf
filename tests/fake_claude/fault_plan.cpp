#include "fault_plan.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string>
#include <utility>

namespace fake_claude::detail {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 17> fault_names{{
    {FaultKind::rate_limited, "429"},
    {FaultKind::overloaded, "529"},
    {FaultKind::server_error, "500"},
    {FaultKind::unavailable, "503"},
    {FaultKind::should_not_retry, "should_not_retry"},
    {FaultKind::reset_before, "reset_before"},
    {FaultKind::reset_mid, "reset_mid"},
    {FaultKind::stall, "stall"},
    {FaultKind::malformed, "malformed"},
    {FaultKind::truncated, "truncated"},
    {FaultKind::text_only, "text_only"},
    {FaultKind::max_tokens, "max_tokens"},
    {FaultKind::wrong_shape, "wrong_shape"},
    {FaultKind::refusal, "refusal"},
    {FaultKind::item_errored, "item_errored"},
    {FaultKind::item_expired, "item_expired"},
    {FaultKind::item_canceled, "item_canceled"},
}};

constexpr std::array<std::pair<FaultScope, std::string_view>, fault_scope_count> scope_names{{
    {FaultScope::messages, "messages"},
    {FaultScope::create, "create"},
    {FaultScope::retrieve, "retrieve"},
    {FaultScope::list, "list"},
    {FaultScope::cancel, "cancel"},
    {FaultScope::remove, "delete"},
    {FaultScope::results, "results"},
    {FaultScope::item, "item"},
}};

bool is_item_kind(FaultKind kind) {
    return kind == FaultKind::item_errored || kind == FaultKind::item_expired ||
           kind == FaultKind::item_canceled;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

[[noreturn]] void reject(std::string_view item, std::string_view why) {
    throw std::invalid_argument("fault spec item '" + std::string(item) + "': " + std::string(why));
}

FaultKind kind_from_name(std::string_view item, std::string_view name) {
    for (const auto& [kind, kind_name] : fault_names)
        if (kind_name == name) return kind;
    reject(item, "unknown fault kind '" + std::string(name) + "'");
}

double parse_probability(std::string_view item, std::string_view text) {
    double value = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || !(value >= 0 && value <= 1))
        reject(item, "the rate after '@' must be a number in [0, 1]");
    return value;
}

int64_t parse_ordinal(std::string_view item, std::string_view text) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 1)
        reject(item, "the request number after '#' must be an integer >= 1");
    return value;
}

FaultScope scope_from_name(std::string_view item, std::string_view name) {
    for (const auto& [scope, scope_name] : scope_names)
        if (scope_name == name && scope != FaultScope::item) return scope;
    reject(item, "unknown scope '" + std::string(name) + "'");
}

// "KIND" or "KIND@SCOPE": a scope starts with a letter, a rate with a digit.
std::pair<FaultKind, FaultScope> kind_and_scope(std::string_view item, std::string_view text) {
    const auto at = text.find('@');
    const auto kind = kind_from_name(item, trim(text.substr(0, at)));
    if (is_item_kind(kind)) {
        if (at != std::string_view::npos) reject(item, "an item_* fault takes no scope");
        return {kind, FaultScope::item};
    }
    if (at == std::string_view::npos) return {kind, FaultScope::messages};
    return {kind, scope_from_name(item, trim(text.substr(at + 1)))};
}

} // namespace

std::string_view scope_name(FaultScope scope) {
    for (const auto& [known, name] : scope_names)
        if (known == scope) return name;
    return "unknown";
}

std::string_view fault_kind_name(FaultKind kind) {
    for (const auto& [known, name] : fault_names)
        if (known == kind) return name;
    return "unknown";
}

FaultPlan::Item FaultPlan::parse_item(std::string_view text) {
    if (text.ends_with('*')) {
        const auto [kind, scope] = kind_and_scope(text, text.substr(0, text.size() - 1));
        return {kind, scope, Trigger::always};
    }
    // The trigger is the last '#', or the last '@' followed by a rate.
    auto mark = text.find_last_of('#');
    if (mark == std::string_view::npos) {
        mark = text.find_last_of('@');
        if (mark != std::string_view::npos &&
            (mark + 1 == text.size() || std::isalpha(static_cast<unsigned char>(text[mark + 1]))))
            mark = std::string_view::npos;
    }
    if (mark == std::string_view::npos) reject(text, "needs a trigger: @RATE, #N or *");
    const auto [kind, scope] = kind_and_scope(text, text.substr(0, mark));
    const auto argument = trim(text.substr(mark + 1));
    if (text[mark] == '@')
        return {kind, scope, Trigger::probability, parse_probability(text, argument)};
    return {kind, scope, Trigger::nth, 0, parse_ordinal(text, argument)};
}

FaultPlan FaultPlan::parse(std::string_view spec) {
    FaultPlan plan;
    if (trim(spec).empty()) return plan;
    while (true) {
        const auto comma = spec.find(',');
        const auto item = trim(spec.substr(0, comma));
        if (item.empty()) throw std::invalid_argument("fault spec has an empty item");
        plan.items_.push_back(parse_item(item));
        if (comma == std::string_view::npos) break;
        spec.remove_prefix(comma + 1);
    }
    return plan;
}

std::optional<FaultKind> FaultPlan::next(std::mt19937_64& rng, FaultScope scope) {
    const int64_t request_number = ++requests_seen_[static_cast<int>(scope)];
    for (const auto& item : items_) {
        if (item.scope != scope) continue;
        switch (item.trigger) {
        case Trigger::always:
            return item.kind;
        case Trigger::nth:
            if (item.nth == request_number) return item.kind;
            break;
        case Trigger::probability:
            if (std::uniform_real_distribution<double>(0, 1)(rng) < item.probability)
                return item.kind;
            break;
        }
    }
    return std::nullopt;
}

} // namespace fake_claude::detail
