#include "claude/https_client.hpp"

#include "claude/error_mapping.hpp"
#include "claude/rate_limiter.hpp"
#include "claude/response_headers.hpp"
#include "claude/retry_policy.hpp"
#include "claude/url.hpp"
#include "core/text.hpp"

#include <mcqgen/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/none.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <exception>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace mcqgen::detail::claude {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;
using Method = HttpsClient::Method;
using OnData = HttpsClient::OnData;
using namespace std::chrono_literals;

// Errors are expected on every step (timeouts, resets, cancellation) and handled as values.
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view user_agent = "mcqgen/" MCQGEN_VERSION_STRING;
// Generous for any API response; Beast's default of 8 KiB is not.
constexpr std::uint32_t max_header_bytes = 64 * 1024;
// A close_notify exchange with a server that is closing anyway takes one round trip.
constexpr auto graceful_close_timeout = 1s;

// Runs a callable when the scope ends, also when a coroutine frame is destroyed unfinished.
template <class F> class ScopeExit {
  public:
    explicit ScopeExit(F f) : f_(std::move(f)) {}
    ~ScopeExit() { f_(); }
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;

  private:
    F f_;
};

// Points `slot` at `target` for the lifetime of this object, so cancel() can reach whatever a
// call is waiting on right now and never sees a dangling pointer.
template <class T> class Attach {
  public:
    Attach(T*& slot, T* target) : slot_(slot) { slot_ = target; }
    ~Attach() { slot_ = nullptr; }
    Attach(const Attach&) = delete;
    Attach& operator=(const Attach&) = delete;

  private:
    T*& slot_;
};

std::string_view method_name(Method method) {
    switch (method) {
    case Method::get:
        return "GET";
    case Method::post:
        return "POST";
    case Method::del:
        return "DELETE";
    }
    return "POST";
}

http::verb verb_of(Method method) {
    switch (method) {
    case Method::get:
        return http::verb::get;
    case Method::post:
        return http::verb::post;
    case Method::del:
        return http::verb::delete_;
    }
    return http::verb::post;
}

bool has_control_chars(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

// The call loop reports every failure as a value; an exception escaping it is a bug in here.
ApiResponse bug_report(std::exception_ptr failure) {
    ApiResponse response;
    response.error = errc::internal;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        response.message = std::string{"HTTPS client bug: "} + e.what();
    } catch (...) {
        response.message = "HTTPS client bug: unknown exception";
    }
    return response;
}

