// The network side of the fake server: TLS over TCP with Beast, one coroutine per connection,
// HTTP/1.1 keep-alive. Every decision is taken by MessagesApi; this file only carries it out.
// It is the only translation unit of the fake server that includes Beast.
#include "fake_claude.hpp"

#include "certificates.hpp"
#include "messages_api.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace fake_claude {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = ssl::stream<beast::tcp_stream>;
using detail::Delivery;
using detail::HttpReply;
using detail::StatsBoard;

// Errors are expected (peers vanish, faults close sockets): every operation reports them as a
// value instead of throwing.
constexpr auto no_throw = net::as_tuple(net::use_awaitable);

constexpr auto handshake_timeout = std::chrono::seconds(30);
constexpr auto write_timeout = std::chrono::seconds(30);
constexpr auto shutdown_timeout = std::chrono::seconds(5);
constexpr auto half_close_timeout = std::chrono::seconds(10);
// A body refused as too large is still read (and discarded) up to this size, so that the
// client, which sends the whole request before it reads, sees the 413 instead of a reset.
constexpr uint64_t max_discarded_body = 256 * 1024 * 1024;
constexpr auto discard_timeout = std::chrono::seconds(60);

/// What becomes of a connection once a reply is delivered.
enum class Next {
    request,  ///< keep-alive: read the next request
    shutdown, ///< the client asked to close: end TLS properly
    abandon,  ///< a fault already broke the connection: just let it go
};

class OpenConnection {
  public:
    explicit OpenConnection(StatsBoard& stats) : stats_(stats) { stats_.connection_opened(); }
    ~OpenConnection() { stats_.connection_closed(); }
    OpenConnection(const OpenConnection&) = delete;
    OpenConnection& operator=(const OpenConnection&) = delete;

  private:
    StatsBoard& stats_;
};

/// Counts an API request as in flight for as long as it lives; a coroutine frame destroyed by
/// stop() therefore still leaves the statistics consistent.
class InFlight {
  public:
    InFlight(StatsBoard& stats, bool counted) : stats_(counted ? &stats : nullptr) {
        if (stats_) stats_->request_started();
    }
    ~InFlight() {
        if (stats_) stats_->request_finished();
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

  private:
    StatsBoard* stats_;
};

/// The method, target and headers; the body stays where it is.
detail::HttpRequest head_of(const http::request<http::string_body>& request) {
    detail::HttpRequest converted;
    converted.method = std::string(request.method_string());
    converted.target = std::string(request.target());
    for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        converted.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    return converted;
}

detail::HttpRequest to_http_request(http::request<http::string_body>& request) {
    detail::HttpRequest converted = head_of(request);
    converted.body = std::move(request.body());
    return converted;
}

/// Reads and drops `count` bytes of a request body, the buffered ones first. False when the
/// peer closed or was too slow.
net::awaitable<bool> discard(Stream& stream, beast::flat_buffer& buffer, uint64_t count) {
    const uint64_t buffered = std::min<uint64_t>(buffer.size(), count);
    buffer.consume(buffered);
    count -= buffered;
    std::vector<char> scratch(64 * 1024);
    beast::get_lowest_layer(stream).expires_after(discard_timeout);
    while (count > 0) {
        const auto chunk = std::min<uint64_t>(count, scratch.size());
        auto [error, bytes] =
            co_await stream.async_read_some(net::buffer(scratch.data(), chunk), no_throw);
        if (error) co_return false;
        count -= bytes;
    }
    co_return true;
}

http::response<http::string_body> to_response(HttpReply& reply, unsigned version, bool keep_alive) {
    http::response<http::string_body> response;
    response.version(version);
    response.result(static_cast<unsigned>(reply.status));
    if (reply.status == 529) response.reason("Overloaded"); // not in Beast's status table
    response.set(http::field::server, "mcqgen-fake-claude");
    response.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers)
        response.set(name, value);
    response.body() = std::move(reply.body);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    return response;
}

/// Aborts the connection with a TCP reset: the client sees no answer at all.
void reset(Stream& stream) {
    auto& socket = beast::get_lowest_layer(stream).socket();
    boost::system::error_code ignored;
    socket.set_option(tcp::socket::linger(true, 0), ignored);
    socket.close(ignored);
}

/// Reads and discards until the peer closes, the timer set on the stream expires or the server
/// stops.
net::awaitable<void> wait_for_peer_close(Stream& stream) {
    char scratch[1024];
    while (true) {
        auto [error, bytes] = co_await stream.async_read_some(net::buffer(scratch), no_throw);
        if (error) co_return;
    }
}

/// Sends the head and half the body, then closes the sending side. The socket is closed only
/// after the peer has closed its side: closing earlier could turn into a reset that discards
/// the partial answer before the client has read it.
net::awaitable<void> send_half_then_close(Stream& stream,
                                          http::response<http::string_body>& response) {
    std::ostringstream head;
    head << response.base();
    const std::string partial = head.str() + response.body().substr(0, response.body().size() / 2);
    beast::get_lowest_layer(stream).expires_after(write_timeout);
    auto [write_error, written] = co_await net::async_write(stream, net::buffer(partial), no_throw);
    if (write_error) co_return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
    beast::get_lowest_layer(stream).expires_after(half_close_timeout);
    co_await wait_for_peer_close(stream);
}

