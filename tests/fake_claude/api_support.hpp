#pragma once
// What every endpoint of the fake API shares: error bodies, ids, timestamps, the key check.

#include "messages_api.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fake_claude::detail {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// A request the API refuses; becomes the standard error body.
struct ApiError {
    int status;
    std::string type;
    std::string message;
    Headers headers = {};
    bool token_budget = false; ///< a 429 from the input or output token budget
};

/// @throws ApiError 400 invalid_request_error with `message`.
[[noreturn]] void invalid(std::string message);

/// `prefix` and 24 random letters and digits, as the API's ids ("req_...", "msgbatch_...").
std::string random_id(std::string_view prefix);
/// The API's error body: {"type":"error","error":{"type","message"},"request_id"}.
std::string error_body(std::string_view type, std::string_view message,
                       std::string_view request_id);
std::string rfc3339(std::chrono::system_clock::time_point when); ///< UTC, whole seconds
uint64_t fnv1a(std::string_view text, uint64_t hash = 14695981039346656037ull);
bool iequals_prefix(std::string_view text, std::string_view prefix); ///< prefix in lower case
std::string_view path_of(std::string_view target);                   ///< without the query
HttpReply json_reply(int status, std::string body);

/// Throws the API error an HTTP-level fault stands for (429, 529, 500, 503,
/// should_not_retry); returns for every other fault.
void raise_error_fault(FaultKind fault);

/// The checks every API endpoint makes first: the key (401) and anthropic-version (400).
/// @throws ApiError
void check_api_headers(const HttpRequest& request, std::string_view api_key);

} // namespace fake_claude::detail
