// Token limits against the fake Claude server: a generation paced by the input- and
// output-token budgets the server announces (no 429), a prompt over the context window (400,
// not retried) and a body over the Messages API's 32 MB (413, not retried).
#include "claude/https_client.hpp"
#include "fake_claude_client.hpp"
#include "test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mcqgen;
using namespace std::chrono_literals;
using detail::claude::ApiResponse;
using detail::claude::HttpsClient;

namespace {

const std::string secret_key = "test-key-token-limits-3b9d";
constexpr int question_count = 6;
// The fake's budgets refill in 2 s instead of a minute, so that a paced run takes seconds.
constexpr auto token_minute = 2000ms;

// The sample document is shorter than the least cacheable prompt of the current models, so
// every request counts in full against the input budget, as the client estimates it.
fake_claude::Options server_options() {
    auto options = test_support::fake_server_options(secret_key, 20ms);
    options.min_cache_tokens = 4096;
    return options;
}

fake_claude::Options limited_server(std::int64_t input_per_minute, std::int64_t output_per_minute) {
    auto options = server_options();
    options.input_tokens_per_minute = input_per_minute;
    options.output_tokens_per_minute = output_per_minute;
    options.token_minute = token_minute;
    return options;
}

Config claude_config(const fake_claude::Server& server) {
    auto config = test_support::fake_claude_config(server, secret_key);
    config.pipeline.seed = 17;
    config.http.max_concurrency = 2;
    config.http.request_timeout = 10s;
    return config;
}

/// A Messages body of one user message the fake counts as `input_tokens` (4 bytes each).
std::string plain_body(const std::string& model, std::int64_t input_tokens, int max_tokens) {
    return boost::json::serialize(boost::json::object{
        {"model", model},
        {"max_tokens", max_tokens},
        {"messages",
         boost::json::array{boost::json::object{
             {"role", "user"},
             {"content", std::string(static_cast<std::size_t>(input_tokens) * 4, 'a')}}}},
    });
}

/// Posts every body at once through the library's HTTPS client, without retries, and returns
/// the outcomes. The client knows no budget before the first answer, so nothing is paced.
std::vector<ApiResponse> post_all(const fake_claude::Server& server,
                                  const std::vector<std::string>& bodies) {
    HttpOptions options;
    options.base_url = server.base_url();
    options.api_key = secret_key;
    options.ca_file = server.ca_file().string();
    options.max_retries = 0;
    options.max_concurrency = static_cast<int>(std::max<std::size_t>(bodies.size(), 1));
    boost::asio::io_context io;
    HttpsClient client{io, options};
    std::vector<ApiResponse> results;
    for (const auto& body : bodies)
        client.post("/v1/messages", body,
                    [&](ApiResponse response) { results.push_back(std::move(response)); });
    io.run_for(120s);
    REQUIRE(results.size() == bodies.size());
    return results;
}

/// What the run asks of the server when nothing limits it: its requests and their tokens.
fake_claude::Stats unlimited_run_demand() {
    fake_claude::Server server(server_options());
    MemoryStorage storage;
    const auto test = Generator(claude_config(server))
                          .generate(test_support::sample_document(), question_count, storage);
    REQUIRE(test.questions_generated == question_count);
    return server.stats();
}

void check_paced_run(fake_claude::Server& server) {
    MemoryStorage storage;
    const auto test = Generator(claude_config(server))
                          .generate(test_support::sample_document(), question_count, storage);
    CHECK(test.status == Status::completed);
    CHECK(test.questions_generated == question_count);
    CHECK(storage.questions(test.id).size() == static_cast<std::size_t>(question_count));
    const auto stats = server.stats();
    CHECK(stats.responses_429 == 0);
    CHECK(stats.responses_429_tokens == 0);
    CHECK(stats.author_requests + stats.judge_requests == stats.requests);
}

} // namespace