/// A directory removed with everything in it when this object goes (empty path: none).
class OwnedDirectory {
  public:
    OwnedDirectory() = default;
    explicit OwnedDirectory(std::filesystem::path path) : path_(std::move(path)) {}
    ~OwnedDirectory() {
        std::error_code ignored;
        if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
    }
    OwnedDirectory(const OwnedDirectory&) = delete;
    OwnedDirectory& operator=(const OwnedDirectory&) = delete;

  private:
    std::filesystem::path path_;
};

std::filesystem::path fresh_temporary_directory() {
    std::random_device entropy;
    const auto name = "mcqgen-fake-claude-" + std::to_string(::getpid()) + "-" +
                      std::to_string(entropy()) + std::to_string(entropy());
    auto path = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(path);
    return path;
}

/// The options with tls_dir filled in (a new temporary directory when it was empty).
Options with_tls_dir(Options options) {
    if (options.tls_dir.empty()) options.tls_dir = fresh_temporary_directory();
    return options;
}

} // namespace

struct Server::Impl {
    explicit Impl(Options opts);
    ~Impl();
    void start();
    void stop();
    net::awaitable<void> accept_connections();
    net::awaitable<void> serve(tcp::socket socket);
    net::awaitable<Next> deliver(Stream& stream, HttpReply reply, unsigned version,
                                 bool keep_alive);
    net::awaitable<Next> refuse_too_large(Stream& stream, beast::flat_buffer& buffer,
                                          http::request_parser<http::string_body>& parser);

    const bool temporary_tls_dir;
    StatsBoard stats;
    detail::MessagesApi api; // validates the options that need it, before any file is written
    const Options options;
    OwnedDirectory owned_tls_dir; // removed last, after the io_context
    detail::TlsFiles tls;
    ssl::context tls_context{ssl::context::tls_server};
    // Declared after everything a connection uses: destroying the io_context destroys the
    // connections' coroutine frames, which still touch `stats`.
    std::optional<net::io_context> io;
    std::optional<tcp::acceptor> acceptor;
    std::vector<std::thread> threads;
    uint16_t port = 0;
    std::mutex stop_mutex;
    bool stopped = false;
};

Server::Impl::Impl(Options opts)
    : temporary_tls_dir(opts.tls_dir.empty()), stats(opts.token_minute), api(opts, stats),
      options(with_tls_dir(std::move(opts))),
      owned_tls_dir(temporary_tls_dir ? options.tls_dir : std::filesystem::path()) {
    if (options.threads < 1) throw std::invalid_argument("threads must be >= 1");
    tls = detail::ensure_certificates(options.tls_dir, options.cert_host, options.expired_cert);
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1);
    tls_context.use_certificate_chain_file(tls.server_cert.string());
    tls_context.use_private_key_file(tls.server_key.string(), ssl::context::pem);

    io.emplace(options.threads);
    acceptor.emplace(*io);
    const tcp::endpoint endpoint(net::ip::make_address(options.host), options.port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(net::socket_base::max_listen_connections);
    port = acceptor->local_endpoint().port();
}

Server::Impl::~Impl() {
    stop();
}

void Server::Impl::start() {
    net::co_spawn(*io, accept_connections(), net::detached);
    for (int i = 0; i < options.threads; ++i)
        threads.emplace_back([this] { io->run(); });
}

// Destroying the io_context destroys every pending operation and with it each connection's
// coroutine frame, closing its socket: stalled connections end here too.
void Server::Impl::stop() {
    const std::lock_guard lock(stop_mutex);
    if (stopped) return;
    stopped = true;
    io->stop();
    for (auto& thread : threads)
        thread.join();
    acceptor.reset();
    io.reset();
}

net::awaitable<void> Server::Impl::accept_connections() {
    while (true) {
        auto [error, socket] = co_await acceptor->async_accept(net::make_strand(*io), no_throw);
        if (error == net::error::operation_aborted) co_return;
        if (error) {
            // Typically out of file descriptors: pause instead of spinning.
            net::steady_timer pause(*io, std::chrono::milliseconds(50));
            co_await pause.async_wait(no_throw);
            continue;
        }
        auto executor = socket.get_executor();
        net::co_spawn(executor, serve(tcp::socket(std::move(socket))), net::detached);
    }
}

