#pragma once
// Failed calls → the `mcqgen::errc` the caller sees and a message that says what happened.
//
// HTTP statuses (Anthropic's errors page): 401/403 → auth, 429 → rate_limited, 408/504 →
// timeout, other 5xx (500, 529 ...) → server, any other status → bad_response. The message
// carries the status, the API's `error.type` and `error.message`, and the request id, which is
// what Anthropic support asks for.
//
// Transport failures are classified from Asio/Beast/OpenSSL codes in https_client.cpp (the only
// file that sees those libraries) and phrased here.

#include <mcqgen/errors.hpp>

#include <string>
#include <string_view>

namespace mcqgen::detail::claude {

struct MappedError {
    errc code = errc::ok;
    std::string message;
};

/// The errc for a non-2xx HTTP status.
errc errc_for_status(int status);

/// A non-2xx response → its errc and a message such as
/// "HTTP 429 rate_limit_error: Number of requests ... (request-id req_011...)".
/// `body` may be anything: a non-JSON body (a proxy's HTML page) is quoted, shortened.
MappedError map_http_error(int status, std::string_view body, std::string_view request_id);

/// A failure without a response. `kind` is network, tls, timeout, cancelled or bad_response;
/// `step` says what was being done ("TLS handshake with api.anthropic.com:443"); `detail` is
/// the library's reason ("certificate verify failed").
MappedError describe_transport_failure(errc kind, std::string_view step, std::string_view detail);

} // namespace mcqgen::detail::claude