bool is_ip_literal(const std::string& host) {
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// TCP keep-alive with the Python SDK's values (_DefaultHttpxClient: idle 60 s, interval 60 s,
// 5 probes), so a long request on a quiet connection is not dropped by a middlebox; no Nagle
// delay for the request head. Failures are harmless: these only tune the connection.
void tune_socket(tcp::socket& socket) {
    beast::error_code ignored;
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    socket.set_option(tcp::no_delay(true), ignored);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    const int idle = 60, interval = 60, count = 5;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
#endif
}

// One pooled connection. It counts itself in the client's statistics while it exists.
struct Session {
    Session(asio::io_context& io, ssl::context& tls_context, bool use_tls, ClientStats& stats)
        : stream(io, tls_context), tls(use_tls), stats(stats) {
        ++stats.open_connections;
        ++stats.connections_opened;
        stats.peak_open_connections = std::max(stats.peak_open_connections, stats.open_connections);
    }
    ~Session() { --stats.open_connections; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    beast::tcp_stream& tcp() { return stream.next_layer(); }
    void close() { tcp().close(); }

    // An idle HTTP/1.1 connection has nothing to read; if it is readable the server has closed
    // it (or sent close_notify or junk), so it must not carry the next request. This is the
    // check httpcore makes before reusing a pooled connection.
    bool closed_while_idle() {
        if (!tcp().socket().is_open()) return true;
        pollfd poller{tcp().socket().native_handle(), POLLIN, 0};
        return ::poll(&poller, 1, 0) != 0;
    }

    // Runs `op` on the TLS stream or, for an allowed http:// URL, on the TCP stream below it.
    template <class Op> auto on_stream(Op&& op) { return tls ? op(stream) : op(tcp()); }

    ssl::stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    bool tls;
    bool reused = false;
    ClientStats& stats;
};

// What a call is waiting on at the moment, so cancel() can interrupt it.
struct CallContext {
    asio::steady_timer* timer = nullptr;
    tcp::resolver* resolver = nullptr;
    Session* session = nullptr;
};

// What one attempt produced.
struct Exchange {
    MappedError failure;           // code ok when a whole response arrived
    bool stale_connection = false; // a reused connection failed before any answer arrived
    bool sent = false;             // the request was written whole
    std::size_t streamed = 0;      // body bytes handed to the caller's OnData
    bool aborted = false;          // the OnData asked to stop
    int status = 0;                // of a whole response only
    bool keep_alive = false;
    ResponseHeaders headers;
    std::string request_id;
    std::string body;
};

enum class Step { resolve, connect, handshake, write, read };

} // namespace

struct HttpsClient::Impl {
    Impl(asio::io_context& io, HttpOptions options, Log log, std::size_t max_response_bytes);

    void start(std::shared_ptr<Impl> self, Method method, std::string path, std::string body,
               OnData on_data, Resend resend, std::function<void(ApiResponse)> done);
    asio::awaitable<ApiResponse> run_call(std::shared_ptr<Impl> self, Method method,
                                          std::string path, std::string body, OnData on_data,
                                          Resend resend);
    void cancel_all();

    // Concurrency slots: at most max_concurrency calls are past this gate; the rest wait FIFO.
    struct SlotWaiter;
    asio::awaitable<bool> acquire_slot(CallContext& call);
    void release_slot();

    asio::awaitable<bool> sleep_until(CallContext& call, Clock::time_point when);
    asio::awaitable<Exchange> attempt(CallContext& call, Request& request, const OnData* on_data);
    std::unique_ptr<Session> take_idle_session();
    asio::awaitable<MappedError> connect(CallContext& call, Session& session);
    asio::awaitable<MappedError> handshake(Session& session);
    asio::awaitable<Exchange> exchange(Session& session, Request& request, const OnData* on_data);
    asio::awaitable<void> close_gracefully(Session& session);

    Request make_request(Method method, std::string_view path, std::string body,
                         bool streaming) const;
    MappedError transport_failure(const beast::error_code& ec, Step step, Session* session) const;
    std::string describe_step(Step step) const;
    void note_retry(const std::string& what, const Exchange& result,
                    std::chrono::milliseconds delay, int next_attempt) const;
    void record(ApiResponse& out, Exchange& result, const RateLimiter::Ticket& ticket);
    void record_failure(ApiResponse& out, const MappedError& transport) const;
    void pause_everyone(const ResponseHeaders& headers, const RetryDecision& decision,
                        std::chrono::system_clock::time_point wall_now);
    void log(std::string line) const;
    ApiResponse cancelled_response(ApiResponse response, std::string_view what) const;
    double jitter_draw() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }

    asio::io_context& io;
    HttpOptions options;
    Log log_sink; ///< may be empty; never given the key
    std::size_t max_response_bytes;
    BaseUrl url;
    std::shared_ptr<ssl::context> tls_context;
    RetrySettings retry_settings;
    RateLimiter limiter;
    std::mt19937_64 random{std::random_device{}()};
    ClientStats stats;
    bool cancelled = false;

    int busy_slots = 0;
    std::list<SlotWaiter*> slot_queue;
    std::list<CallContext*> calls;
    std::vector<std::unique_ptr<Session>> idle;
};

