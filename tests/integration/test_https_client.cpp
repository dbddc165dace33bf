// The HTTPS client against the fake Claude server on 127.0.0.1: pooling, retries, TLS failures,
// timeouts, cancellation and pacing, as seen from both ends; GET, DELETE and streamed GETs, also
// against a scripted plain-HTTP server for what the fake cannot do on a GET (faults, bodies cut
// short, slow or huge bodies).

#include "claude/https_client.hpp"

#include <mcqgen/version.hpp>

#include <fake_claude.hpp>
#include <mcqgen/errors.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using mcqgen::errc;
using mcqgen::detail::claude::ApiResponse;
using mcqgen::detail::claude::HttpsClient;
using Method = HttpsClient::Method;

namespace {

const std::string api_key = "test-key-0123456789abcdef";
const std::string messages_body = R"({"model":"claude-haiku-4-5","max_tokens":32,)"
                                  R"("messages":[{"role":"user","content":"Say hello."}]})";
// Bounds every io_context run, so a bug fails the test instead of hanging it.
constexpr auto run_limit = 120s;

// Everything an HttpsClient is built from: the API settings and the two hooks beside them.
struct ClientOptions : mcqgen::HttpOptions {
    HttpsClient::Log log;
    std::size_t max_response_bytes = HttpsClient::default_max_response_bytes;
};

HttpsClient make_client(boost::asio::io_context& io, const ClientOptions& options) {
    return HttpsClient{io, options, options.log, options.max_response_bytes};
}

// A test's changes to the default options below; empty for none.
using ServerTweak = std::function<void(fake_claude::Options&)>;
using ClientTweak = std::function<void(ClientOptions&)>;

fake_claude::Options server_options(const ServerTweak& tweak = {}) {
    fake_claude::Options options;
    options.api_key = api_key;
    if (tweak) tweak(options);
    return options;
}

ClientOptions client_options(const fake_claude::Server& server, const ClientTweak& tweak = {}) {
    ClientOptions options;
    options.base_url = server.base_url();
    options.api_key = api_key;
    options.api_version = "2023-06-01";
    options.ca_file = server.ca_file().string();
    if (tweak) tweak(options);
    return options;
}

// A client option that collects the client's log lines into `log`.
std::function<void(std::string_view)> log_into(std::vector<std::string>& log) {
    return [&log](std::string_view line) { log.emplace_back(line); };
}

// Runs the io_context (again) until it runs out of work or `limit` passes.
void run(boost::asio::io_context& io, std::chrono::steady_clock::duration limit = run_limit) {
    io.restart();
    io.run_for(limit);
}

// Runs the io_context until `condition` holds, checking it every few milliseconds from the
// io_context itself (the client lives on that one thread); the server's statistics are the
// usual condition.
void run_until(boost::asio::io_context& io, const std::function<bool()>& condition) {
    boost::asio::steady_timer poll{io};
    std::function<void()> check = [&] {
        if (condition()) {
            io.stop();
            return;
        }
        poll.expires_after(5ms);
        // A wait cancelled by the timer's end (run_for gave up) must not touch `check`.
        poll.async_wait([&](auto ec) {
            if (!ec) check();
        });
    };
    io.restart();
    check();
    io.run_for(run_limit);
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// The setup of most test cases: a fake server, and a client on its own io_context that trusts
// the server's CA, each built from the default options with the test's tweak applied.
struct Rig {
    explicit Rig(const ServerTweak& server_tweak = {}, const ClientTweak& client_tweak = {})
        : server{server_options(server_tweak)}, client{make_client(
                                                    io, client_options(server, client_tweak))} {}

    // Posts `count` calls whose outcomes are appended to `results` in completion order, as the
    // io_context runs.
    void post(std::vector<ApiResponse>& results, int count) {
        for (int i = 0; i < count; ++i) {
            client.post("/v1/messages", messages_body,
                        [&](ApiResponse response) { results.push_back(std::move(response)); });
        }
    }

    // Posts `count` calls, runs the io_context until all are done and returns their outcomes in
    // completion order.
    std::vector<ApiResponse> post_many(int count) {
        std::vector<ApiResponse> results;
        post(results, count);
        run();
        return results;
    }

    ApiResponse post_one() {
        auto results = post_many(1);
        REQUIRE(results.size() == 1);
        return results.front();
    }

    void run(std::chrono::steady_clock::duration limit = run_limit) { ::run(io, limit); }
    void run_until(const std::function<bool()>& condition) { ::run_until(io, condition); }

    fake_claude::Server server;
    boost::asio::io_context io;
    HttpsClient client;
};

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One scripted answer: raw bytes written part by part, `gap` after each, then what becomes of
// the connection.
struct Scripted {
    enum class End { keep_alive, close, reset, stall };
    std::vector<std::string> parts;
    End end = End::keep_alive;
    std::chrono::milliseconds gap{0};
};

// The head of a response whose body is `length` bytes.
std::string response_head(int status, std::size_t length, std::string_view reason = "OK") {
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string{reason} +
           "\r\nContent-Type: application/json\r\nrequest-id: req_scripted\r\nContent-Length: " +
           std::to_string(length) + "\r\n\r\n";
}

Scripted complete(int status, const std::string& body) {
    return {{response_head(status, body.size()) + body}};
}

Scripted overloaded_503() {
    const std::string body =
        R"({"type":"error","error":{"type":"api_error","message":"Service unavailable"}})";
    return {{"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
             "retry-after-ms: 10\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body}};
}

// `count` numbered JSON lines, so that a lost or repeated piece shows.
std::string json_lines(int count) {
    std::string text;
    for (int i = 0; i < count; ++i) {
        text += R"({"custom_id":"request-)" + std::to_string(i) +
                R"(","result":{"type":"succeeded"}})" + "\n";
    }
    return text;
}

// A plain-HTTP server on 127.0.0.1 that answers each request with the next scripted answer,
// byte for byte, and records the request heads; with no answer left it closes the connection.
// For what the fake cannot do on a GET: faults, bodies cut short, slow or huge bodies.
class ScriptedServer {
  public:
    explicit ScriptedServer(std::vector<Scripted> script)
        : acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}},
          script_(script.begin(), script.end()) {
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(io_, accept(), asio::detached);
        thread_ = std::thread{[this] { io_.run(); }};
    }
    ~ScriptedServer() {
        io_.stop();
        thread_.join();
    }
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    /// The heads of the requests received so far, field names in lower case.
    std::vector<std::string> heads() const {
        std::lock_guard lock{mutex_};
        return heads_;
    }

  private:
    asio::awaitable<void> accept() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
            if (ec) co_return;
            asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        std::string received;
        for (;;) {
            // The client sends no body with a GET or DELETE: the head is the whole request.
            auto [read_ec, head_size] = co_await asio::async_read_until(
                socket, asio::dynamic_buffer(received), "\r\n\r\n", use_tuple);
            if (read_ec) co_return;
            Scripted answer;
            {
                std::lock_guard lock{mutex_};
                std::string head = received.substr(0, head_size);
                std::transform(head.begin(), head.end(), head.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                heads_.push_back(std::move(head));
                if (script_.empty()) co_return;
                answer = std::move(script_.front());
                script_.pop_front();
            }
            received.erase(0, head_size);
            for (const auto& part : answer.parts) {
                auto [write_ec, written] =
                    co_await asio::async_write(socket, asio::buffer(part), use_tuple);
                (void)written;
                if (write_ec) co_return;
                if (answer.gap.count() > 0) {
                    asio::steady_timer pause{io_, answer.gap};
                    co_await pause.async_wait(use_tuple);
                }
            }
            boost::system::error_code ignored;
            switch (answer.end) {
            case Scripted::End::keep_alive:
                continue;
            case Scripted::End::reset:
                socket.set_option(tcp::socket::linger(true, 0), ignored);
                socket.close(ignored);
                co_return;
            case Scripted::End::close:
                socket.shutdown(tcp::socket::shutdown_send, ignored);
                [[fallthrough]];
            case Scripted::End::stall:
                // Held until the client closes its side (or the server stops).
                for (;;) {
                    char scratch[1024];
                    auto [drain_ec, drained] =
                        co_await socket.async_read_some(asio::buffer(scratch), use_tuple);
                    (void)drained;
                    if (drain_ec) co_return;
                }
            }
        }
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    std::deque<Scripted> script_;
    std::vector<std::string> heads_;
    std::thread thread_;
};

