#pragma once
// Configuration of a Generator. A regular value type: copy it, tweak it, hand it over.

#include <mcqgen/export.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace mcqgen {

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
};

struct MCQGEN_API Config {
    // ---- Claude: used whenever api_key is non-empty --------------------------------------
    std::string api_key; ///< never logged, stored or printed
    std::string base_url =
        "https://api.anthropic.com"; ///< https:// only, unless allow_insecure_http
    std::string model = "claude-sonnet-4-6";
    std::string api_version = "2023-06-01"; ///< the `anthropic-version` header
    int max_tokens = 4096;                  ///< per call
    int max_concurrency = 8;                ///< calls in flight (and TLS connections) at most
    int max_retries = 2;                    ///< per call, as the official SDKs
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds request_timeout{600'000}; ///< one attempt, write to last byte
    std::chrono::milliseconds max_retry_after{60'000};  ///< server delays above this are ignored
    std::string ca_file;              ///< extra CA bundle (PEM) trusted besides the system store
    bool verify_tls = true;           ///< peer and host-name verification; turn off only for tests
    bool allow_insecure_http = false; ///< accept an http:// base_url (local testing only)
    StructuredOutput structured_output = StructuredOutput::automatic;
    /// Prices by model id; a model missing here costs 0 in the estimate.
    std::map<std::string, ModelPrice, std::less<>> prices = default_prices();

    // ---- The pipeline --------------------------------------------------------------------
    int candidates = 4;           ///< candidates written per question slot (MCQ_CANDIDATE_COUNT)
    int max_questions = 20;       ///< largest count a request may ask for (up to 500)
    double judge_threshold = 0.5; ///< a candidate needs at least this judge score
    std::uint64_t seed = 0;       ///< 0: a random seed, stored with the test
    bool offline = false;         ///< use the offline generator even when a key is set

    /// Optional diagnostics sink (off by default). Called on the generating thread; the text
    /// never contains the API key.
    std::function<void(std::string_view)> log;

    /// Reads the environment over the defaults: ANTHROPIC_API_KEY (or CLAUDE_API_KEY),
    /// ANTHROPIC_BASE_URL, MCQGEN_MODEL, MCQ_CANDIDATE_COUNT, MCQGEN_MAX_QUESTIONS,
    /// MCQGEN_CONCURRENCY, MCQGEN_MAX_RETRIES, MCQGEN_CA_FILE, MCQGEN_TIMEOUT_MS,
    /// MCQGEN_OFFLINE, MCQGEN_ALLOW_INSECURE_HTTP.
    /// @throws Error(errc::invalid_argument) when a variable is set to something unusable.
    static Config from_env();

    /// Checks ranges and combinations.
    /// @throws Error(errc::invalid_argument) naming the field at fault.
    void validate() const;

    /// True when runs will call Claude (a key is set and offline is false).
    bool online() const noexcept { return !api_key.empty() && !offline; }

    /// The price table from the API facts as of late 2026; configuration, not a constant.
    static std::map<std::string, ModelPrice, std::less<>> default_prices();
};

} // namespace mcqgen