// A call queued for a slot. It leaves the queue by itself when destroyed, so a coroutine frame
// torn down with its io_context never leaves a dangling entry behind.
struct HttpsClient::Impl::SlotWaiter {
    SlotWaiter(Impl& impl) : impl(impl), gate(impl.io, asio::steady_timer::time_point::max()) {
        position = impl.slot_queue.insert(impl.slot_queue.end(), this);
    }
    ~SlotWaiter() {
        if (!granted) impl.slot_queue.erase(position);
    }
    SlotWaiter(const SlotWaiter&) = delete;
    SlotWaiter& operator=(const SlotWaiter&) = delete;

    Impl& impl;
    asio::steady_timer gate;
    std::list<SlotWaiter*>::iterator position;
    bool granted = false;
};

// One TLS context per (verification, CA file) for the whole process. Loading the system store
// decodes every certificate of the bundle, tens of milliseconds of CPU: a Generator, and every
// run after a cancellation, would pay it again with a context of its own. A configured
// SSL_CTX is safe to share between threads for creating connections.
std::shared_ptr<ssl::context> shared_tls_context(bool verify, const std::string& ca_file) {
    static std::mutex mutex;
    static std::map<std::pair<bool, std::string>, std::weak_ptr<ssl::context>> contexts;
    std::lock_guard lock(mutex);
    auto& slot = contexts[{verify, ca_file}];
    if (auto existing = slot.lock()) return existing;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    if (verify) {
        context->set_verify_mode(ssl::verify_peer);
        beast::error_code ec;
        context->set_default_verify_paths(ec); // a system without a CA store may use ca_file
        if (!ca_file.empty()) {
            context->load_verify_file(ca_file, ec);
            if (ec)
                throw Error(errc::tls, "cannot load the CA file " + ca_file + ": " + ec.message());
        }
    }
    slot = context;
    return context;
}

HttpsClient::Impl::Impl(asio::io_context& io, HttpOptions opts, Log log,
                        std::size_t max_response_bytes)
    : io(io), options(std::move(opts)), log_sink(std::move(log)),
      max_response_bytes(max_response_bytes),
      url(parse_base_url(options.base_url, options.allow_insecure_http)),
      retry_settings{options.max_retries, options.max_retry_after},
      limiter(options.max_concurrency) {
    if (options.max_concurrency < 1) {
        throw Error(errc::invalid_argument, "max_concurrency must be at least 1");
    }
    if (options.max_retries < 0) throw Error(errc::invalid_argument, "max_retries is negative");
    if (options.api_version.empty()) throw Error(errc::invalid_argument, "api_version is empty");
    // The key itself is never quoted in an error.
    if (has_control_chars(options.api_key)) {
        throw Error(errc::invalid_argument, "the API key contains control characters");
    }
    if (has_control_chars(options.api_version)) {
        throw Error(errc::invalid_argument, "api_version contains control characters");
    }
    tls_context = shared_tls_context(options.verify_tls, options.ca_file);
}

// ---- calls -------------------------------------------------------------------------------