// A client of a ScriptedServer, over plain HTTP.
struct ScriptedRig {
    explicit ScriptedRig(std::vector<Scripted> script, const ClientTweak& tweak = {})
        : server{std::move(script)}, client{make_client(io, options(tweak))} {}

    ClientOptions options(const ClientTweak& tweak) const {
        ClientOptions options;
        options.base_url = server.base_url();
        options.allow_insecure_http = true;
        options.api_key = api_key;
        options.api_version = "2023-06-01";
        if (tweak) tweak(options);
        return options;
    }

    ScriptedServer server;
    boost::asio::io_context io;
    HttpsClient client;
};

// Runs one call() to its end.
ApiResponse call_one(HttpsClient& client, boost::asio::io_context& io, Method method,
                     const std::string& path) {
    std::vector<ApiResponse> results;
    client.call(method, path, "",
                [&](ApiResponse response) { results.push_back(std::move(response)); });
    run(io);
    REQUIRE(results.size() == 1);
    return results.front();
}

// What a get_stream handed over: the pieces, and every completion.
struct Download {
    std::string data;
    std::vector<std::size_t> pieces;
    std::vector<ApiResponse> done;

    std::size_t largest_piece() const {
        return pieces.empty() ? 0 : *std::max_element(pieces.begin(), pieces.end());
    }
};

