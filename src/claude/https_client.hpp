#pragma once
// An HTTPS client for the Claude API on a single-threaded io_context: a pool of keep-alive TLS
// connections, bounded concurrency, the official SDKs' retry policy, and rate-limit pacing.
//
// Threads: every method must be called on the thread running the io_context, and every
// completion runs there too. Nothing here is thread-safe; the generator serialises on its
// io_context.

#include <mcqgen/config.hpp>
#include <mcqgen/errors.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace mcqgen::detail::claude {

/// The outcome of one logical call (after retries).
struct ApiResponse {
    int status = 0;         ///< last HTTP status, 0 if none arrived
    std::string body;       ///< last response body
    std::string request_id; ///< the `request-id` header of the last response
    int attempts = 0;       ///< HTTP attempts made for this call
    errc error = errc::ok;  ///< ok for a 2xx; otherwise the mapped failure
    std::string message;    ///< for failures: what happened, with the API's own message
};

struct ClientStats {
    std::int64_t connections_opened = 0;
    std::int64_t attempts = 0;
    std::int64_t retries = 0;
    int in_flight = 0;
    int peak_in_flight = 0;
    int open_connections = 0;      ///< TLS connections that exist now (pooled or in use)
    int peak_open_connections = 0; ///< never above max_concurrency
};

class HttpsClient {
  public:
    using Log = std::function<void(std::string_view)>;
    /// Generous for any API response; a larger body fails the call with errc::bad_response.
    static constexpr std::size_t default_max_response_bytes = 64 * 1024 * 1024;

    /// `log` may be empty and is never given the key.
    /// @throws Error(errc::invalid_argument) for a malformed or insecure base_url,
    ///         Error(errc::tls) when the CA file cannot be loaded.
    HttpsClient(boost::asio::io_context& io, HttpOptions options, Log log = {},
                std::size_t max_response_bytes = default_max_response_bytes);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    /// POSTs a JSON body to `path` (e.g. "/v1/messages"). `done` runs exactly once, on the
    /// io_context thread, never inside this call.
    void post(std::string path, std::string body, std::function<void(ApiResponse)> done);

    /// Aborts queued and in-flight calls (they complete with errc::cancelled) and closes
    /// the pooled connections. Later posts complete with errc::cancelled at once.
    void cancel();

    ClientStats stats() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace mcqgen::detail::claude
