// mcqgen-fake-claude: the fake Claude server as a process, for Python tests and benchmarks.
// Prints one line "listening on https://127.0.0.1:PORT" when ready; runs until SIGINT/SIGTERM.
#include "fake_claude.hpp"

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

constexpr int usage_error = 2;

void print_usage(std::ostream& out) {
    out << "usage: mcqgen-fake-claude --port P --tls-dir DIR [--api-key K] [--latency-ms L]\n"
           "           [--author-latency-ms L] [--judge-latency-ms L] [--faults SPEC]\n"
           "           [--rpm N] [--itpm N] [--otpm N] [--context-window N]\n"
           "           [--min-cache-tokens N] [--batch-delay-ms L] [--max-queued-batch-requests "
           "N]\n"
           "           [--disagree-rate R] [--seed S] [--threads N]\n"
           "           [--cert-host NAME] [--expired-cert]\n"
           "\n"
           "Serves the Claude Messages and Message Batches APIs on https://127.0.0.1:P (0: any "
           "free port) with a\n"
           "certificate signed by DIR/ca.pem (both created when missing).\n"
           "SPEC: comma-separated KIND[@SCOPE]@RATE | KIND[@SCOPE]#N | KIND[@SCOPE]*, KIND one\n"
           "  of 429 529 500 503 should_not_retry reset_before reset_mid stall malformed\n"
           "  truncated text_only max_tokens wrong_shape refusal item_errored item_expired\n"
           "  item_canceled; SCOPE one of messages (the default) create retrieve list cancel\n"
           "  delete results.\n"
           "--batch-delay-ms: how long a Message Batch takes to end (0: at once).\n"
           "--itpm/--otpm: input/output tokens per minute (token buckets; 0: unlimited).\n"
           "--context-window: tokens for every model (0: each model's own).\n"
           "Also serves GET /_stats and POST /_control {\"faults\",\"latency_ms\",\n"
           "  \"disagree_rate\",\"rpm\",\"input_tokens_per_minute\",\"output_tokens_per_minute\",\n"
           "  \"batch_delay_ms\",\"reset_stats\"}.\n";
}

struct UsageError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

template <class Number> Number parse_number(std::string_view flag, std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size())
        throw UsageError(std::string(flag) + ": not a number: " + std::string(text));
    return value;
}

/// Parses the command line; nullopt when --help was asked for.
std::optional<fake_claude::Options> parse_arguments(int argc, char** argv) {
    fake_claude::Options options;
    bool have_port = false, have_tls_dir = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") return std::nullopt;
        if (flag == "--expired-cert") {
            options.expired_cert = true;
            continue;
        }
        if (i + 1 >= argc) throw UsageError(std::string(flag) + ": missing value");
        const std::string_view value = argv[++i];
        const auto milliseconds = [&] {
            return std::chrono::milliseconds(parse_number<int64_t>(flag, value));
        };
        if (flag == "--port") {
            options.port = parse_number<uint16_t>(flag, value);
            have_port = true;
        } else if (flag == "--tls-dir") {
            options.tls_dir = std::string(value);
            have_tls_dir = !value.empty();
        } else if (flag == "--api-key") {
            options.api_key = std::string(value);
        } else if (flag == "--latency-ms") {
            options.latency = milliseconds();
        } else if (flag == "--author-latency-ms") {
            options.author_latency = milliseconds();
        } else if (flag == "--judge-latency-ms") {
            options.judge_latency = milliseconds();
        } else if (flag == "--faults") {
            options.faults = std::string(value);
        } else if (flag == "--rpm") {
            options.rpm = parse_number<int>(flag, value);
        } else if (flag == "--itpm") {
            options.input_tokens_per_minute = parse_number<int64_t>(flag, value);
        } else if (flag == "--otpm") {
            options.output_tokens_per_minute = parse_number<int64_t>(flag, value);
        } else if (flag == "--context-window") {
            options.context_window = parse_number<int64_t>(flag, value);
        } else if (flag == "--min-cache-tokens") {
            options.min_cache_tokens = parse_number<int64_t>(flag, value);
        } else if (flag == "--batch-delay-ms") {
            options.batch_delay = milliseconds();
        } else if (flag == "--max-queued-batch-requests") {
            options.max_queued_batch_requests = parse_number<int64_t>(flag, value);
        } else if (flag == "--disagree-rate") {
            options.disagree_rate = parse_number<double>(flag, value);
        } else if (flag == "--seed") {
            options.seed = parse_number<uint64_t>(flag, value);
        } else if (flag == "--threads") {
            options.threads = parse_number<int>(flag, value);
        } else if (flag == "--cert-host") {
            options.cert_host = std::string(value);
        } else {
            throw UsageError("unknown option " + std::string(flag));
        }
    }
    if (!have_port || !have_tls_dir) throw UsageError("--port and --tls-dir are required");
    return options;
}

} // namespace

int main(int argc, char** argv) {
    std::optional<fake_claude::Options> options;
    try {
        options = parse_arguments(argc, argv);
    } catch (const UsageError& error) {
        std::cerr << "mcqgen-fake-claude: " << error.what() << "\n";
        print_usage(std::cerr);
        return usage_error;
    }
    if (!options) {
        print_usage(std::cout);
        return 0;
    }

    // Blocked before the server starts its threads, which inherit the mask: the signals are then
    // delivered only to sigwait below, never to an io_context thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::optional<fake_claude::Server> server;
    try {
        server.emplace(std::move(*options));
    } catch (const std::invalid_argument& error) {
        std::cerr << "mcqgen-fake-claude: " << error.what() << "\n";
        print_usage(std::cerr);
        return usage_error;
    } catch (const std::exception& error) {
        std::cerr << "mcqgen-fake-claude: " << error.what() << "\n";
        return EXIT_FAILURE;
    }
    std::cout << "listening on " << server->base_url() << std::endl;

    int received = 0;
    sigwait(&stop_signals, &received);
    server->stop();
    return 0;
}