// Starts a get_stream into `download`; `keep_going` (empty: always) answers for on_data.
void start_download(HttpsClient& client, Download& download, const std::string& path,
                    std::function<bool(const Download&)> keep_going = {}) {
    client.get_stream(
        path,
        [&download, keep_going = std::move(keep_going)](std::string_view piece) {
            download.data.append(piece);
            download.pieces.push_back(piece.size());
            return !keep_going || keep_going(download);
        },
        [&download](ApiResponse response) { download.done.push_back(std::move(response)); });
}

// Runs one get_stream to its end.
Download download_one(HttpsClient& client, boost::asio::io_context& io, const std::string& path) {
    Download download;
    start_download(client, download, path);
    run(io);
    REQUIRE(download.done.size() == 1);
    return download;
}

} // namespace

TEST_SUITE("https_client") {
    TEST_CASE("twenty calls at concurrency 8 all succeed over at most 8 kept-alive connections") {
        Rig rig{[](auto& server) { server.latency = 50ms; },
                [](auto& client) { client.max_concurrency = 8; }};

        auto results = rig.post_many(20);

        REQUIRE(results.size() == 20);
        for (const auto& result : results) {
            CHECK(result.error == errc::ok);
            CHECK(result.status == 200);
            CHECK(result.attempts == 1);
            CHECK(contains(result.request_id, "req_"));
            CHECK(contains(result.body, "\"content\""));
        }
        const auto seen = rig.server.stats();
        CHECK(seen.requests == 20);
        CHECK(seen.connections_accepted <= 8);
        CHECK(seen.peak_in_flight <= 8);
        const auto stats = rig.client.stats();
        CHECK(stats.connections_opened <= 8);
        CHECK(stats.peak_open_connections <= 8);
        CHECK(stats.peak_in_flight <= 8);
        CHECK(stats.in_flight == 0);
        CHECK(stats.attempts == 20);
    }

    TEST_CASE("the user agent carries the project's one version") {
        Rig rig;
        CHECK(rig.post_one().error == errc::ok);
        CHECK(rig.server.stats().last_user_agent == "mcqgen/" MCQGEN_VERSION_STRING);
    }

    TEST_CASE("a second batch of calls reuses the idle connections of the first") {
        Rig rig{{}, [](auto& client) { client.max_concurrency = 2; }};

        CHECK(rig.post_many(4).size() == 4);
        const auto opened = rig.client.stats().connections_opened;
        auto results = rig.post_many(4);
        REQUIRE(results.size() == 4);
        for (const auto& result : results)
            CHECK(result.error == errc::ok);
        CHECK(rig.client.stats().connections_opened == opened);
        CHECK(rig.server.stats().connections_accepted == opened);
    }

    TEST_CASE("a 429 is retried after the server's delay and then succeeds") {
        std::vector<std::string> log;
        Rig rig{[](auto& server) { server.faults = "429#1"; },
                [&](auto& client) { client.log = log_into(log); }};

        auto result = rig.post_one();

        CHECK(result.error == errc::ok);
        CHECK(result.status == 200);
        CHECK(result.attempts == 2);
        CHECK(rig.server.stats().responses_429 == 1);
        REQUIRE(log.size() == 1);
        CHECK(contains(log[0], "retrying POST /v1/messages after 429 in 100 ms (attempt 2 of 3)"));
        CHECK(contains(log[0], "request-id req_"));
        CHECK_FALSE(contains(log[0], api_key));
        CHECK(rig.client.stats().retries == 1);
    }

    TEST_CASE("529 and 500 are retried with backoff until a call succeeds") {
        Rig rig{[](auto& server) { server.faults = "529#1,500#2"; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 3);
        CHECK(rig.server.stats().requests == 3);
    }

    TEST_CASE("a server error that outlasts the retries fails as a server error with the API's "
              "message") {
        Rig rig{[](auto& server) { server.faults = "529*"; },
                [](auto& client) { client.max_retries = 1; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::server);
        CHECK(result.status == 529);
        CHECK(result.attempts == 2);
        CHECK(contains(result.message, "HTTP 529 overloaded_error: Overloaded"));
        CHECK(contains(result.message, "(request-id req_"));
    }

    TEST_CASE("x-should-retry: false stops the retries at the first answer") {
        Rig rig{[](auto& server) { server.faults = "should_not_retry#1"; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::server);
        CHECK(result.status == 500);
        CHECK(result.attempts == 1);
        CHECK(rig.server.stats().requests == 1);
    }

    TEST_CASE("a wrong key fails with auth after exactly one attempt and is never quoted") {
        const std::string wrong_key = "test-key-wrong-9876543210";
        Rig rig{{}, [&](auto& client) { client.api_key = wrong_key; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::auth);
        CHECK(result.status == 401);
        CHECK(result.attempts == 1);
        CHECK(contains(result.message, "HTTP 401 authentication_error"));
        CHECK(contains(result.message, "request-id req_"));
        CHECK_FALSE(contains(result.message, wrong_key));
        CHECK(rig.server.stats().requests == 1);
    }

    TEST_CASE("a server certificate from an untrusted CA fails with tls and is not retried") {
        // The system roots do not know the test CA.
        Rig rig{{}, [](auto& client) { client.ca_file.clear(); }};

        auto result = rig.post_one();

        CHECK(result.error == errc::tls);
        CHECK(result.attempts == 1);
        CHECK(result.status == 0);
        CHECK(contains(result.message, "certificate verify failed"));
        CHECK(rig.server.stats().requests == 0);
    }

    TEST_CASE("a certificate for another host name fails with tls") {
        Rig rig{[](auto& server) { server.cert_host = "localhost.invalid"; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::tls);
        CHECK(result.attempts == 1);
        CHECK(contains(result.message, "certificate verify failed"));
        CHECK(contains(result.message, "hostname mismatch"));
    }

    TEST_CASE("an expired server certificate fails with tls") {
        Rig rig{[](auto& server) { server.expired_cert = true; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::tls);
        CHECK(contains(result.message, "expired"));
    }

    TEST_CASE("a stalled answer times out and the retry on a new connection succeeds") {
        std::vector<std::string> log;
        Rig rig{[](auto& server) { server.faults = "stall#1"; },
                [&](auto& client) {
                    client.request_timeout = 300ms;
                    client.log = log_into(log);
                }};

        auto result = rig.post_one();

        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 2);
        REQUIRE(log.size() == 1);
        CHECK(contains(log[0], "after a timeout"));
        CHECK(rig.server.stats().connections_accepted == 2);
    }

    TEST_CASE("a stall on every attempt ends in a timeout error") {
        Rig rig{[](auto& server) { server.faults = "stall*"; },
                [](auto& client) {
                    client.request_timeout = 200ms;
                    client.max_retries = 1;
                }};

        auto result = rig.post_one();

        CHECK(result.error == errc::timeout);
        CHECK(result.attempts == 2);
        CHECK(contains(result.message, "timed out"));
    }

    TEST_CASE("a connection reset before the answer is retried") {
        Rig rig{[](auto& server) { server.faults = "reset_before#1"; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 2);
    }

    TEST_CASE("a response cut off in the middle is retried") {
        Rig rig{[](auto& server) { server.faults = "reset_mid#1"; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 2);
    }

    TEST_CASE("a call that must not be sent twice is not resent after a lost answer but is "
              "after an answered 529") {
        Rig rig{[](auto& server) { server.faults = "529#1,reset_mid#2,reset_before#3"; }};
        std::vector<ApiResponse> results;
        const auto post_once = [&] {
            rig.client.call(
                Method::post, "/v1/messages", messages_body,
                [&](ApiResponse response) { results.push_back(std::move(response)); },
                HttpsClient::Resend::never_unanswered);
            rig.run();
        };

        post_once(); // 529, then the answer cut off in the middle
        post_once(); // reset before any answer
        REQUIRE(results.size() == 2);
        for (const auto& result : results) {
            CHECK(result.error == errc::network);
            CHECK(result.unanswered);
            CHECK(result.status == 0);
        }
        CHECK(results[0].attempts == 2);
        CHECK(results[1].attempts == 1);
        CHECK(rig.server.stats().requests == 3);
        CHECK_FALSE(rig.post_one().unanswered); // the default resends, and then succeeds
    }

    TEST_CASE("a response body over the size limit fails as a bad response") {
        Rig rig{{}, [](auto& client) { client.max_response_bytes = 16; }};

        auto result = rig.post_one();

        CHECK(result.error == errc::bad_response);
        CHECK(result.attempts == 1);
        CHECK(contains(result.message, "larger than 16 bytes"));
    }

    TEST_CASE("cancel() mid-flight completes every queued and running call with cancelled") {
        const auto latency = 10s;
        Rig rig{[&](auto& server) { server.latency = latency; },
                [](auto& client) { client.max_concurrency = 4; }};

        std::vector<int> completions(10, 0);
        std::vector<ApiResponse> results;
        for (int i = 0; i < 10; ++i) {
            rig.client.post("/v1/messages", messages_body, [&, i](ApiResponse response) {
                ++completions[i];
                results.push_back(std::move(response));
            });
        }
        const auto started = std::chrono::steady_clock::now();
        rig.run_until([&] { return rig.server.stats().in_flight >= 4; });
        CHECK(results.empty());
        rig.client.cancel();
        rig.run();

        CHECK(std::chrono::steady_clock::now() - started < latency);
        REQUIRE(results.size() == 10);
        for (int count : completions)
            CHECK(count == 1);
        for (const auto& result : results)
            CHECK(result.error == errc::cancelled);
        CHECK(rig.client.stats().in_flight == 0);
        CHECK(rig.client.stats().open_connections == 0);

        // Later posts are refused at once, but still asynchronously.
        bool refused = false;
        rig.client.post("/v1/messages", messages_body,
                        [&](ApiResponse response) { refused = response.error == errc::cancelled; });
        CHECK_FALSE(refused);
        rig.run();
        CHECK(refused);
    }

    TEST_CASE("destroying the client with calls pending completes them with cancelled") {
        fake_claude::Server server{server_options([](auto& options) { options.latency = 10s; })};
        boost::asio::io_context io;
        auto client = std::make_unique<HttpsClient>(io, client_options(server));

        int cancelled = 0;
        for (int i = 0; i < 5; ++i) {
            client->post("/v1/messages", messages_body, [&](ApiResponse response) {
                cancelled += response.error == errc::cancelled;
            });
        }
        run_until(io, [&] { return server.stats().in_flight >= 2; });
        client.reset();
        run(io);
        CHECK(cancelled == 5);
    }

    TEST_CASE("an io_context torn down with calls still pending releases everything") {
        // Not a normal shutdown (the callbacks never run), but it must not crash or leak:
        // the sanitizer build checks the latter.
        fake_claude::Server server{server_options([](auto& options) { options.latency = 10s; })};
        int completed = 0;
        {
            boost::asio::io_context io;
            HttpsClient client{
                io, client_options(server, [](auto& options) { options.max_concurrency = 2; })};
            for (int i = 0; i < 5; ++i) {
                client.post("/v1/messages", messages_body, [&](ApiResponse) { ++completed; });
            }
            run_until(io, [&] { return server.stats().in_flight >= 2; });
        }
        CHECK(completed == 0);
    }

    TEST_CASE("a small requests-per-minute budget is paced so the server never answers 429") {
        Rig rig{[](auto& server) {
                    server.rpm = 30;
                    server.latency = 20ms;
                },
                [](auto& client) { client.max_concurrency = 8; }};

        auto results = rig.post_many(20);

        REQUIRE(results.size() == 20);
        for (const auto& result : results)
            CHECK(result.error == errc::ok);
        CHECK(rig.server.stats().responses_429 == 0);
        CHECK(rig.server.stats().requests == 20);
    }

    TEST_CASE("calls beyond an exhausted requests-per-minute budget wait instead of drawing "
              "429s") {
        // Three requests per minute, two at a time, six calls: without pacing the fourth call
        // would get a 429 within milliseconds. Paced, the calls beyond the first two are spread
        // over the minute the budget needs to refill, so the test watches a few seconds of it
        // and then cancels.
        Rig rig{[](auto& server) { server.rpm = 3; },
                [](auto& client) { client.max_concurrency = 2; }};

        std::vector<ApiResponse> results;
        rig.post(results, 6);
        rig.run_until([&] { return rig.server.stats().requests >= 2; });
        rig.run(2s); // a window in which an unpaced client would exceed the budget

        CHECK(rig.server.stats().responses_429 == 0);
        CHECK(rig.server.stats().requests <= 3);
        rig.client.cancel();
        rig.run();
        REQUIRE(results.size() == 6);
        int succeeded = 0;
        for (const auto& result : results) {
            CHECK((result.error == errc::ok || result.error == errc::cancelled));
            succeeded += result.error == errc::ok;
        }
        CHECK(succeeded == rig.server.stats().requests);
    }

    TEST_CASE("the constructor refuses http:// and an unreadable CA file") {
        boost::asio::io_context io;
        ClientOptions options;
        options.api_key = api_key;
        options.base_url = "http://127.0.0.1:9";
        CHECK_THROWS_AS(HttpsClient(io, options), mcqgen::Error);
        try {
            HttpsClient client{io, options};
        } catch (const mcqgen::Error& e) {
            CHECK(e.code_value() == errc::invalid_argument);
        }
        options.base_url = "https://127.0.0.1:9";
        options.ca_file = "/nonexistent/ca.pem";
        try {
            HttpsClient client{io, options};
            FAIL("expected an error");
        } catch (const mcqgen::Error& e) {
            CHECK(e.code_value() == errc::tls);
        }
    }

    TEST_CASE("a refused connection is a network error after the retries") {
        Rig rig{{}, [](auto& client) { client.max_retries = 1; }};
        rig.server.stop(); // nothing listens on its port any more

        auto result = rig.post_one();

        CHECK(result.error == errc::network);
        CHECK(result.attempts == 2);
        CHECK(contains(result.message, "connecting to 127.0.0.1:"));
        CHECK(contains(result.message, "refused"));
    }

    // ---- GET, DELETE and streamed GETs ---------------------------------------------------------

    TEST_CASE("a GET of the fake's /_stats answers 200 with its JSON") {
        Rig rig; // /_stats asks for no key; the client sends it all the same

        auto result = call_one(rig.client, rig.io, Method::get, "/_stats");

        CHECK(result.error == errc::ok);
        CHECK(result.status == 200);
        CHECK(result.attempts == 1);
        CHECK(contains(result.body, "\"connections_accepted\""));
    }

    TEST_CASE("GET and DELETE of an unknown path fail with the mapped 404 and the server's "
              "message") {
        Rig rig;
        for (const Method method : {Method::get, Method::del}) {
            CAPTURE(static_cast<int>(method));
            auto result = call_one(rig.client, rig.io, method, "/v1/nothing/here");

            CHECK(result.error == errc::bad_response); // error_mapping: 404 is no retryable kind
            CHECK(result.status == 404);
            CHECK(result.attempts == 1);
            CHECK(
                contains(result.message, "HTTP 404 not_found_error: Not found: /v1/nothing/here"));
            CHECK(contains(result.message, "(request-id req_"));
        }
    }

    TEST_CASE("get_stream of /_stats delivers in pieces the bytes a GET call returns") {
        Rig rig;
        const auto whole = call_one(rig.client, rig.io, Method::get, "/_stats");
        REQUIRE(whole.error == errc::ok);

        const auto download = download_one(rig.client, rig.io, "/_stats");

        const auto& result = download.done.front();
        CHECK(result.error == errc::ok);
        CHECK(result.status == 200);
        CHECK(result.body.empty());
        CHECK_FALSE(download.pieces.empty());
        CHECK(download.largest_piece() <= HttpsClient::stream_piece_bytes);
        // Both on one kept-alive connection, so the counters they report are the same.
        CHECK(rig.client.stats().connections_opened == 1);
        CHECK(download.data == whole.body);
    }

    TEST_CASE("on_data returning false aborts the download and done runs once with cancelled") {
        Rig rig;
        Download download;
        start_download(rig.client, download, "/_stats", [](const Download&) { return false; });
        rig.run();

        REQUIRE(download.done.size() == 1);
        CHECK(download.pieces.size() == 1);
        CHECK(download.done.front().error == errc::cancelled);
        CHECK(contains(download.done.front().message, "GET /_stats was stopped by its reader"));
        // The connection with the unread rest is dropped; the client goes on working.
        CHECK(rig.client.stats().open_connections == 0);
        CHECK(call_one(rig.client, rig.io, Method::get, "/_stats").error == errc::ok);
    }

    TEST_CASE("cancel() during a download ends it with cancelled") {
        ScriptedRig rig{
            {{{response_head(200, 1000) + std::string(100, 'x')}, Scripted::End::stall}}};
        Download download;
        start_download(rig.client, download, "/v1/messages/batches/b1/results");
        run_until(rig.io, [&] { return !download.pieces.empty(); });
        CHECK(download.done.empty());
        rig.client.cancel();
        run(rig.io);

        REQUIRE(download.done.size() == 1);
        CHECK(download.done.front().error == errc::cancelled);
        CHECK(download.data == std::string(100, 'x'));
        CHECK(rig.client.stats().open_connections == 0);
    }

    TEST_CASE("GET and DELETE send the authentication headers but no body or content-type") {
        ScriptedRig rig{{complete(200, "{}"), complete(200, "{}"), complete(200, "{}")}};

        CHECK(call_one(rig.client, rig.io, Method::get, "/v1/messages/batches/b1").error ==
              errc::ok);
        CHECK(call_one(rig.client, rig.io, Method::del, "/v1/messages/batches/b1").error ==
              errc::ok);
        CHECK(download_one(rig.client, rig.io, "/v1/messages/batches/b1/results")
                  .done.front()
                  .error == errc::ok);

        const auto heads = rig.server.heads();
        REQUIRE(heads.size() == 3);
        CHECK(heads[0].starts_with("get /v1/messages/batches/b1 http/1.1\r\n"));
        CHECK(heads[1].starts_with("delete /v1/messages/batches/b1 http/1.1\r\n"));
        CHECK(heads[2].starts_with("get /v1/messages/batches/b1/results http/1.1\r\n"));
        for (const auto& head : heads) {
            CAPTURE(head);
            CHECK(contains(head, "\r\nx-api-key: " + api_key + "\r\n"));
            CHECK(contains(head, "\r\nanthropic-version: 2023-06-01\r\n"));
            CHECK(contains(head, "\r\nuser-agent: mcqgen/"));
            CHECK_FALSE(contains(head, "content-type"));
            CHECK_FALSE(contains(head, "content-length"));
            CHECK_FALSE(contains(head, "transfer-encoding"));
        }
        CHECK(contains(heads[0], "\r\naccept: application/json\r\n"));
        CHECK(contains(heads[2], "\r\naccept: application/binary\r\n"));
    }

    TEST_CASE("a 503 on a GET is retried as a POST would be") {
        // The fake's faults only hit POST /v1/messages, hence the scripted server.
        const std::string body = R"({"id":"b1","processing_status":"ended"})";
        ScriptedRig rig{{overloaded_503(), complete(200, body)}};

        auto result = call_one(rig.client, rig.io, Method::get, "/v1/messages/batches/b1");

        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 2);
        CHECK(result.body == body);
        const auto heads = rig.server.heads();
        REQUIRE(heads.size() == 2);
        CHECK(contains(heads[1], "\r\nx-stainless-retry-count: 1\r\n"));
    }

    TEST_CASE("failures before a download's first byte are retried and only the 2xx body reaches "
              "on_data") {
        const std::string lines = json_lines(3);
        ScriptedRig rig{{overloaded_503(),
                         {{response_head(200, 1000)}, Scripted::End::close}, // a head, no body
                         complete(200, lines)}};

        const auto download = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");

        const auto& result = download.done.front();
        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 3);
        CHECK(download.data == lines);
    }

    TEST_CASE("a reset in the middle of a download is not retried and says the download broke "
              "off") {
        ScriptedRig rig{{{{response_head(200, 1000) + std::string(400, 'x')},
                          Scripted::End::reset,
                          200ms}, // time for the client to read the 400 bytes before the reset
                         complete(200, std::string(1000, 'x'))}};

        const auto download = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");

        const auto& result = download.done.front();
        CHECK(result.error == errc::network);
        CHECK(result.attempts == 1);
        CHECK(contains(result.message, "download of GET /v1/messages/batches/b1/results broke off "
                                       "after 400 bytes and must be restarted"));
        CHECK(download.data == std::string(400, 'x'));
        CHECK(rig.server.heads().size() == 1);
    }

    TEST_CASE("a download that ends before its Content-Length fails instead of succeeding "
              "short") {
        ScriptedRig rig{{{{response_head(200, 1000) + std::string(400, 'x')}, Scripted::End::close},
                         complete(200, std::string(1000, 'x'))}};

        const auto download = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");

        const auto& result = download.done.front();
        CHECK(result.error == errc::network);
        CHECK(result.attempts == 1);
        CHECK(contains(result.message, "broke off after 400 bytes"));
        CHECK(contains(result.message, "the server closed the connection"));
        CHECK(rig.server.heads().size() == 1);
    }

    TEST_CASE("a GET call whose body ends before its Content-Length is retried") {
        const std::string body = R"({"id":"b1"})";
        ScriptedRig rig{
            {{{response_head(200, 1000) + body}, Scripted::End::close}, complete(200, body)}};

        auto result = call_one(rig.client, rig.io, Method::get, "/v1/messages/batches/b1");

        CHECK(result.error == errc::ok);
        CHECK(result.attempts == 2);
        CHECK(result.body == body);
    }

    TEST_CASE("a chunked download completes at its last chunk and fails when cut before it") {
        const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        const std::string chunks = "6\r\nline1\n\r\n6\r\nline2\n\r\n";
        ScriptedRig rig{{{{head + chunks + "0\r\n\r\n"}},
                         {{head + chunks}, Scripted::End::close},
                         complete(200, "line1\nline2\n")}};

        const auto whole = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");
        CHECK(whole.done.front().error == errc::ok);
        CHECK(whole.data == "line1\nline2\n");

        const auto cut = download_one(rig.client, rig.io, "/v1/messages/batches/b2/results");
        CHECK(cut.done.front().error == errc::network);
        CHECK(cut.done.front().attempts == 1);
        CHECK(contains(cut.done.front().message, "broke off after 12 bytes"));
        CHECK(cut.data == "line1\nline2\n");
    }

    TEST_CASE("a download larger than max_response_bytes streams through in bounded pieces") {
        const std::string lines = json_lines(60'000); // about 3.4 MB
        ScriptedRig rig{{complete(200, lines), complete(200, lines)},
                        [](auto& client) { client.max_response_bytes = 64 * 1024; }};

        const auto download = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");

        const auto& result = download.done.front();
        CHECK(result.error == errc::ok);
        CHECK(result.body.empty());
        CHECK(download.data.size() == lines.size());
        CHECK(download.data == lines);
        CHECK(download.largest_piece() <= HttpsClient::stream_piece_bytes);
        CHECK(download.pieces.size() >= lines.size() / HttpsClient::stream_piece_bytes);

        // The same body read whole is bounded.
        auto whole = call_one(rig.client, rig.io, Method::get, "/v1/messages/batches/b1/results");
        CHECK(whole.error == errc::bad_response);
        CHECK(contains(whole.message, "larger than 65536 bytes"));
    }

    TEST_CASE("a download outlives request_timeout while its pieces keep coming") {
        const std::string piece(100, 'x');
        ScriptedRig rig{{{{response_head(200, 500), piece, piece, piece, piece, piece},
                          Scripted::End::keep_alive,
                          150ms}},
                        [](auto& client) { client.request_timeout = 400ms; }};

        const auto download = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");

        CHECK(download.done.front().error == errc::ok);
        CHECK(download.data.size() == 500);
    }

    TEST_CASE("a download that stalls times out and is not retried") {
        ScriptedRig rig{{{{response_head(200, 1000) + std::string(100, 'x')}, Scripted::End::stall},
                         complete(200, std::string(1000, 'x'))},
                        [](auto& client) { client.request_timeout = 300ms; }};

        const auto download = download_one(rig.client, rig.io, "/v1/messages/batches/b1/results");

        const auto& result = download.done.front();
        CHECK(result.error == errc::timeout);
        CHECK(result.attempts == 1);
        CHECK(contains(result.message, "broke off after 100 bytes"));
        CHECK(rig.server.heads().size() == 1);
    }
}