asio::awaitable<ApiResponse> HttpsClient::Impl::run_call(std::shared_ptr<Impl> self, Method method,
                                                         std::string path, std::string body,
                                                         OnData on_data, Resend resend) {
    (void)self; // keeps the Impl alive until the call has finished
    const std::string what = std::string{method_name(method)} + " " + path;
    ApiResponse out;
    CallContext call;
    auto registration = calls.insert(calls.end(), &call);
    ScopeExit unregister{[&] { calls.erase(registration); }};

    if (cancelled || !co_await acquire_slot(call)) co_return cancelled_response(out, what);
    ScopeExit slot{[this] { release_slot(); }};

    Request request = make_request(method, path, std::move(body), on_data != nullptr);
    const RequestCost cost = estimate_cost(request.body());
    int retries = 0;
    bool fresh_connection_retry_left = true;
    for (;;) {
        const auto ticket = limiter.reserve(Clock::now(), cost);
        if (!co_await sleep_until(call, ticket.start)) co_return cancelled_response(out, what);

        request.set("x-stainless-retry-count", std::to_string(out.attempts));
        ++out.attempts;
        ++stats.attempts;
        Exchange result = co_await attempt(call, request, on_data ? &on_data : nullptr);
        if (cancelled) co_return cancelled_response(out, what);

        record(out, result, ticket);
        if (result.aborted) {
            out.error = errc::cancelled;
            out.message = what + " was stopped by its reader after " +
                          std::to_string(result.streamed) + " bytes";
            co_return out;
        }
        if (result.failure.code == errc::ok && result.status / 100 == 2) co_return out;

        // Part of the body is with the caller already: a retry would hand it over again.
        if (result.streamed > 0) {
            record_failure(out, {result.failure.code,
                                 "the download of " + what + " broke off after " +
                                     std::to_string(result.streamed) +
                                     " bytes and must be restarted: " + result.failure.message});
            co_return out;
        }

        if (result.sent && result.status == 0 && resend == Resend::never_unanswered) {
            out.unanswered = true;
            record_failure(out, result.failure);
            co_return out;
        }

        // A kept-alive connection the server closed just as the request went out: nothing was
        // answered, so one immediate retry on a new connection is not a real failure.
        if (result.stale_connection && fresh_connection_retry_left) {
            fresh_connection_retry_left = false;
            log("retrying " + what + " at once on a new connection: the kept-alive one was " +
                "closed by the server (" + result.failure.message + ")");
            continue;
        }

        const AttemptOutcome outcome{result.failure.code, result.status, &result.headers, out.body};
        const auto wall_now = std::chrono::system_clock::now();
        const RetryDecision decision =
            decide_retry(outcome, retries, retry_settings, jitter_draw(), wall_now);
        if (result.status == 429) pause_everyone(result.headers, decision, wall_now);
        if (!decision.retry) {
            record_failure(out, result.failure);
            co_return out;
        }
        note_retry(what, result, decision.delay, out.attempts + 1);
        ++retries;
        ++stats.retries;
        if (!co_await sleep_until(call, Clock::now() + decision.delay)) {
            co_return cancelled_response(out, what);
        }
    }
}

void HttpsClient::Impl::record(ApiResponse& out, Exchange& result,
                               const RateLimiter::Ticket& ticket) {
    out.status = result.status;
    out.request_id = result.request_id;
    out.body = std::move(result.body);
    out.error = errc::ok;
    out.message.clear();
    // Also without a response: the limiter then stops counting the attempt as unanswered.
    limiter.observe(ticket, result.headers, Clock::now(), std::chrono::system_clock::now());
}

void HttpsClient::Impl::record_failure(ApiResponse& out, const MappedError& transport) const {
    MappedError failure = transport.code != errc::ok
                              ? transport
                              : map_http_error(out.status, out.body, out.request_id);
    if (out.attempts > 1) failure.message += " (" + std::to_string(out.attempts) + " attempts)";
    redact(failure.message, options.api_key);
    out.error = failure.code;
    out.message = std::move(failure.message);
}

void HttpsClient::Impl::pause_everyone(const ResponseHeaders& headers,
                                       const RetryDecision& decision,
                                       std::chrono::system_clock::time_point wall_now) {
    // A 429 is about the account's shared limit: every call waits it out, not only the one that
    // got it. The wait is the retry delay, or the server's hint when this call gives up.
    if (decision.retry) {
        limiter.pause_until(Clock::now() + decision.delay);
        return;
    }
    auto asked = server_retry_delay(headers, wall_now);
    if (asked && asked->count() > 0 && *asked <= options.max_retry_after) {
        limiter.pause_until(Clock::now() + std::chrono::ceil<std::chrono::milliseconds>(*asked));
    }
}

void HttpsClient::Impl::note_retry(const std::string& what, const Exchange& result,
                                   std::chrono::milliseconds delay, int next_attempt) const {
    if (!log_sink) return;
    const std::string reason = result.status != 0 ? std::to_string(result.status)
                               : result.failure.code == errc::timeout ? "a timeout"
                                                                      : "a network error";
    std::string line = "retrying " + what + " after " + reason + " in " +
                       std::to_string(delay.count()) + " ms (attempt " +
                       std::to_string(next_attempt) + " of " +
                       std::to_string(options.max_retries + 1) + ")";
    if (!result.request_id.empty()) line += ", request-id " + result.request_id;
    if (result.failure.code != errc::ok) line += ": " + result.failure.message;
    log(std::move(line));
}