net::awaitable<void> Server::Impl::serve(tcp::socket socket) {
    const OpenConnection open(stats);
    Stream stream(beast::tcp_stream(std::move(socket)), tls_context);
    beast::get_lowest_layer(stream).expires_after(handshake_timeout);
    auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, no_throw);
    if (handshake_error) co_return;

    beast::flat_buffer buffer; // outlives each request: it may hold the start of the next one
    Next next = Next::request;
    while (next == Next::request) {
        // An idle keep-alive connection may wait for its next request indefinitely.
        beast::get_lowest_layer(stream).expires_never();
        // The header first, then the body within the limit for its path: a declared length
        // above it is refused at once, and a chunked body is cut off once it grows too large,
        // so nothing unbounded is buffered.
        http::request_parser<http::string_body> parser;
        parser.body_limit(std::numeric_limits<std::uint64_t>::max()); // decided after the header
        auto [header_error, header_bytes] =
            co_await http::async_read_header(stream, buffer, parser, no_throw);
        if (header_error) co_return; // the client closed, or sent something that is not HTTP
        const uint64_t limit = api.max_request_bytes(parser.get().target());
        const auto declared = parser.content_length();
        boost::system::error_code read_error;
        if (declared && *declared > limit) {
            read_error = http::error::body_limit;
        } else {
            parser.body_limit(limit);
            auto [error, bytes] = co_await http::async_read(stream, buffer, parser, no_throw);
            read_error = error;
        }
        if (read_error == http::error::body_limit) {
            next = co_await refuse_too_large(stream, buffer, parser);
            break;
        }
        if (read_error) co_return; // the client closed, or sent something that is not HTTP
        auto& request = parser.get();
        const unsigned version = request.version();
        const bool wants_more = request.keep_alive();
        HttpReply reply = api.handle(to_http_request(request));
        next = co_await deliver(stream, std::move(reply), version, wants_more);
    }
    if (next == Next::shutdown) {
        beast::get_lowest_layer(stream).expires_after(shutdown_timeout);
        co_await stream.async_shutdown(no_throw);
    }
}

// The body of a declared length is drained first, so that the client's write completes and it
// reads the answer; a chunked one is not, and the client may only see the connection close.
// Either way the connection ends after the 413, as the body's end cannot be trusted.
net::awaitable<Next>
Server::Impl::refuse_too_large(Stream& stream, beast::flat_buffer& buffer,
                               http::request_parser<http::string_body>& parser) {
    const auto& request = parser.get();
    const unsigned version = request.version();
    HttpReply reply = api.too_large(head_of(request));
    const auto declared = parser.content_length(); // none for a chunked body
    if (declared && *declared <= max_discarded_body && !co_await discard(stream, buffer, *declared))
        co_return Next::abandon;
    const Next next = co_await deliver(stream, std::move(reply), version, false);
    co_return next == Next::abandon ? Next::abandon : Next::shutdown;
}

net::awaitable<Next> Server::Impl::deliver(Stream& stream, HttpReply reply, unsigned version,
                                           bool keep_alive) {
    const InFlight in_flight(stats, reply.api_call);
    if (reply.delay.count() > 0) {
        net::steady_timer timer(co_await net::this_coro::executor, reply.delay);
        co_await timer.async_wait(no_throw);
    }
    if (reply.before_delivery) reply.before_delivery(reply);
    switch (reply.delivery) {
    case Delivery::reset_before:
        reset(stream);
        co_return Next::abandon;
    case Delivery::stall:
        beast::get_lowest_layer(stream).expires_never();
        co_await wait_for_peer_close(stream);
        co_return Next::abandon;
    case Delivery::reset_mid: {
        auto response = to_response(reply, version, keep_alive);
        co_await send_half_then_close(stream, response);
        co_return Next::abandon;
    }
    case Delivery::respond:
        break;
    }
    auto response = to_response(reply, version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(write_timeout);
    auto [write_error, written] = co_await http::async_write(stream, response, no_throw);
    if (write_error) co_return Next::abandon;
    co_return keep_alive ? Next::request : Next::shutdown;
}

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->start();
}

Server::~Server() = default;

uint16_t Server::port() const {
    return impl_->port;
}

std::string Server::base_url() const {
    return "https://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

std::filesystem::path Server::ca_file() const {
    return impl_->tls.ca_cert;
}

Stats Server::stats() const {
    return impl_->stats.snapshot();
}

void Server::reset_stats() {
    impl_->stats.reset();
}

bool Server::wait_until(const std::function<bool(const Stats&)>& condition,
                        std::chrono::milliseconds timeout) const {
    return impl_->stats.wait_until(condition, timeout);
}

void Server::set_faults(std::string spec) {
    impl_->api.set_faults(spec);
}

void Server::set_latency(std::chrono::milliseconds latency,
                         std::chrono::milliseconds author_latency,
                         std::chrono::milliseconds judge_latency) {
    impl_->api.set_latency(latency, author_latency, judge_latency);
}

void Server::set_disagree_rate(double rate) {
    impl_->api.set_disagree_rate(rate);
}

void Server::set_rpm(int rpm) {
    impl_->api.set_rpm(rpm);
}

void Server::set_token_budgets(int64_t input_per_minute, int64_t output_per_minute) {
    impl_->api.set_token_budgets(input_per_minute, output_per_minute);
}

void Server::set_batch_delay(std::chrono::milliseconds delay) {
    impl_->api.set_batch_delay(delay);
}

void Server::stop() {
    impl_->stop();
}

} // namespace fake_claude
