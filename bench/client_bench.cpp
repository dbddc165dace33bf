// mcqgen-client-bench: drives M Messages calls through mcqgen's HttpsClient at concurrency C
// against a Claude-compatible server (the fake one, in another process) and prints one JSON
// object with wall time, latency percentiles and the client's own CPU time.
//
// One io_context thread; max_concurrency = C; no retries; TLS verified against --ca-file. The
// load is a closed loop: C lanes, each posting its next call when the previous one completed,
// so latency is one call's round trip, never time spent queued in the client. Every response
// body is parsed with Boost.JSON, and so is the structured text inside it.
//
// --warm: a first, untimed round of C calls opens the connections, then the server's
// statistics are reset (POST /_control) on one of them, and only then does the clock start.

#include "bench_util.hpp"
#include "claude/https_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using mcqgen::errc;
using mcqgen::HttpOptions;
using mcqgen::detail::claude::ApiResponse;
using mcqgen::detail::claude::HttpsClient;
using Clock = std::chrono::steady_clock;

// A minimal valid Messages request with a small structured output, so that the server answers
// with a few hundred bytes and spends next to nothing on it.
const std::string request_body = json::serialize(json::object{
    {"model", "claude-sonnet-4-6"},
    {"max_tokens", 256},
    {"messages",
     json::array{json::object{{"role", "user"}, {"content", "Answer with ok set to true."}}}},
    {"output_config",
     json::object{
         {"format",
          json::object{
              {"type", "json_schema"},
              {"schema",
               json::object{
                   {"type", "object"},
                   {"additionalProperties", false},
                   {"required", json::array{"ok"}},
                   {"properties", json::object{{"ok", json::object{{"type", "boolean"}}}}}}}}}}},
});

/// True when the body is a Messages reply whose text block holds a JSON object.
bool parse_reply(const std::string& body) {
    boost::system::error_code ec;
    const json::value reply = json::parse(body, ec);
    if (ec || !reply.is_object()) return false;
    const auto* content = reply.as_object().if_contains("content");
    if (!content || !content->is_array()) return false;
    for (const auto& block : content->as_array()) {
        const auto* text = block.is_object() ? block.as_object().if_contains("text") : nullptr;
        if (!text || !text->is_string()) continue;
        const json::value structured = json::parse(text->as_string(), ec);
        return !ec && structured.is_object();
    }
    return false;
}

/// C lanes sharing a budget of calls; each lane posts its next call from the previous one's
/// completion.
struct ClosedLoop {
    ClosedLoop(HttpsClient& client, std::string path, std::string body)
        : client(client), path(std::move(path)), body(std::move(body)) {}

    HttpsClient& client;
    std::string path;
    std::string body;
    int remaining = 0;
    std::vector<double> latencies_ms;
    int errors = 0;
    std::string first_error;

    void next() {
        if (remaining == 0) return;
        --remaining;
        const auto sent = Clock::now();
        client.post(path, body, [this, sent](ApiResponse response) {
            latencies_ms.push_back(bench::milliseconds_since(sent));
            const bool ok = response.error == errc::ok &&
                            (path != "/v1/messages" || parse_reply(response.body));
            if (!ok) {
                if (errors++ == 0)
                    first_error = response.message.empty() ? "unparsable reply" : response.message;
            }
            next();
        });
    }

    void run(boost::asio::io_context& io, int calls, int lanes) {
        remaining = calls;
        for (int i = 0; i < lanes; ++i)
            next();
        io.run();
        io.restart();
    }
};

int run(const bench::Args& args) {
    const int concurrency = static_cast<int>(args.number("--concurrency", 1));
    const int requests = static_cast<int>(args.number("--requests", 10 * concurrency));
    const bool warm = args.flag("--warm");

    HttpOptions options;
    options.base_url = args.required("--base-url");
    options.api_key = args.text("--api-key", "test-key");
    options.api_version = "2023-06-01";
    options.ca_file = args.required("--ca-file");
    options.verify_tls = true;
    options.max_concurrency = concurrency;
    options.max_retries = 0;

    boost::asio::io_context io{1};
    HttpsClient client{io, options};

    if (warm) {
        ClosedLoop warmup{client, "/v1/messages", request_body};
        warmup.run(io, concurrency, concurrency);
        ClosedLoop reset{client, "/_control", R"({"reset_stats":true})"};
        reset.run(io, 1, 1);
        if (warmup.errors || reset.errors) {
            std::cerr << "warm-up failed: " << warmup.first_error << reset.first_error << "\n";
            return 1;
        }
    }
    const auto opened_before = client.stats().connections_opened;

    ClosedLoop load{client, "/v1/messages", request_body};
    load.latencies_ms.reserve(static_cast<std::size_t>(requests));
    const double cpu_start = bench::cpu_seconds();
    const auto wall_start = Clock::now();
    load.run(io, requests, concurrency);
    const double wall_ms = bench::milliseconds_since(wall_start);
    const double cpu_ms = (bench::cpu_seconds() - cpu_start) * 1000;
    const auto stats = client.stats();

    json::object result{
        {"client", "mcqgen"},
        {"concurrency", concurrency},
        {"requests", requests},
        {"warm", warm},
        {"wall_ms", wall_ms},
        {"latency_p50_ms", bench::percentile(load.latencies_ms, 50)},
        {"latency_p99_ms", bench::percentile(load.latencies_ms, 99)},
        {"cpu_ms", cpu_ms},
        {"cpu_us_per_request", cpu_ms * 1000 / requests},
        {"client_connections_opened", stats.connections_opened - opened_before},
        {"peak_in_flight", stats.peak_in_flight},
        {"errors", load.errors},
        {"first_error", load.first_error},
        {"peak_rss_kib", bench::proc_status_kib("VmHWM")},
    };
    std::cout << json::serialize(result) << std::endl;
    return load.errors == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(bench::Args(argc, argv, {"--warm"}));
    } catch (const std::exception& error) {
        std::cerr << "mcqgen-client-bench: " << error.what() << "\n"
                  << "usage: mcqgen-client-bench --base-url URL --ca-file PEM [--api-key K]\n"
                     "           [--concurrency C] [--requests M] [--warm]\n";
        return 2;
    }
}
