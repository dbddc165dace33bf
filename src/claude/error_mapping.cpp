#include "claude/error_mapping.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <optional>

namespace mcqgen::detail::claude {
namespace {

// Long enough for any message the API writes, short enough for a log line.
constexpr std::size_t max_quoted_chars = 300;

// One line, printable, bounded: the text comes from the network.
std::string sanitize(std::string_view text) {
    std::string out;
    out.reserve(std::min(text.size(), max_quoted_chars));
    for (char c : text) {
        if (out.size() >= max_quoted_chars) {
            out += "...";
            break;
        }
        const auto byte = static_cast<unsigned char>(c);
        out += (byte < 0x20 || byte == 0x7f) ? ' ' : c;
    }
    return out;
}

std::string string_at(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (!value || !value->is_string()) return {};
    return std::string{value->get_string()};
}

struct ApiError {
    std::string type;
    std::string message;
    std::string request_id;
};

// {"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}
std::optional<ApiError> parse_api_error(std::string_view body) {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& root = value.get_object();
    const auto* error = root.if_contains("error");
    if (!error || !error->is_object()) return std::nullopt;
    return ApiError{string_at(error->get_object(), "type"),
                    string_at(error->get_object(), "message"), string_at(root, "request_id")};
}

} // namespace

errc errc_for_status(int status) {
    if (status == 401 || status == 403) return errc::auth;
    if (status == 429) return errc::rate_limited;
    if (status == 408 || status == 504) return errc::timeout;
    if (status >= 500) return errc::server;
    return errc::bad_response;
}

MappedError map_http_error(int status, std::string_view body, std::string_view request_id) {
    std::string message = "HTTP " + std::to_string(status);
    std::string id{request_id};
    if (auto api = parse_api_error(body)) {
        if (!api->type.empty()) message += " " + sanitize(api->type);
        if (!api->message.empty()) message += ": " + sanitize(api->message);
        if (id.empty()) id = api->request_id;
    } else if (!body.empty()) {
        message += ": \"" + sanitize(body) + "\"";
    }
    if (!id.empty()) message += " (request-id " + sanitize(id) + ")";
    return {errc_for_status(status), std::move(message)};
}

MappedError describe_transport_failure(errc kind, std::string_view step, std::string_view detail) {
    std::string message{step};
    switch (kind) {
    case errc::timeout:
        message += " timed out";
        break;
    case errc::cancelled:
        message += " was cancelled";
        break;
    default:
        message += " failed";
        break;
    }
    if (!detail.empty()) message += ": " + sanitize(detail);
    return {kind, std::move(message)};
}

} // namespace mcqgen::detail::claude
