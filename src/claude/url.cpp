#include "claude/url.hpp"

#include "core/text.hpp"

#include <mcqgen/errors.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mcqgen::detail::claude {
namespace {

[[noreturn]] void reject(std::string_view url, std::string_view why) {
    throw Error(errc::invalid_argument,
                "invalid base_url \"" + std::string{url} + "\": " + std::string{why});
}

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

bool is_ipv6_char(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

// Unreserved and sub-delimiter characters plus '/', '%', ':' and '@' (RFC 3986 path segments).
bool is_path_char(char c) {
    static constexpr std::string_view extra = "-._~!$&'()*+,;=:@/%";
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
}

std::uint16_t parse_port(std::string_view url, std::string_view digits) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
        reject(url, "the port must be a number from 1 to 65535");
    }
    return static_cast<std::uint16_t>(value);
}

// Splits "host[:port]" or "[v6][:port]" into the parts of `out`.
void parse_authority(std::string_view url, std::string_view authority, BaseUrl& out) {
    if (authority.find('@') != std::string_view::npos) {
        // Not echoing the URL here: user info may hold a secret.
        throw Error(errc::invalid_argument,
                    "invalid base_url: user info is not supported (the key goes in x-api-key)");
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) reject(url, "unterminated IPv6 literal");
        host = authority.substr(1, close - 1);
        auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) reject(url, "junk after the IPv6 literal");
            port = rest.substr(1);
            if (port.empty()) reject(url, "empty port");
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char)) {
            reject(url, "malformed IPv6 literal");
        }
        out.ipv6_literal = true;
    } else {
        auto colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty()) reject(url, "empty port");
        }
        if (host.empty()) reject(url, "no host");
        if (!std::all_of(host.begin(), host.end(), is_host_char)) {
            reject(url, "the host contains characters a host name cannot have");
        }
    }
    out.host = lower(host);
    if (!port.empty()) out.port = parse_port(url, port);
}

void parse_path(std::string_view url, std::string_view path, BaseUrl& out) {
    if (!std::all_of(path.begin(), path.end(), is_path_char)) {
        reject(url, "the path contains a character that is not allowed (query, fragment, space?)");
    }
    while (path.ends_with('/'))
        path.remove_suffix(1);
    out.path_prefix = std::string{path};
}

} // namespace

std::string BaseUrl::host_header() const {
    std::string out = ipv6_literal ? "[" + host + "]" : host;
    const std::uint16_t default_port = tls ? 443 : 80;
    if (port != default_port) out += ":" + std::to_string(port);
    return out;
}

std::string BaseUrl::authority() const {
    return (ipv6_literal ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

BaseUrl parse_base_url(std::string_view url, bool allow_insecure_http) {
    if (url.empty()) reject(url, "empty");
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) reject(url, "expected https://host[:port]");
    BaseUrl out;
    const std::string scheme = lower(url.substr(0, scheme_end));
    if (scheme == "https") {
        out.tls = true;
        out.port = 443;
    } else if (scheme == "http") {
        if (!allow_insecure_http) {
            reject(url, "http:// sends the API key in clear text; use https:// "
                        "(or allow_insecure_http for a local test server)");
        }
        out.tls = false;
        out.port = 80;
    } else {
        reject(url, "the scheme must be https");
    }
    auto rest = url.substr(scheme_end + 3);
    auto path_start = rest.find('/');
    auto authority = rest.substr(0, path_start);
    // A '?' or '#' right after the host would otherwise pass as part of the authority.
    if (authority.find_first_of("?#") != std::string_view::npos) {
        reject(url, "a query or fragment is not allowed");
    }
    parse_authority(url, authority, out);
    if (path_start != std::string_view::npos) parse_path(url, rest.substr(path_start), out);
    return out;
}

} // namespace mcqgen::detail::claude
