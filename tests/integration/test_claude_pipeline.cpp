// The whole Claude path through the public API, against the fake Claude server on 127.0.0.1.
#include "fake_claude_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

using namespace mcqgen;
using namespace std::chrono_literals;

namespace {

const std::string secret_key = "test-key-DO-NOT-LEAK-7f3a9c1e55b2";

fake_claude::Options server_options() {
    return test_support::fake_server_options(secret_key, 20ms);
}

Config claude_config(const fake_claude::Server& server) {
    auto c = test_support::fake_claude_config(server, secret_key);
    c.pipeline.seed = 17;
    c.pipeline.max_questions = 50;
    c.http.request_timeout = 5s;
    return c;
}

// Every stored question obeys the gates, whatever the server did.
void check_stored(Storage& storage, const Test& test, const std::string& document) {
    const auto questions = storage.questions(test.id);
    CHECK(static_cast<int>(questions.size()) == test.questions_generated);
    std::set<std::string> stems;
    for (const auto& q : questions) {
        std::set<std::string> options(q.options.begin(), q.options.end());
        CHECK(options.size() == 4);
        CHECK(q.answer_index >= 0);
        CHECK(q.answer_index < 4);
        CHECK(test_support::squash(document).find(test_support::squash(q.source_quote)) !=
              std::string::npos);
        stems.insert(q.stem);
    }
    CHECK(stems.size() == questions.size());
}

struct Run {
    Test test;
    std::optional<Error> error;
};

Run run(const Config& config, Storage& storage, int count = 6) {
    try {
        return {Generator(config).generate(test_support::sample_document(), count, storage), {}};
    } catch (const Error& e) {
        return {{}, e};
    }
}

} // namespace