void HttpsClient::Impl::log(std::string line) const {
    if (!log_sink) return;
    redact(line, options.api_key);
    log_sink(line);
}

ApiResponse HttpsClient::Impl::cancelled_response(ApiResponse response,
                                                  std::string_view what) const {
    response.error = errc::cancelled;
    response.message = std::string{what} + " was cancelled";
    return response;
}

Request HttpsClient::Impl::make_request(Method method, std::string_view path, std::string body,
                                        bool streaming) const {
    Request request{verb_of(method), url.target(path), 11};
    request.set(http::field::host, url.host_header());
    request.set("x-api-key", options.api_key);
    request.set("anthropic-version", options.api_version);
    // What the SDKs ask for when they download a batch's results.
    request.set(http::field::accept, streaming ? "application/binary" : "application/json");
    request.set(http::field::user_agent, user_agent);
    request.keep_alive(true);
    if (method == Method::post) {
        request.set(http::field::content_type, "application/json");
        request.body() = std::move(body);
    }
    // A POST gets its Content-Length; a GET or DELETE without a body gets no framing header.
    request.prepare_payload();
    return request;
}

// ---- concurrency slots and waiting -----------------------------------------------------------

asio::awaitable<bool> HttpsClient::Impl::acquire_slot(CallContext& call) {
    if (busy_slots < options.max_concurrency && slot_queue.empty()) {
        ++busy_slots;
    } else {
        SlotWaiter waiter{*this};
        Attach attach{call.timer, &waiter.gate};
        co_await waiter.gate.async_wait(use_tuple);
        if (!waiter.granted) co_return false; // only cancellation wakes a waiter without a slot
        if (cancelled) {
            release_slot();
            co_return false;
        }
    }
    stats.in_flight = busy_slots;
    stats.peak_in_flight = std::max(stats.peak_in_flight, busy_slots);
    co_return true;
}

void HttpsClient::Impl::release_slot() {
    if (slot_queue.empty()) {
        --busy_slots;
    } else {
        // The slot passes straight to the oldest waiter: busy_slots stays the same.
        SlotWaiter* next = slot_queue.front();
        slot_queue.pop_front();
        next->granted = true;
        next->gate.cancel();
    }
    stats.in_flight = busy_slots;
}

asio::awaitable<bool> HttpsClient::Impl::sleep_until(CallContext& call, Clock::time_point when) {
    if (when > Clock::now() && !cancelled) {
        asio::steady_timer timer{io, when};
        Attach attach{call.timer, &timer};
        co_await timer.async_wait(use_tuple);
    }
    co_return !cancelled;
}

void HttpsClient::Impl::cancel_all() {
    cancelled = true;
    for (SlotWaiter* waiter : slot_queue)
        waiter->gate.cancel();
    for (CallContext* call : calls) {
        if (call->timer) call->timer->cancel();
        if (call->resolver) call->resolver->cancel();
        if (call->session) call->session->close();
    }
    idle.clear();
}

// ---- connections -----------------------------------------------------------------------------

std::unique_ptr<Session> HttpsClient::Impl::take_idle_session() {
    // The most recently used connection first: it is the least likely to have timed out.
    while (!idle.empty()) {
        std::unique_ptr<Session> session = std::move(idle.back());
        idle.pop_back();
        if (!session->closed_while_idle()) return session;
    }
    return nullptr;
}

