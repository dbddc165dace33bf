#pragma once
// An HTTPS client for the Claude API on a single-threaded io_context: a pool of keep-alive TLS
// connections, bounded concurrency, the official SDKs' retry policy, and rate-limit pacing.
//
// Threads: every method must be called on the thread running the io_context, and every
// completion runs there too. Nothing here is thread-safe; the generator serialises on its
// io_context.

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

struct ClientOptions {
    std::string base_url;    ///< "https://host[:port]" (http:// only when allow_insecure_http)
    std::string api_key;     ///< sent as x-api-key, nowhere else
    std::string api_version; ///< anthropic-version header
    int max_concurrency = 8;
    int max_retries = 2;
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds request_timeout{600'000};
    std::chrono::milliseconds max_retry_after{60'000};
    std::string ca_file;
    bool verify_tls = true;
    bool allow_insecure_http = false;
    std::function<void(std::string_view)> log; ///< may be empty; never given the key
    /// A larger response body fails the call with errc::bad_response.
    std::size_t max_response_bytes = 64 * 1024 * 1024;
};

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
    /// @throws Error(errc::invalid_argument) for a malformed or insecure base_url,
    ///         Error(errc::tls) when the CA file cannot be loaded.
    HttpsClient(boost::asio::io_context& io, ClientOptions options);
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
