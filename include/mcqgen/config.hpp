#pragma once
// Configuration of a Generator. A regular value type: copy it, tweak it, hand it over.
//
// The fields are grouped by the part that reads them: `http` (the connection to the API),
// `claude` (what each Claude request asks for), `pipeline` (how a test is made). A part added
// later brings its own group. Every numeric range and default is in the table of limits below,
// which validate(), the checks on stored tests, the error messages and the docs all use.

#include <mcqgen/export.hpp>
#include <mcqgen/question.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

namespace mcqgen {

/// The allowed range and the default of one numeric setting.
template <class T> struct Limit {
    std::string_view field; ///< as named in Config's groups, the C struct and Python
    T min;
    T max;
    T fallback;              ///< the default
    std::string_view unit{}; ///< "ms" for durations
    constexpr bool allows(T value) const noexcept { return value >= min && value <= max; }
};

/// The table of limits. Durations are in milliseconds.
namespace limits {
inline constexpr Limit<int> max_concurrency{"max_concurrency", 1, 256, 8};
inline constexpr Limit<int> max_retries{"max_retries", 0, 20, 2};
inline constexpr Limit<std::int64_t> connect_timeout{"connect_timeout", 1, 600'000, 5'000, "ms"};
inline constexpr Limit<std::int64_t> handshake_timeout{"handshake_timeout", 1, 600'000, 10'000,
                                                       "ms"};
inline constexpr Limit<std::int64_t> request_timeout{"request_timeout", 1, 86'400'000, 600'000,
                                                     "ms"};
inline constexpr Limit<std::int64_t> max_retry_after{"max_retry_after", 0, 86'400'000, 60'000,
                                                     "ms"};
inline constexpr Limit<int> max_tokens{"max_tokens", 256, 64'000, 4'096};
/// A document whose estimate is at most this many tokens is sent whole (and cached) in every
/// call; a longer one sends each call the section(s) around its passage, section_tokens at most.
inline constexpr Limit<int> document_tokens{"document_tokens", 1'000, 900'000, 32'000};
inline constexpr Limit<int> section_tokens{"section_tokens", 500, 900'000, 8'000};
inline constexpr Limit<int> candidates{"candidates", 1, 16, 4};
inline constexpr Limit<int> max_questions{"max_questions", 1, 1'000, 20};
inline constexpr Limit<double> judge_threshold{"judge_threshold", 0.0, 1.0, 0.5};
/// Batch mode: the first wait between polls of a batch, and the ceiling its backoff grows to.
inline constexpr Limit<std::int64_t> batch_poll_interval{"batch_poll_interval", 10, 3'600'000,
                                                         5'000, "ms"};
inline constexpr Limit<std::int64_t> batch_max_poll_interval{"batch_max_poll_interval", 10,
                                                             3'600'000, 60'000, "ms"};

/// Every limit, for code that walks the table (docs checks, tests).
inline constexpr auto all = std::tuple{&max_concurrency,     &max_retries,
                                       &connect_timeout,     &handshake_timeout,
                                       &request_timeout,     &max_retry_after,
                                       &max_tokens,          &document_tokens,
                                       &section_tokens,      &candidates,
                                       &max_questions,       &judge_threshold,
                                       &batch_poll_interval, &batch_max_poll_interval};
} // namespace limits

/// How Claude is asked for JSON.
enum class StructuredOutput {
    automatic,   ///< per model: json_schema where supported, a forced tool otherwise
    json_schema, ///< `output_config.format` with a JSON schema; the text block is the JSON
    tool,        ///< a forced tool call (`tool_choice` of type `tool`); the tool input is the JSON
};

/// USD per million tokens.
struct ModelPrice {
    double input = 0;
    double output = 0;
    double cache_write = 0; ///< 5-minute cache write
    double cache_read = 0;
    bool operator==(const ModelPrice&) const = default;
};

/// The connection to the Claude API: what the HTTPS client needs, nothing more.
struct HttpOptions {
    std::string api_key; ///< never logged, stored or printed; empty: the offline generator
    std::string base_url = "https://api.anthropic.com";     ///< https:// unless allow_insecure_http
    std::string api_version = "2023-06-01";                 ///< the `anthropic-version` header
    int max_concurrency = limits::max_concurrency.fallback; ///< calls (and connections) at most
    int max_retries = limits::max_retries.fallback;         ///< per call, as the official SDKs
    std::chrono::milliseconds connect_timeout{limits::connect_timeout.fallback};
    std::chrono::milliseconds handshake_timeout{limits::handshake_timeout.fallback};
    /// One attempt, from the first byte written to the last byte read.
    std::chrono::milliseconds request_timeout{limits::request_timeout.fallback};
    /// A server's retry-after above this is not waited for.
    std::chrono::milliseconds max_retry_after{limits::max_retry_after.fallback};
    std::string ca_file; ///< extra CA bundle (PEM) trusted besides the system store
    /// Peer and host-name verification. Turning it off is for a development server only;
    /// tests trust their own CA through ca_file instead. No environment variable turns it off.
    bool verify_tls = true;
    bool allow_insecure_http = false; ///< accept an http:// base_url (local testing only)

    bool operator==(const HttpOptions&) const = default;
};

/// What each Claude request asks for.
struct ClaudeOptions {
    using PriceTable = std::map<std::string, ModelPrice, std::less<>>;
    using ContextTable = std::map<std::string, int, std::less<>>;

    /// The context window of a model not in `context_windows`, in tokens.
    static constexpr int default_context_window = 200'000;

    std::string model = "claude-sonnet-4-6";
    /// The blind judge's model, e.g. a cheaper Haiku; empty: `model`. Its calls cache the
    /// document on their own (a cache belongs to one model).
    std::string judge_model;
    int max_tokens = limits::max_tokens.fallback; ///< per call
    StructuredOutput structured_output = StructuredOutput::automatic;
    int document_tokens = limits::document_tokens.fallback; ///< largest document sent whole
    int section_tokens = limits::section_tokens.fallback;   ///< context per call otherwise
    /// Prices by model id; a model missing here costs 0 in the estimate.
    PriceTable prices = default_prices();
    /// Context windows by model id; no request is larger than its model's window less
    /// max_tokens.
    ContextTable context_windows = default_context_windows();

    /// The price table from the API facts as of late 2026; configuration, not a constant.
    MCQGEN_API static PriceTable default_prices();
    /// The context windows from the API facts' model overview as of late 2026.
    MCQGEN_API static ContextTable default_context_windows();
    /// The window of `model`, default_context_window when the table has none.
    MCQGEN_API int context_window() const;

    bool operator==(const ClaudeOptions&) const = default;
};

/// How a test is made, whoever writes the questions.
struct PipelineOptions {
    int candidates = limits::candidates.fallback;       ///< candidates written per question
    int max_questions = limits::max_questions.fallback; ///< largest count a request may ask for
    double judge_threshold = limits::judge_threshold.fallback; ///< least judge score accepted
    QuestionStyle style = QuestionStyle::mixed;                ///< the form of the questions
    std::uint64_t seed = 0; ///< 0: a random seed, stored with the test
    bool offline = false;   ///< use the offline generator even when a key is set

    bool operator==(const PipelineOptions&) const = default;
};

/// Message Batches: a test's Claude calls go out as batches at half the price, answered in
/// minutes to hours instead of seconds. The run polls on its own timer and survives restarts:
/// the batches are kept with the test, and resume() picks them up without submitting again.
struct BatchOptions {
    bool enabled = false;
    /// The first wait between polls of a batch; each poll that finds it still working waits
    /// half as long again, up to max_poll_interval.
    std::chrono::milliseconds poll_interval{limits::batch_poll_interval.fallback};
    std::chrono::milliseconds max_poll_interval{limits::batch_max_poll_interval.fallback};

    bool operator==(const BatchOptions&) const = default;
};

struct MCQGEN_API Config {
    HttpOptions http;
    ClaudeOptions claude;
    PipelineOptions pipeline;
    BatchOptions batch;

    /// Optional diagnostics sink (off by default). Called on the generating thread; the text
    /// never contains the API key.
    std::function<void(std::string_view)> log;

    /// Reads the environment over the defaults. Every variable is MCQGEN_*: MCQGEN_API_KEY,
    /// MCQGEN_BASE_URL, MCQGEN_API_VERSION, MCQGEN_CONCURRENCY, MCQGEN_MAX_RETRIES,
    /// MCQGEN_CONNECT_TIMEOUT_MS, MCQGEN_HANDSHAKE_TIMEOUT_MS, MCQGEN_TIMEOUT_MS (the request
    /// timeout), MCQGEN_MAX_RETRY_AFTER_MS, MCQGEN_CA_FILE, MCQGEN_ALLOW_INSECURE_HTTP,
    /// MCQGEN_MODEL, MCQGEN_JUDGE_MODEL, MCQGEN_MAX_TOKENS, MCQGEN_DOCUMENT_TOKENS,
    /// MCQGEN_SECTION_TOKENS,
    /// MCQGEN_STRUCTURED_OUTPUT (automatic, json_schema or tool), MCQGEN_CANDIDATES,
    /// MCQGEN_MAX_QUESTIONS, MCQGEN_JUDGE_THRESHOLD, MCQGEN_STYLE (mixed, cloze, question or
    /// statements), MCQGEN_SEED, MCQGEN_OFFLINE, MCQGEN_BATCH, MCQGEN_BATCH_POLL_MS,
    /// MCQGEN_BATCH_MAX_POLL_MS. The original service's names stay accepted
    /// where no MCQGEN_ one is set: ANTHROPIC_API_KEY, CLAUDE_API_KEY, ANTHROPIC_BASE_URL,
    /// MCQ_CANDIDATE_COUNT.
    /// @throws Error(errc::invalid_argument) naming the variable set to something unusable.
    static Config from_env();

    /// Checks every range of the table of limits and the combinations.
    /// @throws Error(errc::invalid_argument) naming the field at fault and its range.
    void validate() const;

    /// True when runs will call Claude (a key is set and offline is false).
    bool online() const noexcept { return !http.api_key.empty() && !pipeline.offline; }
};

} // namespace mcqgen
