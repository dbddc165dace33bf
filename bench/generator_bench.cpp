// mcqgen-generator-bench: the public Generator, timed. Generates --tests tests of --questions
// questions each from one document, one after another with one Generator, into SQLite (--db) or
// memory, offline or against a Claude-compatible server (--base-url), and prints one JSON object:
// wall and CPU time of the generation loop, peak memory of the process, sockets left open, the
// outcome of the tests and the API usage they report.
//
// Run each configuration in a process of its own: peak RSS is per process.

#include "bench_util.hpp"

#include <mcqgen/mcqgen.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

mcqgen::Config make_config(const bench::Args& args) {
    mcqgen::Config config; // not from_env: the bench says everything it uses
    config.pipeline.max_questions = 1000;
    config.pipeline.candidates = static_cast<int>(args.number("--candidates", 4));
    config.pipeline.seed = static_cast<std::uint64_t>(args.number("--seed", 0));
    if (args.flag("--offline")) {
        config.pipeline.offline = true;
        return config;
    }
    config.http.api_key = args.text("--api-key", "test-key");
    config.http.base_url = args.required("--base-url");
    config.http.ca_file = args.required("--ca-file");
    config.http.max_concurrency = static_cast<int>(args.number("--concurrency", 8));
    config.http.max_retries = static_cast<int>(args.number("--max-retries", 2));
    config.claude.model = args.text("--model", config.claude.model);
    config.claude.judge_model = args.text("--judge-model", "");
    if (args.flag("--batch")) { // Message Batches, polled often: the fake's batches are quick
        config.batch.enabled = true;
        config.batch.poll_interval = std::chrono::milliseconds(args.number("--poll-ms", 50));
        config.batch.max_poll_interval = config.batch.poll_interval * 4;
    }
    return config;
}

json::object usage_json(const mcqgen::Usage& usage) {
    return json::object{
        {"requests", usage.requests},
        {"input_tokens", usage.input_tokens},
        {"output_tokens", usage.output_tokens},
        {"cache_creation_input_tokens", usage.cache_creation_input_tokens},
        {"cache_read_input_tokens", usage.cache_read_input_tokens},
    };
}

int run(const bench::Args& args) {
    const int tests = static_cast<int>(args.number("--tests", 1));
    const int questions = static_cast<int>(args.number("--questions", 20));
    const auto document = mcqgen::Document::from_file(args.required("--document"));
    const std::string db = args.text("--db");

    std::unique_ptr<mcqgen::Storage> storage;
    if (db.empty())
        storage = std::make_unique<mcqgen::MemoryStorage>();
    else
        storage = std::make_unique<mcqgen::SqliteStorage>(db);
    auto generator = std::make_optional<mcqgen::Generator>(make_config(args));

    const long rss_before_kib = bench::proc_status_kib("VmRSS");
    mcqgen::Usage usage;
    std::map<std::string, int> statuses;
    int stored = 0, candidates_generated = 0, candidates_rejected = 0;
    std::vector<double> test_wall_ms;
    json::array test_wall_list, test_requests;
    std::map<std::string, int> rejections;
    std::string last_message;

    const double cpu_start = bench::cpu_seconds();
    const auto wall_start = Clock::now();
    for (int i = 0; i < tests; ++i) {
        const auto test_start = Clock::now();
        const mcqgen::Test test = generator->generate(document, questions, *storage);
        test_wall_ms.push_back(bench::milliseconds_since(test_start));
        test_wall_list.emplace_back(std::round(test_wall_ms.back()));
        test_requests.emplace_back(test.usage.requests);
        for (const auto& [reason, count] : test.rejections)
            rejections[reason] += count;
        usage += test.usage;
        ++statuses[std::string(mcqgen::to_string(test.status))];
        stored += test.questions_generated;
        candidates_generated += test.candidates_generated;
        candidates_rejected += test.candidates_rejected;
        if (test.status != mcqgen::Status::completed) last_message = test.message;
    }
    const double wall_ms = bench::milliseconds_since(wall_start);
    const double cpu_ms = (bench::cpu_seconds() - cpu_start) * 1000;
    const int sockets_at_end = bench::open_sockets();
    const long rss_end_kib = bench::proc_status_kib("VmRSS");
    generator.reset();
    const int sockets_after_generator = bench::open_sockets();

    json::object rejection_counts;
    for (const auto& [reason, count] : rejections)
        rejection_counts[reason] = count;
    json::object status_counts;
    for (const auto& [status, count] : statuses)
        status_counts[status] = count;
    json::object result{
        {"mode", args.flag("--offline") ? "offline"
                 : args.flag("--batch") ? "batch"
                                        : "claude"},
        {"storage", db.empty() ? "memory" : "sqlite"},
        {"document_bytes", document.text().size()},
        {"tests", tests},
        {"questions_per_test", questions},
        {"questions_stored", stored},
        {"statuses", std::move(status_counts)},
        {"last_message", last_message},
        {"wall_ms", wall_ms},
        {"test_wall_ms_first", test_wall_ms.empty() ? 0.0 : test_wall_ms.front()},
        {"test_wall_ms_median", bench::percentile(test_wall_ms, 50)},
        {"test_wall_ms_rest_median",
         test_wall_ms.size() < 2
             ? 0.0
             : bench::percentile(std::vector<double>(test_wall_ms.begin() + 1, test_wall_ms.end()),
                                 50)},
        {"cpu_ms", cpu_ms},
        {"cpu_us_per_question", stored ? cpu_ms * 1000 / stored : 0.0},
        {"questions_per_second", wall_ms > 0 ? stored * 1000.0 / wall_ms : 0.0},
        // VmHWM is this process's own peak; ru_maxrss also counts the parent's RSS at exec.
        {"peak_rss_kib", bench::proc_status_kib("VmHWM")},
        {"ru_maxrss_kib", bench::max_rss_kib()},
        {"rss_before_kib", rss_before_kib},
        {"rss_end_kib", rss_end_kib},
        {"sockets_at_end", sockets_at_end},
        {"sockets_after_generator", sockets_after_generator},
        {"candidates_generated", candidates_generated},
        {"candidates_rejected", candidates_rejected},
        {"usage", usage_json(usage)},
        {"cost_usd", usage.estimated_cost_usd},
        {"cost_usd_per_question", stored ? usage.estimated_cost_usd / stored : 0.0},
        {"rejections", std::move(rejection_counts)},
        {"test_wall_ms", std::move(test_wall_list)},
        {"test_requests", std::move(test_requests)},
    };
    std::cout << json::serialize(result) << std::endl;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(bench::Args(argc, argv, {"--offline", "--batch"}));
    } catch (const std::exception& error) {
        std::cerr << "mcqgen-generator-bench: " << error.what() << "\n"
                  << "usage: mcqgen-generator-bench --document FILE [--tests T] [--questions N]\n"
                     "           [--db PATH] [--candidates K] [--seed S]\n"
                     "           (--offline | --base-url URL --ca-file PEM [--api-key K]\n"
                     "            [--concurrency C] [--max-retries R])\n";
        return 2;
    }
}
