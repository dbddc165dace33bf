#pragma once
// A fake Claude Messages API: a real HTTPS server on 127.0.0.1 for tests and benchmarks.
//
// It checks requests the way the real API does (docs/claude-protocol.md is the contract it relies
// on), answers author calls with candidates drawn from the request's own passage, answers judge
// calls with the keys it handed out, and can inject latency, rate limits and faults.
//
// Thread safety: every member function of Server may be called from any thread. The server runs
// on its own io_context thread(s); no Boost header is needed to use it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace fake_claude {

struct Options {
    std::string host = "127.0.0.1"; ///< address to listen on (loopback only in this project)
    uint16_t port = 0;              ///< 0: pick a free port
    /// Holds ca.pem, ca.key, server.pem, server.key; created when missing, reused otherwise.
    /// Empty: a fresh temporary directory, removed again by ~Server.
    std::filesystem::path tls_dir;
    std::string api_key = "test-key";             ///< requests with another x-api-key get 401
    std::chrono::milliseconds latency{0};         ///< waited (asynchronously) before every answer
    std::chrono::milliseconds author_latency{-1}; ///< overrides latency for author calls if >= 0
    std::chrono::milliseconds judge_latency{-1};  ///< overrides latency for judge calls if >= 0
    std::string faults; ///< fault spec, e.g. "429@0.1,reset_mid#3" (see fault_plan.hpp)
    int rpm = 0;        ///< requests-per-minute budget, sliding 60 s window; 0: unlimited
    /// Input- and output-tokens-per-minute budgets (ITPM, OTPM), token buckets that refill
    /// continuously; 0: unlimited. Input counts what is not read from the prompt cache; output
    /// is charged max_tokens on admission and corrected to the reply's output tokens after it.
    int64_t input_tokens_per_minute = 0;
    int64_t output_tokens_per_minute = 0;
    /// How long the token budgets' "minute" lasts. Only tests shorten it, so that a budget
    /// refills in seconds; the reset headers follow it.
    std::chrono::milliseconds token_minute{60'000};
    /// The context window in tokens for every model; 0: each model's own (200,000, or 1,000,000
    /// for Opus/Sonnet 4.6 and later and the 5-series; see context_window_of).
    int64_t context_window = 0;
    /// A cached prefix shorter than this many tokens is not cached: its cache_control marker is
    /// silently ignored, as Claude does below a model's minimum (1,024 to 4,096 tokens).
    /// 0: every prefix is cached.
    int64_t min_cache_tokens = 0;
    /// Larger request bodies get 413 request_too_large (the Messages API's 32 MB).
    uint64_t max_request_bytes = 32'000'000;
    /// The same for creating a Message Batch (the Batches API's 256 MB).
    uint64_t max_batch_request_bytes = 256'000'000;
    /// How long a Message Batch takes to end after its creation (the real API: minutes to
    /// hours). 0: it has ended when the create call returns.
    std::chrono::milliseconds batch_delay{0};
    /// Requests in batches not yet ended that the key may have queued; a create beyond it gets
    /// 429. 0: unlimited.
    int64_t max_queued_batch_requests = 0;
    double disagree_rate = 0; ///< probability that the judge picks a wrong option
    /// Name or IP put in the server certificate's subjectAltName (with DNS:localhost).
    std::string cert_host = "127.0.0.1";
    bool expired_cert = false; ///< the server certificate expired yesterday (TLS tests)
    uint64_t seed = 1;         ///< makes answers and fault draws reproducible
    int threads = 2;           ///< io_context threads
};

/// The context window of `model` in tokens, from the API facts' model overview: 1,000,000 for
/// Opus and Sonnet 4.6 and later and for every 5-series model, 200,000 for everything else.
int64_t context_window_of(std::string_view model);

/// Counters since start or the last reset_stats(). Gauges (in_flight, open_connections) are
/// never reset.
struct Stats {
    int64_t connections_accepted = 0;
    int64_t requests = 0; ///< requests to /v1/messages, whatever their outcome
    int64_t author_requests = 0;
    int64_t judge_requests = 0;
    std::map<std::string, int64_t> judge_requests_by_model; ///< model id -> judge requests
    int64_t responses_400 = 0; ///< invalid_request_error, a prompt too long included
    int64_t responses_413 = 0; ///< request bodies above max_request_bytes
    int64_t responses_429 = 0; ///< from the rpm and token budgets and from injected 429 faults
    int64_t responses_429_tokens = 0; ///< of those, refused by the input or output token budget
    int64_t input_tokens = 0;         ///< admitted, as counted against the input budget
    int64_t output_tokens = 0;        ///< written in replies
    /// The most input (output) tokens admitted (written) within any token minute (60 s unless
    /// Options::token_minute shortens it).
    int64_t peak_input_tokens_per_minute = 0;
    int64_t peak_output_tokens_per_minute = 0;
    int64_t faults_injected = 0;
    int in_flight = 0; ///< /v1/messages requests read but not yet answered (stalls included)
    int peak_in_flight = 0;
    int open_connections = 0;
    std::string last_user_agent; ///< of the last /v1/messages request
    // The Batches API: its calls by operation (whatever their outcome), and requests submitted.
    int64_t batches_created = 0;
    int64_t batch_items_submitted = 0;
    /// Submitted custom_ids that an earlier batch of this server already had: requests paid
    /// for twice, by a client that should have found them in its own records.
    int64_t batch_duplicate_custom_ids = 0;
    int64_t batch_retrieves = 0;
    int64_t batch_lists = 0;
    int64_t batch_cancels = 0;
    int64_t batch_deletes = 0;
    int64_t batch_results_downloads = 0;
};

class Server {
  public:
    /// Creates or loads the certificates, binds and starts listening: connections are accepted
    /// as soon as the constructor returns.
    /// @throws std::invalid_argument for a bad fault spec or option value;
    ///         std::runtime_error when certificates or the listening socket cannot be set up.
    explicit Server(Options options);
    ~Server(); ///< stop(), then removes a temporary tls_dir it created
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    uint16_t port() const;
    std::string base_url() const; ///< "https://127.0.0.1:PORT"
    std::filesystem::path ca_file() const;

    Stats stats() const;
    void reset_stats();
    /// Blocks until `condition(stats())` holds or `timeout` passes; returns whether it held.
    /// Re-evaluated on every change of the statistics: the way tests synchronise with the
    /// server without sleeping.
    bool wait_until(const std::function<bool(const Stats&)>& condition,
                    std::chrono::milliseconds timeout) const;

    /// Replaces the fault plan; the `#N` request count restarts at 1.
    /// @throws std::invalid_argument for a bad spec (the old plan stays).
    void set_faults(std::string spec);
    void set_latency(std::chrono::milliseconds latency,
                     std::chrono::milliseconds author_latency = std::chrono::milliseconds{-1},
                     std::chrono::milliseconds judge_latency = std::chrono::milliseconds{-1});
    void set_disagree_rate(double rate);
    void set_rpm(int rpm); ///< restarts the window
    /// Replaces the token budgets (0: unlimited); they start full.
    /// @throws std::invalid_argument for a negative budget.
    void set_token_budgets(int64_t input_per_minute, int64_t output_per_minute);
    /// How long batches created from now on take to end.
    void set_batch_delay(std::chrono::milliseconds delay);

    /// Closes the listener and every connection (stalled ones included). Idempotent.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace fake_claude
