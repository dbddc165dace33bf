#include <mcqgen/config.hpp>
#include <mcqgen/errors.hpp>

#include <charconv>
#include <cstdlib>
#include <optional>

namespace mcqgen {
namespace {

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

long long env_integer(const char* name, long long fallback) {
    const auto text = env(name);
    if (!text) return fallback;
    long long value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size())
        throw Error(errc::invalid_argument, std::string(name) + " must be an integer");
    return value;
}

bool env_flag(const char* name) {
    const auto text = env(name);
    return text && *text != "0" && *text != "false" && *text != "no";
}

void require(bool ok, const std::string& what) {
    if (!ok) throw Error(errc::invalid_argument, "invalid configuration: " + what);
}

} // namespace

Config Config::from_env() {
    Config config;
    if (auto key = env("ANTHROPIC_API_KEY"))
        config.api_key = *key;
    else if (auto alt = env("CLAUDE_API_KEY"))
        config.api_key = *alt;
    if (auto url = env("ANTHROPIC_BASE_URL")) config.base_url = *url;
    if (auto model = env("MCQGEN_MODEL")) config.model = *model;
    if (auto ca = env("MCQGEN_CA_FILE")) config.ca_file = *ca;
    config.candidates = static_cast<int>(env_integer("MCQ_CANDIDATE_COUNT", config.candidates));
    config.max_questions =
        static_cast<int>(env_integer("MCQGEN_MAX_QUESTIONS", config.max_questions));
    config.max_concurrency =
        static_cast<int>(env_integer("MCQGEN_CONCURRENCY", config.max_concurrency));
    config.max_retries = static_cast<int>(env_integer("MCQGEN_MAX_RETRIES", config.max_retries));
    config.request_timeout =
        std::chrono::milliseconds(env_integer("MCQGEN_TIMEOUT_MS", config.request_timeout.count()));
    config.offline = env_flag("MCQGEN_OFFLINE");
    config.allow_insecure_http = env_flag("MCQGEN_ALLOW_INSECURE_HTTP");
    config.validate();
    return config;
}

void Config::validate() const {
    require(candidates >= 1 && candidates <= 16, "candidates must be between 1 and 16");
    require(max_questions >= 1 && max_questions <= 1000,
            "max_questions must be between 1 and 1000");
    require(max_concurrency >= 1 && max_concurrency <= 256,
            "max_concurrency must be between 1 and 256");
    require(max_retries >= 0 && max_retries <= 20, "max_retries must be between 0 and 20");
    require(max_tokens >= 256 && max_tokens <= 64000, "max_tokens must be between 256 and 64000");
    require(judge_threshold >= 0 && judge_threshold <= 1, "judge_threshold must be within 0..1");
    require(connect_timeout.count() > 0 && handshake_timeout.count() > 0 &&
                request_timeout.count() > 0,
            "timeouts must be positive");
    require(!model.empty(), "model is empty");
    if (online()) {
        const bool https = base_url.rfind("https://", 0) == 0;
        const bool http = base_url.rfind("http://", 0) == 0;
        require(https || (http && allow_insecure_http),
                "base_url must start with https:// (http:// only with allow_insecure_http)");
    }
}

std::map<std::string, ModelPrice, std::less<>> Config::default_prices() {
    // USD per million tokens: input, output, 5-minute cache write, cache read.
    return {
        {"claude-opus-5-5", {4, 20, 5, 0.20}},      {"claude-opus-5", {5, 25, 6.25, 0.50}},
        {"claude-opus-4-8", {5, 25, 6.25, 0.50}},   {"claude-opus-4-7", {5, 25, 6.25, 0.50}},
        {"claude-opus-4-6", {5, 25, 6.25, 0.50}},   {"claude-sonnet-5-5", {2, 10, 2.5, 0.10}},
        {"claude-sonnet-5", {2, 10, 2.5, 0.20}},    {"claude-sonnet-4-6", {3, 15, 3.75, 0.30}},
        {"claude-sonnet-4-5", {3, 15, 3.75, 0.30}}, {"claude-haiku-4-5", {1, 5, 1.25, 0.10}},
    };
}

} // namespace mcqgen
