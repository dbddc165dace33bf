#pragma once
// Everything the fake server decides, without any I/O: routing, request checking like the real
// Messages API, rate limiting, fault selection and the answers. The network layer (server.cpp)
// turns an HttpRequest into an HttpReply here and only carries out the reply's delivery.

#include "answers.hpp"
#include "fake_claude.hpp"
#include "fault_plan.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace fake_claude::detail {

struct HttpRequest {
    std::string method;                                       ///< "POST"
    std::string target;                                       ///< "/v1/messages", query included
    std::vector<std::pair<std::string, std::string>> headers; ///< names in lower case
    std::string body;

    /// The first value of header `name` (lower case), or empty.
    std::string_view header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

/// How the network layer must deliver a reply.
enum class Delivery {
    respond,      ///< write the reply normally
    reset_before, ///< abort the connection without writing anything
    reset_mid,    ///< write the headers and half the body, then close
    stall,        ///< write nothing; keep the connection until the peer or the server closes it
};

struct HttpReply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers; ///< besides content-type/-length
    std::string body;
    std::string content_type = "application/json";
    Delivery delivery = Delivery::respond;
    std::chrono::milliseconds delay{0}; ///< to wait (asynchronously) before delivering
    /// Run after the delay, just before delivery: what happens when the model has finished
    /// (the output budget's correction) and the headers that depend on it.
    std::function<void(HttpReply&)> before_delivery;
    bool api_call = false; ///< a /v1/messages request: counts as in flight
};

/// The statistics, shared by the network layer and the API, with a way to wait for them.
class StatsBoard {
  public:
    /// `minute`: the window of the per-minute token peaks (the token budgets' minute).
    explicit StatsBoard(std::chrono::milliseconds minute = std::chrono::seconds(60))
        : minute_(minute) {}
    Stats snapshot() const;
    void reset();
    bool wait_until(const std::function<bool(const Stats&)>& condition,
                    std::chrono::milliseconds timeout) const;

    void connection_opened();
    void connection_closed();
    void request_started();  ///< an API request was read
    void request_finished(); ///< ... and answered (or abandoned)
    void count_request(std::string_view user_agent);
    void count_author();
    void count_judge(const std::string& model);
    void count_429(bool token_budget);
    void count_400();
    void count_413();
    void count_fault();
    void count_input_tokens(int64_t tokens);
    void count_output_tokens(int64_t tokens);
    void add(int64_t Stats::*counter, int64_t amount = 1);

  private:
    template <class Change> void update(Change change);

    /// Tokens counted within the last minute, for the per-minute peaks.
    struct Window {
        std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> entries;
        int64_t sum = 0;
        int64_t add(int64_t tokens, std::chrono::milliseconds minute); ///< the new sum
    };

    const std::chrono::milliseconds minute_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    Stats stats_;
    Window input_window_, output_window_;
};

/// A sliding 60 s window of admitted requests.
class RequestBudget {
  public:
    using Clock = std::chrono::system_clock; // the reset header is wall-clock time

    struct Decision {
        bool admitted = true;
        int remaining = 0;
        Clock::time_point reset;             ///< when the window is fully replenished
        std::chrono::seconds retry_after{0}; ///< when refused: until the next slot frees
    };

    explicit RequestBudget(int requests_per_minute = 0) : limit_(requests_per_minute) {}
    bool limited() const { return limit_ > 0; }
    int limit() const { return limit_; }
    Decision admit(Clock::time_point now);

  private:
    int limit_;
    std::deque<Clock::time_point> admitted_;
};

/// A token bucket: holds up to `limit` tokens and refills continuously at `limit` per `minute`.
class TokenBucket {
  public:
    using Clock = std::chrono::system_clock; // the reset header is wall-clock time

    TokenBucket() = default;
    TokenBucket(int64_t limit, std::chrono::milliseconds minute, Clock::time_point now);
    bool limited() const { return limit_ > 0; }
    int64_t limit() const { return limit_; }

    /// Whole tokens available at `now`.
    int64_t remaining(Clock::time_point now);
    /// When the bucket will be full again if nothing more is taken.
    Clock::time_point full_at(Clock::time_point now);
    /// Until `tokens` are available (until full for more than the limit), in whole seconds
    /// rounded up and at least 1: what retry-after says.
    std::chrono::seconds wait_for(int64_t tokens, Clock::time_point now);
    bool has(int64_t tokens, Clock::time_point now);
    void take(int64_t tokens, Clock::time_point now);
    void give_back(int64_t tokens, Clock::time_point now); ///< never above the limit

