// The HTTPS client against the fake Claude server on 127.0.0.1: pooling, retries, TLS failures,
// timeouts, cancellation and pacing, as seen from both ends.

#include "claude/https_client.hpp"

#include <mcqgen/version.hpp>

#include <fake_claude.hpp>
#include <mcqgen/errors.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using mcqgen::errc;
using mcqgen::detail::claude::ApiResponse;
using mcqgen::detail::claude::HttpsClient;

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
        poll.async_wait([&](auto) { check(); });
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
}