TEST_SUITE("claude_pipeline") {
    TEST_CASE("20 questions: all stored connections reused concurrency bounded") {
        fake_claude::Server server(server_options());
        MemoryStorage storage;
        auto config = claude_config(server);
        config.http.max_concurrency = 4;
        std::vector<int> created;
        const auto test = Generator(config).generate(test_support::sample_document(), 20, storage,
                                                     [&](const Progress& p) {
                                                         if (p.question)
                                                             created.push_back(p.created);
                                                     });
        CHECK(test.status == Status::completed);
        CHECK(test.questions_generated == 20);
        CHECK(created.size() == 20);
        check_stored(storage, test, test_support::sample_document().text());
        const auto stats = server.stats();
        CHECK(stats.connections_accepted <= 4);
        CHECK(stats.peak_in_flight <= 4);
        CHECK(stats.author_requests >= 20);
        CHECK(stats.judge_requests >= 20);
        CHECK(test.usage.requests == stats.requests);
        CHECK(test.usage.input_tokens > 0);
        CHECK(test.usage.cache_read_input_tokens > 0); // the document prefix repeats
        CHECK(test.usage.estimated_cost_usd > 0);
        CHECK(test.provider == "claude:" + config.claude.model);
        // Every call is kept with the API's request id and its own usage.
        const auto calls = storage.calls(test.id);
        CHECK(static_cast<std::int64_t>(calls.size()) ==
              stats.author_requests + stats.judge_requests);
        std::int64_t input = 0;
        for (const auto& call : calls) {
            CHECK(call.request_id.rfind("req_", 0) == 0);
            CHECK(call.http_status == 200);
            CHECK((call.kind == "author" || call.kind == "judge"));
            input += call.usage.input_tokens;
        }
        CHECK(input == test.usage.input_tokens);
    }

    TEST_CASE("candidates per call follow the pass rate and usage per question adds up") {
        fake_claude::Server server(server_options());
        MemoryStorage storage;
        auto config = claude_config(server);
        config.http.max_concurrency = 2; // later slots start after earlier ones were judged
        const auto test = Generator(config).generate(test_support::sample_document(), 12, storage);
        REQUIRE(test.status == Status::completed);
        const auto stats = server.stats();
        // The fake passes most candidates: after the first calls fewer than 4 are asked for.
        CAPTURE(test.candidates_generated);
        CHECK(test.candidates_generated < 4 * stats.author_requests);
        CHECK(test.candidates_generated >= stats.author_requests);

        const auto each = test.usage_per_question();
        CHECK(each.estimated_cost_usd * 12 == doctest::Approx(test.usage.estimated_cost_usd));
        CHECK(each.output_tokens * 12 == doctest::Approx(test.usage.output_tokens));
        CHECK(each.cache_read_input_tokens > 0);
        CHECK(Test{}.usage_per_question().estimated_cost_usd == 0); // no question, no division
        CHECK(to_json(test).find("\"per_question\"") != std::string::npos);

        // One candidate configured: one asked for, always.
        fake_claude::Server single_server(server_options());
        auto single = claude_config(single_server);
        single.pipeline.candidates = 1;
        MemoryStorage single_storage;
        const auto one =
            Generator(single).generate(test_support::sample_document(), 6, single_storage);
        CHECK(one.candidates_generated == single_server.stats().author_requests);
    }

    TEST_CASE("one short call writes the cache of a long document and every other call reads "
              "it") {
        const auto text = test_support::sample_document().text() + "\n\n" +
                          test_support::sample_document("solar_system.txt").text() + "\n\n" +
                          test_support::sample_document().text();
        REQUIRE(text.size() > 4096 * 3); // above the size the run warms
        fake_claude::Server server(server_options());
        MemoryStorage storage;
        auto config = claude_config(server);
        config.http.max_concurrency = 8;
        const auto test = Generator(config).generate(Document::from_text(text), 8, storage);
        REQUIRE(test.status == Status::completed);
        int cache_calls = 0;
        for (const auto& call : storage.calls(test.id)) {
            CAPTURE(call.kind);
            if (call.kind == "cache") {
                ++cache_calls;
                CHECK(call.usage.cache_creation_input_tokens > 0);
                CHECK(call.usage.output_tokens == 1);
            } else {
                CHECK(call.usage.cache_creation_input_tokens == 0);
                CHECK(call.usage.cache_read_input_tokens > 0);
            }
        }
        CHECK(cache_calls == 1);
        const auto stats = server.stats();
        CHECK(stats.requests == stats.author_requests + stats.judge_requests + 1);

        // A cache call that fails costs nothing more than the calls writing the cache again.
        fake_claude::Server failing(server_options());
        failing.set_faults("500#1");
        auto no_retries = claude_config(failing);
        no_retries.http.max_retries = 0;
        no_retries.http.max_concurrency = 8;
        MemoryStorage other;
        const auto second = Generator(no_retries).generate(Document::from_text(text), 8, other);
        CHECK(second.status == Status::completed);
        CHECK(second.questions_generated == 8);

        // A judge of another model gets its own cache call, made beside the author's.
        fake_claude::Server judged(server_options());
        auto cheaper = claude_config(judged);
        cheaper.http.max_concurrency = 8;
        cheaper.claude.judge_model = "claude-haiku-4-5";
        MemoryStorage third_storage;
        const auto third = Generator(cheaper).generate(Document::from_text(text), 8, third_storage);
        REQUIRE(third.status == Status::completed);
        const auto calls = third_storage.calls(third.id);
        CHECK(std::count_if(calls.begin(), calls.end(),
                            [](const CallRecord& c) { return c.kind == "cache"; }) == 2);
    }

    TEST_CASE("judge_model sends the blind judge's calls to another model at its price") {
        fake_claude::Server server(server_options());
        MemoryStorage storage;
        auto config = claude_config(server);
        config.claude.judge_model = "claude-haiku-4-5";
        const auto test = Generator(config).generate(test_support::sample_document(), 6, storage);
        REQUIRE(test.status == Status::completed);
        const auto stats = server.stats();
        CHECK(stats.judge_requests_by_model ==
              std::map<std::string, int64_t>{{"claude-haiku-4-5", stats.judge_requests}});

        fake_claude::Server same_server(server_options());
        MemoryStorage same_storage;
        const auto same = Generator(claude_config(same_server))
                              .generate(test_support::sample_document(), 6, same_storage);
        REQUIRE(same.status == Status::completed);
        CHECK(same_server.stats().judge_requests_by_model.count(config.claude.model) == 1);
        const auto judge_cost = [](Storage& s, const Test& t) {
            double cost = 0;
            for (const auto& call : s.calls(t.id))
                if (call.kind == "judge") cost += call.usage.estimated_cost_usd;
            return cost;
        };
        // Each judge call is priced as Haiku's ($1 in, $5 out, $1.25 cache writes, $0.10 cache
        // reads per million tokens). Cheaper in all, though less than the prices say: Haiku
        // caches the document on its own, and not at all below its larger minimum prefix.
        for (const auto& call : storage.calls(test.id)) {
            if (call.kind != "judge") continue;
            const auto& u = call.usage;
            CHECK(u.estimated_cost_usd ==
                  doctest::Approx((u.input_tokens * 1.0 + u.output_tokens * 5.0 +
                                   u.cache_creation_input_tokens * 1.25 +
                                   u.cache_read_input_tokens * 0.10) /
                                  1e6));
        }
        CHECK(judge_cost(storage, test) < judge_cost(same_storage, same));

        auto too_small = config;
        too_small.claude.document_tokens = 900'000; // fits Sonnet's 1M window, not Haiku's 200k
        too_small.claude.model = "claude-sonnet-4-6";
        CHECK(test_support::error_of([&] { too_small.validate(); }) == errc::invalid_argument);
    }

    TEST_CASE("the forced-tool mechanism works as well as JSON outputs") {
        fake_claude::Server server(server_options());
        MemoryStorage storage;
        auto config = claude_config(server);
        config.claude.structured_output = StructuredOutput::tool;
        const auto result = run(config, storage, 4);
        REQUIRE_FALSE(result.error);
        CHECK(result.test.status == Status::completed);
    }

    TEST_CASE("recoverable faults end completed with no bad question stored") {
        const char* specs[] = {"429#1",       "529@0.3",           "500#2",
                               "503#1",       "reset_before#1",    "reset_mid#2",
                               "stall#1",     "malformed#1",       "truncated#2",
                               "text_only#1", "max_tokens#1",      "wrong_shape#1",
                               "refusal#2",   "should_not_retry#1"};
        for (const char* spec : specs) {
            CAPTURE(spec);
            auto options = server_options();
            options.faults = spec;
            fake_claude::Server server(options);
            MemoryStorage storage;
            auto config = claude_config(server);
            config.http.request_timeout = 1500ms; // the stall must time out and be retried
            const auto result = run(config, storage, 5);
            REQUIRE_FALSE(result.error);
            CHECK(result.test.status == Status::completed);
            CHECK(server.stats().faults_injected >= 1);
            check_stored(storage, result.test, test_support::sample_document().text());
        }
    }

    TEST_CASE("faults that retries cannot get past end partial or failed with a clear message") {
        auto options = server_options();
        options.faults = "529*";
        fake_claude::Server server(options);
        MemoryStorage storage;
        auto config = claude_config(server);
        config.http.max_retries = 1;
        const auto result = run(config, storage, 3);
        REQUIRE_FALSE(result.error);
        CHECK(result.test.status == Status::failed);
        CHECK(result.test.error == errc::server);
        CHECK(result.test.message.find("server") != std::string::npos);
        CHECK(storage.questions(result.test.id).empty());
        // Attempts stay within the budget: 3 author calls per question, 2 attempts each.
        CHECK(server.stats().requests <= 3 * 3 * 2);
    }

    TEST_CASE("judge disagreement rejects candidates and the run still completes") {
        auto options = server_options();
        options.disagree_rate = 0.3;
        fake_claude::Server server(options);
        MemoryStorage storage;
        const auto result = run(claude_config(server), storage, 8);
        REQUIRE_FALSE(result.error);
        CHECK(result.test.status == Status::completed);
        CHECK(result.test.rejections.count("judge_disagrees") == 1);
    }

    TEST_CASE("a wrong key fails fast with an auth error and no retries") {
        fake_claude::Server server(server_options());
        MemoryStorage storage;
        auto config = claude_config(server);
        config.http.api_key = "test-key-wrong";
        const auto result = run(config, storage, 5);
        REQUIRE(result.error);
        CHECK(result.error->code_value() == errc::auth);
        const auto tests = storage.tests();
        REQUIRE(tests.size() == 1);
        CHECK(tests[0].status == Status::failed);
        CHECK(tests[0].error == errc::auth);
        // At most one attempt per slot in flight when the first 401 came back; none retried.
        CHECK(server.stats().requests <= config.http.max_concurrency);
    }

    TEST_CASE("an untrusted CA or a certificate for another host is refused with a TLS error") {
        SUBCASE("untrusted CA") {
            fake_claude::Server server(server_options());
            MemoryStorage storage;
            auto config = claude_config(server);
            config.http.ca_file.clear();
            const auto result = run(config, storage, 2);
            REQUIRE(result.error);
            CHECK(result.error->code_value() == errc::tls);
        }
        SUBCASE("wrong host name") {
            auto options = server_options();
            options.cert_host = "localhost.invalid";
            fake_claude::Server server(options);
            MemoryStorage storage;
            const auto result = run(claude_config(server), storage, 2);
            REQUIRE(result.error);
            CHECK(result.error->code_value() == errc::tls);
        }
        SUBCASE("expired certificate") {
            auto options = server_options();
            options.expired_cert = true;
            fake_claude::Server server(options);
            MemoryStorage storage;
            const auto result = run(claude_config(server), storage, 2);
            REQUIRE(result.error);
            CHECK(result.error->code_value() == errc::tls);
        }
    }

    TEST_CASE("verify_tls = false and only that lets a run reach a server it cannot verify") {
        // The caller's explicit development switch: the same untrusted, wrongly named server
        // that the test above refuses is reached when verification is turned off.
        auto options = server_options();
        options.cert_host = "localhost.invalid";
        fake_claude::Server server(options);
        auto config = claude_config(server);
        config.http.ca_file.clear();
        MemoryStorage refused_storage;
        const auto refused = run(config, refused_storage, 2);
        REQUIRE(refused.error);
        CHECK(refused.error->code_value() == errc::tls);

        config.http.verify_tls = false;
        MemoryStorage storage;
        const auto reached = run(config, storage, 2);
        REQUIRE_FALSE(reached.error);
        CHECK(reached.test.status == Status::completed);
        CHECK(reached.test.provider == "claude:" + config.claude.model);
    }

    TEST_CASE("the API key never appears in logs errors stored rows or JSON") {
        test_support::TempDir dir;
        auto options = server_options();
        options.faults = "429#1,500#2,reset_mid#3";
        fake_claude::Server server(options);
        std::vector<std::string> lines;
        std::mutex lines_mutex;
        auto config = claude_config(server);
        config.log = [&](std::string_view line) {
            std::lock_guard lock(lines_mutex);
            lines.emplace_back(line);
        };
        std::string everything;
        {
            SqliteStorage storage(dir / "t.db");
            const auto result = run(config, storage, 4);
            REQUIRE_FALSE(result.error);
            everything += to_json(result.test, storage.questions(result.test.id));
            auto wrong = config;
            wrong.http.api_key = secret_key + "-wrong";
            server.set_faults("");
            const auto failed = run(wrong, storage, 2);
            REQUIRE(failed.error);
            everything += failed.error->what();
            everything += to_json(storage.tests());
        }
        CHECK_FALSE(lines.empty()); // the retries were logged
        for (const auto& line : lines)
            everything += line;
        for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
            everything += test_support::read_file(entry.path());
        CHECK(everything.find(secret_key) == std::string::npos);
        CHECK(everything.find("DO-NOT-LEAK") == std::string::npos);
    }

    TEST_CASE("cancellation mid-run returns promptly and keeps what was stored") {
        auto options = server_options();
        options.latency = 20ms;
        fake_claude::Server server(options);
        MemoryStorage storage;
        auto config = claude_config(server);
        config.http.max_concurrency = 2;
        config.http.request_timeout = 600s;
        Generator generator(config);
        std::atomic<bool> slowed{false};
        auto job =
            generator.start(test_support::sample_document(), 12, storage, [&](const Progress& p) {
                if (p.created == 2 && !slowed.exchange(true))
                    server.set_latency(120s); // calls now hang
            });
        REQUIRE(
            server.wait_until([](const fake_claude::Stats& s) { return s.in_flight >= 1; }, 60s));
        REQUIRE(server.wait_until([&](const fake_claude::Stats&) { return slowed.load(); }, 60s));
        job.cancel();
        REQUIRE(job.wait_for(30s)); // far sooner than the 120 s the server holds each call
        const auto test = job.get();
        CHECK(test.error == errc::cancelled);
        CHECK(test.questions_generated >= 2);
        CHECK(storage.questions(test.id).size() ==
              static_cast<std::size_t>(test.questions_generated));
    }

    TEST_CASE("a server with a requests-per-minute budget is never driven into 429s") {
        // Six calls a minute; the run needs at least ten. A paced run spreads the budget over the
        // window the server announces instead of drawing 429s: watch a few seconds, then cancel.
        auto options = server_options();
        options.rpm = 6;
        fake_claude::Server server(options);
        MemoryStorage storage;
        Generator generator(claude_config(server));
        auto job = generator.start(test_support::sample_document(), 5, storage);
        REQUIRE(
            server.wait_until([](const fake_claude::Stats& s) { return s.requests >= 2; }, 60s));
        const bool overdrawn = server.wait_until(
            [](const fake_claude::Stats& s) { return s.requests > 6 || s.responses_429 > 0; }, 4s);
        CHECK_FALSE(overdrawn);
        job.cancel();
        REQUIRE(job.wait_for(30s));
        CHECK(job.get().error == errc::cancelled);
        CHECK(server.stats().responses_429 == 0);
    }
}