asio::awaitable<Exchange> HttpsClient::Impl::attempt(CallContext& call, Request& request,
                                                     const OnData* on_data) {
    std::unique_ptr<Session> session = take_idle_session();
    if (!session) {
        session = std::make_unique<Session>(io, *tls_context, url.tls, stats);
        Attach attach{call.session, session.get()};
        MappedError failure = co_await connect(call, *session);
        if (failure.code != errc::ok) {
            Exchange result;
            result.failure = std::move(failure);
            co_return result;
        }
    }
    Attach attach{call.session, session.get()};
    Exchange result = co_await exchange(*session, request, on_data);
    const bool complete = result.failure.code == errc::ok;
    if (complete && result.keep_alive && !cancelled) {
        session->reused = true;
        idle.push_back(std::move(session));
    } else if (complete && !cancelled) {
        co_await close_gracefully(*session); // the server asked to close after this response
    }
    co_return result;
}

asio::awaitable<MappedError> HttpsClient::Impl::connect(CallContext& call, Session& session) {
    const auto deadline = Clock::now() + options.connect_timeout;
    // The resolver has no deadline of its own: a timer cancels it (through a weak pointer, as
    // the timer's handler may run after the resolver is gone).
    auto resolver = std::make_shared<tcp::resolver>(io);
    asio::steady_timer resolve_deadline{io, deadline};
    resolve_deadline.async_wait([weak = std::weak_ptr<tcp::resolver>{resolver}](auto ec) {
        if (auto alive = weak.lock(); alive && !ec) alive->cancel();
    });
    tcp::resolver::results_type endpoints;
    {
        Attach attach{call.resolver, resolver.get()};
        auto [ec, results] =
            co_await resolver->async_resolve(url.host, std::to_string(url.port), use_tuple);
        resolve_deadline.cancel();
        if (ec == asio::error::operation_aborted && !cancelled) ec = beast::error::timeout;
        if (ec) co_return transport_failure(ec, Step::resolve, &session);
        endpoints = std::move(results);
    }
    session.tcp().expires_at(deadline);
    auto [ec, endpoint] = co_await session.tcp().async_connect(endpoints, use_tuple);
    if (ec) co_return transport_failure(ec, Step::connect, &session);
    (void)endpoint;
    tune_socket(session.tcp().socket());
    if (!session.tls) {
        session.tcp().expires_never();
        co_return MappedError{};
    }
    co_return co_await handshake(session);
}