TEST_SUITE("token_limits") {
    TEST_CASE("a run under a small input-token budget is paced: every question and no 429") {
        const auto demand = unlimited_run_demand();
        const auto per_request = demand.input_tokens / demand.requests;
        // Room for four average requests: the client's first two (sent before any answer
        // reports the budget) fit, the whole run at once does not.
        const auto budget = 4 * per_request;
        REQUIRE(demand.input_tokens > 2 * budget);

        SUBCASE("unpaced the run's requests draw 429s") {
            fake_claude::Server server(limited_server(budget, 0));
            const std::vector<std::string> burst(
                static_cast<std::size_t>(demand.requests),
                plain_body("claude-sonnet-4-6", per_request, 1024));
            int refused = 0;
            for (const auto& result : post_all(server, burst))
                refused += result.status == 429;
            CHECK(refused > 0);
            CHECK(server.stats().responses_429_tokens == refused);
        }
        SUBCASE("paced by the client it completes without one") {
            fake_claude::Server server(limited_server(budget, 0));
            check_paced_run(server);
        }
    }

    TEST_CASE("a run under a small output-token budget is paced by max_tokens: no 429") {
        // Every request books max_tokens (4096 by default) when it starts: room for three.
        const auto max_tokens = Config{}.claude.max_tokens;
        const std::int64_t budget = 3 * max_tokens;
        const auto demand = unlimited_run_demand();
        REQUIRE(demand.requests * max_tokens > 2 * budget);

        SUBCASE("unpaced the run's requests draw 429s") {
            auto options = limited_server(0, budget);
            options.latency = 500ms; // writing: max_tokens stays booked meanwhile
            fake_claude::Server server(options);
            const std::vector<std::string> burst(static_cast<std::size_t>(demand.requests),
                                                 plain_body("claude-sonnet-4-6", 100, max_tokens));
            int refused = 0;
            for (const auto& result : post_all(server, burst))
                refused += result.status == 429;
            CHECK(refused > 0);
        }
        SUBCASE("paced by the client it completes without one") {
            fake_claude::Server server(limited_server(0, budget));
            check_paced_run(server);
        }
    }

    TEST_CASE("a prompt over the context window is a clear 400 that is never retried") {
        SUBCASE("the model's own window through the HTTPS client") {
            fake_claude::Server server(test_support::fake_server_options(secret_key));
            const auto results = post_all(server, {plain_body("claude-haiku-4-5", 200'001, 256)});
            const auto& result = results.front();
            CHECK(result.status == 400);
            CHECK(result.error == errc::bad_response);
            CHECK(result.attempts == 1);
            CHECK(result.message.find("HTTP 400 invalid_request_error: prompt is too long: "
                                      "200001 tokens > 200000 maximum") != std::string::npos);
            CHECK(server.stats().responses_400 == 1);
        }
        SUBCASE("through the generator") {
            auto options = test_support::fake_server_options(secret_key);
            options.context_window = 200; // smaller than any request the generator sends
            fake_claude::Server server(options);
            MemoryStorage storage;
            auto config = claude_config(server);
            std::optional<Error> error;
            Test test;
            try {
                test = Generator(config).generate(test_support::sample_document(), 2, storage);
            } catch (const Error& e) {
                error = e;
            }
            const std::string message = error ? error->what() : test.message;
            CAPTURE(message);
            CHECK((error ? error->code_value() : test.error) == errc::bad_response);
            CHECK(test.questions_generated == 0);
            CHECK(message.find("prompt is too long") != std::string::npos);
            const auto stats = server.stats();
            CHECK(stats.responses_400 == stats.requests); // each call once: no retries
            CHECK(stats.responses_429 == 0);
        }
    }

    TEST_CASE("a body over 32 MB gets 413 request_too_large that is never retried") {
        fake_claude::Server server(test_support::fake_server_options(secret_key));
        const auto results =
            post_all(server, {plain_body("claude-sonnet-4-6", 32'000'000 / 4 + 1, 256)});
        const auto& result = results.front();
        CHECK(result.status == 413);
        CHECK(result.error == errc::bad_response);
        CHECK(result.attempts == 1);
        CHECK(result.message.find("HTTP 413 request_too_large: Request exceeds the maximum "
                                  "size") != std::string::npos);
        CHECK(server.stats().responses_413 == 1);
    }
}
