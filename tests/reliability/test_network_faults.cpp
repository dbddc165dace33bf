// Network faults at scale: 20 tests of 10 questions against the fake Claude server while about
// a fifth of all requests fail (429, 529, resets, stalls, malformed bodies). Every test must
// complete, the HTTP attempts must stay within the retry budget the configuration allows, and
// nothing may leak: no sockets, no memory growth from one batch of runs to the next.

#include "fake_claude_client.hpp"
#include "reliability_support.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace mcqgen;
using namespace std::chrono_literals;

namespace {

const std::string api_key = "test-key-fault-scale-90e1";

// Each item is drawn in turn and the first that fires wins: 1 - (0.95^3 * 0.97^2 * 0.99), about
// 20 % of all requests.
constexpr const char* mixed_faults = "429@0.05,529@0.05,reset_before@0.03,reset_mid@0.03,"
                                     "stall@0.01,malformed@0.05";

// Author calls a run may make per missing question (src/pipeline/run.cpp); each may be followed
// by one judge call. Each call makes at most max_retries + 1 attempts, plus one immediate retry
// when a kept-alive connection turns out to have been closed by the server (not counted as a
// retry: nothing was answered; src/claude/https_client.cpp).
constexpr int author_calls_per_question = 3;

std::int64_t attempt_budget(const Config& config, int questions) {
    const std::int64_t calls = static_cast<std::int64_t>(questions) * author_calls_per_question * 2;
    return calls * (config.http.max_retries + 1 + 1);
}

Config claude_config(const fake_claude::Server& server) {
    auto c = test_support::fake_claude_config(server, api_key);
    c.http.max_concurrency = 4;
    c.http.max_retries = 2;
    c.http.request_timeout = 1500ms; // a stalled answer costs one timeout, then a retry
    return c;
}

struct Batch {
    std::vector<Test> tests;
    std::int64_t client_attempts = 0;
};

// `tests` tests of `per_test` questions each, on `threads` threads sharing one storage.
Batch run_batch(const fake_claude::Server& server, Storage& storage, int threads, int tests,
                int per_test, std::uint64_t seed) {
    Batch batch;
    std::mutex mutex;
    std::atomic<int> next{0};
    std::vector<std::thread> workers;
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    const auto document = test_support::sample_document();
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            try {
                for (int i = next++; i < tests; i = next++) {
                    auto config = claude_config(server);
                    config.pipeline.seed = seed + static_cast<std::uint64_t>(i);
                    const auto test = Generator(config).generate(document, per_test, storage);
                    std::lock_guard lock(mutex);
                    batch.client_attempts += test.usage.requests;
                    batch.tests.push_back(test);
                }
            } catch (...) {
                errors[static_cast<std::size_t>(t)] = std::current_exception();
            }
        });
    }
    for (auto& w : workers)
        w.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    return batch;
}

} // namespace

TEST_SUITE("reliability_network") {
    TEST_CASE("200 questions over 20 tests complete through a fifth of failed requests within "
              "the retry budget, with no socket or memory growth") {
        const auto seed = reliability::test_seed();
        INFO("MCQGEN_RELIABILITY_SEED=", seed);
        test_support::TempDir dir;
        fake_claude::Options options;
        options.api_key = api_key;
        options.latency = 5ms;
        options.seed = seed;
        fake_claude::Server server(options);
        SqliteStorage storage(dir / "t.db");
        const auto quiet = [&] {
            // Sockets the server still holds for connections the clients have closed.
            return server.wait_until(
                [](const fake_claude::Stats& s) {
                    return s.open_connections == 0 && s.in_flight == 0;
                },
                60s);
        };

        // Warm-up without faults: pools, caches and allocator arenas reach their working size.
        run_batch(server, storage, 4, 4, 10, seed);
        REQUIRE(quiet());
        const int fds_before = reliability::open_fds();
        const long rss_before = reliability::status_kb("VmRSS");

        server.set_faults(mixed_faults);
        server.reset_stats();
        constexpr int tests = 20, per_test = 10;
        const auto start = std::chrono::steady_clock::now();
        const auto batch = run_batch(server, storage, 4, tests, per_test, seed + 1000);
        const auto seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto stats = server.stats();

        REQUIRE(batch.tests.size() == tests);
        int questions = 0;
        for (const auto& test : batch.tests) {
            CAPTURE(test.message);
            CHECK(test.status == Status::completed);
            reliability::check_complete(storage, test.id, per_test);
            questions += test.questions_generated;
        }
        CHECK(questions == tests * per_test);
        CHECK(stats.faults_injected > 0);
        const auto budget = attempt_budget(claude_config(server), tests * per_test);
        CHECK(stats.requests <= budget);
        CHECK(batch.client_attempts <= budget);

        REQUIRE(quiet());
        const int fds_after = reliability::open_fds();
        const long rss_after = reliability::status_kb("VmRSS");
        CHECK(fds_after == fds_before);
        if (!reliability::sanitized) CHECK(rss_after <= rss_before + 64 * 1024);

        reliability::report(
            "network.mixed_faults: tests=" + std::to_string(tests) + " questions=" +
            std::to_string(questions) + " server_requests=" + std::to_string(stats.requests) +
            " client_attempts=" + std::to_string(batch.client_attempts) + " budget=" +
            std::to_string(budget) + " faults_injected=" + std::to_string(stats.faults_injected) +
            " responses_429=" + std::to_string(stats.responses_429) +
            " connections=" + std::to_string(stats.connections_accepted) + " fds_before=" +
            std::to_string(fds_before) + " fds_after=" + std::to_string(fds_after) +
            " rss_kb_before=" + std::to_string(rss_before) +
            " rss_kb_after=" + std::to_string(rss_after) + " seconds=" + std::to_string(seconds) +
            " seed=" + std::to_string(seed));
    }
}