asio::awaitable<MappedError> HttpsClient::Impl::handshake(Session& session) {
    // SNI carries a host name only, never an IP literal (RFC 6066 §3).
    if (!is_ip_literal(url.host) &&
        !SSL_set_tlsext_host_name(session.stream.native_handle(), url.host.c_str())) {
        co_return MappedError{errc::tls, "cannot set the TLS server name " + url.host};
    }
    if (options.verify_tls) {
        // Asio's check of the leaf certificate's names, recording a mismatch in OpenSSL's
        // verify result so that the error can say why the certificate was refused.
        session.stream.set_verify_callback([check = ssl::host_name_verification(url.host)](
                                               bool preverified, ssl::verify_context& context) {
            const bool ok = check(preverified, context);
            if (preverified && !ok) {
                X509_STORE_CTX_set_error(context.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
            }
            return ok;
        });
    }
    session.tcp().expires_after(options.handshake_timeout);
    auto [ec] = co_await session.stream.async_handshake(ssl::stream_base::client, use_tuple);
    session.tcp().expires_never();
    if (ec) co_return transport_failure(ec, Step::handshake, &session);
    co_return MappedError{};
}

// Sends the request and reads the answer: its head, then its body in pieces of at most
// stream_piece_bytes, which go to `on_data` for a 2xx when it is given (streaming, unbounded)
// and into Exchange::body otherwise (bounded by max_response_bytes).
asio::awaitable<Exchange> HttpsClient::Impl::exchange(Session& session, Request& request,
                                                      const OnData* on_data) {
    Exchange out;
    // One deadline for the whole attempt, writing and reading (the SDKs' request timeout); a
    // streamed body renews it with every piece.
    session.tcp().expires_after(options.request_timeout);
    auto [write_ec, written] = co_await session.on_stream(
        [&](auto& stream) { return http::async_write(stream, request, use_tuple); });
    (void)written;
    if (write_ec) {
        out.failure = transport_failure(write_ec, Step::write, &session);
        out.stale_connection = session.reused && out.failure.code == errc::network;
        co_return out;
    }
    out.sent = true;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(boost::none); // bounded below, once the status says which bound applies
    auto [head_ec, head_read] = co_await session.on_stream([&](auto& stream) {
        return http::async_read_header(stream, session.buffer, parser, use_tuple);
    });
    (void)head_read;
    if (head_ec) {
        out.failure = transport_failure(head_ec, Step::read, &session);
        out.stale_connection =
            session.reused && !parser.got_some() && out.failure.code == errc::network;
        co_return out;
    }
    auto& response = parser.get();
    for (const auto& field : response) {
        out.headers.add(std::string{field.name_string()}, std::string{field.value()});
    }
    out.request_id = std::string{out.headers.find("request-id").value_or("")};

    const bool streaming = on_data && response.result_int() / 100 == 2;
    const auto too_large = [&](std::uint64_t size) {
        return !streaming && size > max_response_bytes;
    };
    if (too_large(parser.content_length().value_or(0))) {
        out.failure = transport_failure(http::error::body_limit, Step::read, &session);
        co_return out;
    }
    std::vector<char> piece(stream_piece_bytes);
    while (!parser.is_done()) {
        response.body().data = piece.data();
        response.body().size = piece.size();
        // read_some: a piece goes on as soon as it arrives, without waiting to fill `piece`.
        auto [read_ec, read] = co_await session.on_stream([&](auto& stream) {
            return http::async_read_some(stream, session.buffer, parser, use_tuple);
        });
        (void)read;
        if (read_ec && read_ec != http::error::need_buffer) { // need_buffer: the piece is full
            out.failure = transport_failure(read_ec, Step::read, &session);
            co_return out;
        }
        const std::string_view got{piece.data(), piece.size() - response.body().size};
        if (too_large(out.body.size() + got.size())) {
            out.failure = transport_failure(http::error::body_limit, Step::read, &session);
            co_return out;
        }
        if (!streaming) {
            out.body.append(got);
        } else if (!got.empty()) {
            out.streamed += got.size();
            if (!(*on_data)(got)) {
                out.aborted = true;
                out.failure.code = errc::cancelled; // the rest of the body stays unread
                co_return out;
            }
            session.tcp().expires_after(options.request_timeout);
        }
    }
    session.tcp().expires_never();
    out.status = response.result_int();
    out.keep_alive = response.keep_alive();
    co_return out;
}

asio::awaitable<void> HttpsClient::Impl::close_gracefully(Session& session) {
    if (session.tls) {
        session.tcp().expires_after(graceful_close_timeout);
        auto [ec] = co_await session.stream.async_shutdown(use_tuple);
        // ssl::error::stream_truncated here means the server closed TCP without answering our
        // close_notify. That is harmless: the response was complete and framed by its length,
        // so nothing can have been cut off (Beast's examples ignore it for the same reason).
        // Any other error changes nothing either: the connection is being dropped.
        (void)ec;
    }
    session.close();
}

// ---- errors ----------------------------------------------------------------------------------

std::string HttpsClient::Impl::describe_step(Step step) const {
    switch (step) {
    case Step::resolve:
        return "resolving " + url.host;
    case Step::connect:
        return "connecting to " + url.authority();
    case Step::handshake:
        return "TLS handshake with " + url.authority();
    case Step::write:
        return "sending the request to " + url.authority();
    case Step::read:
        return "reading the response from " + url.authority();
    }
    return "talking to " + url.authority();
}

MappedError HttpsClient::Impl::transport_failure(const beast::error_code& ec, Step step,
                                                 Session* session) const {
    const std::string what = describe_step(step);
    if (cancelled) return describe_transport_failure(errc::cancelled, what, {});
    if (ec == beast::error::timeout) {
        const auto limit = step == Step::handshake                     ? options.handshake_timeout
                           : step == Step::write || step == Step::read ? options.request_timeout
                                                                       : options.connect_timeout;
        return describe_transport_failure(
            errc::timeout, what, "no answer within " + std::to_string(limit.count()) + " ms");
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
        return describe_transport_failure(errc::bad_response, what,
                                          "the response is larger than " +
                                              std::to_string(max_response_bytes) + " bytes");
    }
    // The server closed the connection before a complete response: a network failure, retried.
    // OpenSSL 3 reports a close without close_notify as stream_truncated; for HTTP, whose
    // messages carry their own length, that means no more than a plain EOF.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == ssl::error::stream_truncated || ec == asio::error::eof) {
        return describe_transport_failure(errc::network, what, "the server closed the connection");
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
        return describe_transport_failure(errc::bad_response, what,
                                          "malformed HTTP response: " + ec.message());
    }
    if (ec.category() == asio::error::get_ssl_category()) {
        std::string detail = ec.message();
        if (session) {
            const long verify = SSL_get_verify_result(session->stream.native_handle());
            if (verify != X509_V_OK) {
                detail += std::string{" ("} + X509_verify_cert_error_string(verify) + ")";
            }
        }
        // A refused certificate or protocol mismatch will not fix itself; a TLS error on an
        // established connection is a broken connection like any other.
        const errc kind = step == Step::handshake ? errc::tls : errc::network;
        return describe_transport_failure(kind, what, detail);
    }
    return describe_transport_failure(errc::network, what, ec.message());
}

