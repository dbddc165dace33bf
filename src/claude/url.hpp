#pragma once
// The API base URL, parsed once when the client is built.

#include <cstdint>
#include <string>
#include <string_view>

namespace mcqgen::detail::claude {

struct BaseUrl {
    bool tls = true;          ///< https (false only for an allowed http:// URL)
    std::string host;         ///< lower case, without the brackets of an IPv6 literal
    std::uint16_t port = 443; ///< explicit, or the scheme's default
    std::string path_prefix;  ///< "" or "/prefix" without a trailing slash
    bool ipv6_literal = false;

    /// The value of the Host header: the host, bracketed if IPv6, with the port if not default.
    std::string host_header() const;
    /// "host:port" for messages.
    std::string authority() const;
    /// The request target for an API path such as "/v1/messages".
    std::string target(std::string_view path) const { return path_prefix + std::string{path}; }
};

/// Parses "https://host[:port][/prefix]".
/// @throws Error(errc::invalid_argument) for anything malformed: another scheme, no host, a bad
///         port, user info, a query or fragment, spaces or control characters; and for http://
///         unless `allow_insecure_http`.
BaseUrl parse_base_url(std::string_view url, bool allow_insecure_http);

} // namespace mcqgen::detail::claude