  private:
    void refill(Clock::time_point now);
    double per_second() const;

    int64_t limit_ = 0;
    std::chrono::milliseconds minute_{60'000};
    double level_ = 0;
    Clock::time_point updated_;
};

/// The fake's token count for `bytes` of text: one token per 4 bytes, rounded up (Claude's
/// tokenizer averages about 4 characters of English text per token).
int64_t tokens_in(size_t bytes);

enum class CallKind { author, judge, other };
struct ApiCall; // a checked /v1/messages request (messages_api.cpp)
class BatchesApi;

class MessagesApi {
  public:
    /// @throws std::invalid_argument for a bad fault spec, a negative rpm, token budget or
    ///         context window, a token minute below 1 ms, or a rate outside [0, 1].
    MessagesApi(const Options& options, StatsBoard& stats);
    ~MessagesApi();

    /// Thread-safe; called concurrently from the io_context threads.
    HttpReply handle(const HttpRequest& request);

    void set_faults(std::string_view spec);
    void set_latency(std::chrono::milliseconds latency, std::chrono::milliseconds author,
                     std::chrono::milliseconds judge);
    void set_disagree_rate(double rate);
    void set_rpm(int rpm);
    void set_token_budgets(int64_t input_per_minute, int64_t output_per_minute);
    void set_batch_delay(std::chrono::milliseconds delay);

    /// The 413 for a body above the size limit, counted like any API request when it was one.
    HttpReply too_large(const HttpRequest& head);
    /// The largest body accepted for `target` (a batch create may be larger than a message).
    uint64_t max_request_bytes(std::string_view target) const;

    /// Counts one request of `scope` against the fault plan: the fault it gets, if any. With a
    /// `key` (a batch item's custom_id), a rate is drawn for that key alone, so the same item
    /// meets the same fate however the client groups its requests into batches.
    std::optional<FaultKind> next_fault(FaultScope scope, std::string_view key = {});

    /// One request of a Message Batch answered as POST /v1/messages would answer it, outside
    /// the rate limits: the Message, or the error object of a request the API refuses.
    struct ItemAnswer {
        bool succeeded = false;
        std::string json; ///< a Message, or {"type":"error","error":{...}}
    };
    ItemAnswer answer_item(const std::string& params);

  private:
    // Both throw ApiError for what becomes an error response; `kind` is set once known.
    /// `budgeted`: the request got as far as the rate limits, so its answer carries them.
    HttpReply handle_messages(const HttpRequest& request, CallKind& kind, bool& budgeted);
    HttpReply admitted_messages(const HttpRequest& request, CallKind& kind);
    HttpReply handle_stats() const;
    HttpReply handle_control(const HttpRequest& request);
    HttpReply answer(const ApiCall& call, std::optional<FaultKind> fault);
    void check_context_window(const ApiCall& call) const;
    void admit_tokens(const ApiCall& call); ///< takes the call's tokens or throws a 429
    void settle_output(int64_t booked, int64_t written);
    std::vector<std::pair<std::string, std::string>> token_headers();
    void remember(const std::vector<Candidate>& candidates);
    std::string remembered_key(const std::string& stem) const; ///< empty when unknown
    double disagree_rate() const;
    std::mt19937_64 rng_for(const ApiCall& call);
    std::chrono::milliseconds latency_for(CallKind kind) const;
    std::pair<int64_t, int64_t> cache_tokens(const ApiCall& call); ///< {created, read}
    bool prefix_cached(const ApiCall& call) const;

    StatsBoard& stats_;
    const std::string api_key_;
    const uint64_t seed_;
    const std::chrono::milliseconds token_minute_;
    const int64_t context_window_;
    const int64_t min_cache_tokens_;
    const uint64_t max_request_bytes_;
    const uint64_t max_batch_request_bytes_;
    std::unique_ptr<BatchesApi> batches_;

    mutable std::mutex mutex_; // guards everything below
    FaultPlan faults_;
    RequestBudget budget_;
    TokenBucket input_budget_, output_budget_;
    std::mt19937_64 fault_rng_;
    std::chrono::milliseconds latency_, author_latency_, judge_latency_;
    double disagree_rate_ = 0;
    std::unordered_map<std::string, std::string> keys_by_stem_; ///< what the author wrote
    /// Prompt-cache entries by prefix hash: when each can first be read.
    std::unordered_map<uint64_t, std::chrono::steady_clock::time_point> cached_prefixes_;
    std::unordered_map<uint64_t, uint64_t> times_seen_; ///< request text hash -> count
};

} // namespace fake_claude::detail
