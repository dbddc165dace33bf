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
    /// The request went out whole but no response came back: the server may have acted on it.
    bool unanswered = false;
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

    enum class Method { get, post, del };
    /// Whether a request that went out and got no answer may be sent again. The SDKs resend
    /// every call; a batch create must not be: the batch may exist and only its answer was lost.
    enum class Resend { when_unanswered, never_unanswered };
    /// Called with each piece of a streamed body; false aborts the download.
    using OnData = std::function<bool(std::string_view)>;

    /// Sends `method` to `path` (e.g. "/v1/messages") with the API's authentication headers;
    /// `body`, JSON, is sent for post only (get and del send neither a body nor a content-type).
    /// Every method is retried on the same rules, as the SDKs do, except that with
    /// Resend::never_unanswered a request written whole that got no response is not sent again
    /// (ApiResponse::unanswered says so; answers such as 429 or 529 are still retried). A body
    /// larger than max_response_bytes fails the call with errc::bad_response. `done` runs
    /// exactly once, on the io_context thread, never inside this call.
    void call(Method method, std::string path, std::string body,
              std::function<void(ApiResponse)> done, Resend resend = Resend::when_unanswered);

    /// call(Method::post, ...).
    void post(std::string path, std::string body, std::function<void(ApiResponse)> done);

    /// A GET whose 2xx body is handed to `on_data` in pieces of at most stream_piece_bytes as
    /// they arrive, however large it is (ApiResponse::body stays empty, max_response_bytes does
    /// not apply); a non-2xx body is read whole into ApiResponse as call() does. While the body
    /// streams, request_timeout bounds each wait for more of it rather than the whole attempt.
    ///
    /// Retried as call() is as long as nothing has been handed to `on_data`. A failure after
    /// that (reset, timeout, a body that ends before its Content-Length or last chunk) is not
    /// retried: `done` gets its errc (network, timeout ...) with a message saying the download
    /// broke off, and the caller starts it again. When `on_data` returns false the download
    /// stops and `done` gets errc::cancelled. `on_data` and `done` run on the io_context
    /// thread; `on_data` must not throw.
    void get_stream(std::string path, OnData on_data, std::function<void(ApiResponse)> done);

    /// The largest piece get_stream hands to `on_data`: with the read buffer it bounds the
    /// memory a download takes.
    static constexpr std::size_t stream_piece_bytes = 32 * 1024;

    /// Aborts queued and in-flight calls and downloads (they complete with errc::cancelled)
    /// and closes the pooled connections. Later calls complete with errc::cancelled at once.
    void cancel();

    ClientStats stats() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace mcqgen::detail::claude
