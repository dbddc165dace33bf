// What every endpoint of the fake API shares: error bodies, ids, timestamps, the key check.
#include "api_support.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <random>

namespace fake_claude::detail {
namespace json = boost::json;

void invalid(std::string message) {
    throw ApiError{400, "invalid_request_error", std::move(message)};
}

std::string random_id(std::string_view prefix) {
    static constexpr std::string_view alphabet =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string id(prefix);
    for (int i = 0; i < 24; ++i)
        id += alphabet[rng() % alphabet.size()];
    return id;
}

std::string error_body(std::string_view type, std::string_view message,
                       std::string_view request_id) {
    return json::serialize(json::object{
        {"type", "error"},
        {"error", json::object{{"type", type}, {"message", message}}},
        {"request_id", request_id},
    });
}

std::string rfc3339(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

uint64_t fnv1a(std::string_view text, uint64_t hash) {
    for (unsigned char c : text)
        hash = (hash ^ c) * 1099511628211ull;
    return hash;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

HttpReply json_reply(int status, std::string body) {
    HttpReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
}

void raise_error_fault(FaultKind fault) {
    switch (fault) {
    case FaultKind::rate_limited:
        throw ApiError{429,
                       "rate_limit_error",
                       "Rate limited (injected fault)",
                       {{"retry-after-ms", "100"}, {"retry-after", "1"}}};
    case FaultKind::overloaded:
        throw ApiError{529, "overloaded_error", "Overloaded (injected fault)"};
    case FaultKind::server_error:
        throw ApiError{500, "api_error", "Internal server error (injected fault)"};
    case FaultKind::unavailable:
        throw ApiError{503, "api_error", "Service unavailable (injected fault)"};
    case FaultKind::should_not_retry:
        throw ApiError{500,
                       "api_error",
                       "Internal server error, not retryable (injected fault)",
                       {{"x-should-retry", "false"}}};
    default:
        return;
    }
}

void check_api_headers(const HttpRequest& request, std::string_view api_key) {
    if (request.header("x-api-key").empty())
        throw ApiError{401, "authentication_error", "x-api-key header is required"};
    if (request.header("x-api-key") != api_key)
        throw ApiError{401, "authentication_error", "invalid x-api-key"};
    if (!request.has_header("anthropic-version")) invalid("anthropic-version: header is required");
}

} // namespace fake_claude::detail