// ---- the public face -------------------------------------------------------------------------

HttpsClient::HttpsClient(boost::asio::io_context& io, HttpOptions options, Log log,
                         std::size_t max_response_bytes)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(log), max_response_bytes)) {}

HttpsClient::~HttpsClient() {
    // Pending calls hold the Impl and finish with errc::cancelled; nothing logs after this.
    impl_->log_sink = nullptr;
    impl_->cancel_all();
}

void HttpsClient::Impl::start(std::shared_ptr<Impl> self, Method method, std::string path,
                              std::string body, OnData on_data, Resend resend,
                              std::function<void(ApiResponse)> done) {
    ApiResponse refused;
    if (cancelled) {
        refused = cancelled_response({}, std::string{method_name(method)} + " " + path);
    } else if (!path.starts_with('/') || has_control_chars(path) ||
               path.find(' ') != std::string::npos) {
        refused.error = errc::invalid_argument;
        refused.message = "invalid API path: it must start with '/' and contain no spaces or "
                          "control characters";
    }
    if (refused.error != errc::ok) {
        asio::post(io, [done = std::move(done), refused = std::move(refused)]() mutable {
            done(std::move(refused));
        });
        return;
    }
    // co_spawn never runs the completion inside this call (it posts if nothing suspended).
    asio::co_spawn(io,
                   run_call(std::move(self), method, std::move(path), std::move(body),
                            std::move(on_data), resend),
                   [done = std::move(done)](std::exception_ptr failure, ApiResponse response) {
                       if (failure) response = bug_report(failure);
                       done(std::move(response));
                   });
}

void HttpsClient::call(Method method, std::string path, std::string body,
                       std::function<void(ApiResponse)> done, Resend resend) {
    impl_->start(impl_, method, std::move(path), std::move(body), {}, resend, std::move(done));
}

void HttpsClient::post(std::string path, std::string body, std::function<void(ApiResponse)> done) {
    call(Method::post, std::move(path), std::move(body), std::move(done));
}

void HttpsClient::get_stream(std::string path, OnData on_data,
                             std::function<void(ApiResponse)> done) {
    if (!on_data) on_data = [](std::string_view) { return true; };
    impl_->start(impl_, Method::get, std::move(path), {}, std::move(on_data),
                 Resend::when_unanswered, std::move(done));
}

void HttpsClient::cancel() {
    impl_->cancel_all();
}

ClientStats HttpsClient::stats() const {
    return impl_->stats;
}

} // namespace mcqgen::detail::claude
