#include <mcqgen/config.hpp>
#include <mcqgen/errors.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>

namespace mcqgen {
namespace {

// The first of `names` that is set and not empty, with its name (for error messages).
struct EnvValue {
    const char* name;
    std::string text;
};

std::optional<EnvValue> env(std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (const char* value = std::getenv(name); value != nullptr && *value != '\0')
            return EnvValue{name, value};
    return std::nullopt;
}

[[noreturn]] void unusable(const EnvValue& value, const char* expected) {
    throw Error(errc::invalid_argument, std::string(value.name) + " must be " + expected);
}

template <class T> T parse_number(const EnvValue& value, const char* expected) {
    T number{};
    const auto* end = value.text.data() + value.text.size();
    const auto [stop, ec] = std::from_chars(value.text.data(), end, number);
    if (ec != std::errc{} || stop != end) unusable(value, expected);
    return number;
}

bool parse_flag(const EnvValue& value) {
    for (const char* yes : {"1", "true", "yes", "on"})
        if (value.text == yes) return true;
    for (const char* no : {"0", "false", "no", "off"})
        if (value.text == no) return false;
    unusable(value, "a boolean (1/0, true/false, yes/no, on/off)");
}

StructuredOutput parse_structured_output(const EnvValue& value) {
    if (value.text == "automatic") return StructuredOutput::automatic;
    if (value.text == "json_schema") return StructuredOutput::json_schema;
    if (value.text == "tool") return StructuredOutput::tool;
    unusable(value, "automatic, json_schema or tool");
}

QuestionStyle parse_style(const EnvValue& value) {
    if (auto style = question_style_from_string(value.text)) return *style;
    unusable(value, "mixed, cloze, question or statements");
}

void read(std::string& field, std::initializer_list<const char*> names) {
    if (auto value = env(names)) field = std::move(value->text);
}

void read(int& field, std::initializer_list<const char*> names) {
    if (auto value = env(names)) field = parse_number<int>(*value, "an integer");
}

void read(std::chrono::milliseconds& field, std::initializer_list<const char*> names) {
    if (auto value = env(names))
        field = std::chrono::milliseconds(parse_number<std::int64_t>(*value, "milliseconds"));
}

void read(double& field, std::initializer_list<const char*> names) {
    if (auto value = env(names)) field = parse_number<double>(*value, "a number");
}

void read(std::uint64_t& field, std::initializer_list<const char*> names) {
    if (auto value = env(names)) field = parse_number<std::uint64_t>(*value, "an unsigned integer");
}

void read(bool& field, std::initializer_list<const char*> names) {
    if (auto value = env(names)) field = parse_flag(*value);
}

std::string text_of(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

std::string text_of(std::int64_t value) {
    return std::to_string(value);
}

template <class T> void check(const Limit<T>& limit, T value) {
    if (limit.allows(value)) return;
    using Shown = std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>;
    const std::string unit = limit.unit.empty() ? "" : " " + std::string(limit.unit);
    throw Error(errc::invalid_argument, "invalid configuration: " + std::string(limit.field) +
                                            " must be between " + text_of(Shown(limit.min)) +
                                            " and " + text_of(Shown(limit.max)) + unit + ", got " +
                                            text_of(Shown(value)));
}

void require(bool ok, const std::string& what) {
    if (!ok) throw Error(errc::invalid_argument, "invalid configuration: " + what);
}

} // namespace

Config Config::from_env() {
    Config config;
    HttpOptions& http = config.http;
    read(http.api_key, {"MCQGEN_API_KEY", "ANTHROPIC_API_KEY", "CLAUDE_API_KEY"});
    read(http.base_url, {"MCQGEN_BASE_URL", "ANTHROPIC_BASE_URL"});
    read(http.api_version, {"MCQGEN_API_VERSION"});
    read(http.max_concurrency, {"MCQGEN_CONCURRENCY"});
    read(http.max_retries, {"MCQGEN_MAX_RETRIES"});
    read(http.connect_timeout, {"MCQGEN_CONNECT_TIMEOUT_MS"});
    read(http.handshake_timeout, {"MCQGEN_HANDSHAKE_TIMEOUT_MS"});
    read(http.request_timeout, {"MCQGEN_TIMEOUT_MS"});
    read(http.max_retry_after, {"MCQGEN_MAX_RETRY_AFTER_MS"});
    read(http.ca_file, {"MCQGEN_CA_FILE"});
    // verify_tls has no variable on purpose: turning verification off takes the caller's own
    // code, never an environment someone else may have set.
    read(http.allow_insecure_http, {"MCQGEN_ALLOW_INSECURE_HTTP"});

    ClaudeOptions& claude = config.claude;
    read(claude.model, {"MCQGEN_MODEL"});
    read(claude.judge_model, {"MCQGEN_JUDGE_MODEL"});
    read(claude.max_tokens, {"MCQGEN_MAX_TOKENS"});
    read(claude.document_tokens, {"MCQGEN_DOCUMENT_TOKENS"});
    read(claude.section_tokens, {"MCQGEN_SECTION_TOKENS"});
    if (auto value = env({"MCQGEN_STRUCTURED_OUTPUT"}))
        claude.structured_output = parse_structured_output(*value);

    PipelineOptions& pipeline = config.pipeline;
    read(pipeline.candidates, {"MCQGEN_CANDIDATES", "MCQ_CANDIDATE_COUNT"});
    read(pipeline.max_questions, {"MCQGEN_MAX_QUESTIONS"});
    read(pipeline.judge_threshold, {"MCQGEN_JUDGE_THRESHOLD"});
    if (auto value = env({"MCQGEN_STYLE"})) pipeline.style = parse_style(*value);
    read(pipeline.seed, {"MCQGEN_SEED"});
    read(pipeline.offline, {"MCQGEN_OFFLINE"});

    BatchOptions& batch = config.batch;
    read(batch.enabled, {"MCQGEN_BATCH"});
    read(batch.poll_interval, {"MCQGEN_BATCH_POLL_MS"});
    read(batch.max_poll_interval, {"MCQGEN_BATCH_MAX_POLL_MS"});
    config.validate();
    return config;
}

void Config::validate() const {
    check(limits::max_concurrency, http.max_concurrency);
    check(limits::max_retries, http.max_retries);
    check(limits::connect_timeout, std::int64_t{http.connect_timeout.count()});
    check(limits::handshake_timeout, std::int64_t{http.handshake_timeout.count()});
    check(limits::request_timeout, std::int64_t{http.request_timeout.count()});
    check(limits::max_retry_after, std::int64_t{http.max_retry_after.count()});
    check(limits::max_tokens, claude.max_tokens);
    check(limits::document_tokens, claude.document_tokens);
    check(limits::section_tokens, claude.section_tokens);
    // Room for the instructions, the passage and the answer besides the document.
    constexpr int request_overhead = 4'000;
    for (const auto* model : {&claude.model, &claude.judge_model}) {
        if (model->empty()) continue;
        ClaudeOptions calling = claude;
        calling.model = *model;
        require(claude.document_tokens + claude.max_tokens + request_overhead <=
                    calling.context_window(),
                "document_tokens + max_tokens (+" + std::to_string(request_overhead) +
                    " for the instructions) exceed the context window of " + *model + " (" +
                    std::to_string(calling.context_window()) + " tokens)");
    }
    check(limits::candidates, pipeline.candidates);
    check(limits::max_questions, pipeline.max_questions);
    check(limits::judge_threshold, pipeline.judge_threshold);
    require(!claude.model.empty(), "model is empty");
    check(limits::batch_poll_interval, std::int64_t{batch.poll_interval.count()});
    check(limits::batch_max_poll_interval, std::int64_t{batch.max_poll_interval.count()});
    require(batch.poll_interval <= batch.max_poll_interval,
            "batch_poll_interval must not exceed batch_max_poll_interval");
    if (online()) {
        const bool https = http.base_url.rfind("https://", 0) == 0;
        const bool plain = http.base_url.rfind("http://", 0) == 0;
        require(https || (plain && http.allow_insecure_http),
                "base_url must start with https:// (http:// only with allow_insecure_http)");
        require(!http.api_version.empty(), "api_version is empty");
    }
}

ClaudeOptions::ContextTable ClaudeOptions::default_context_windows() {
    // 1M for Opus and Sonnet 4.6 and later and the 5-series; the rest default_context_window.
    constexpr int million = 1'000'000;
    return {{"claude-opus-5-5", million},
            {"claude-opus-5", million},
            {"claude-opus-4-8", million},
            {"claude-opus-4-7", million},
            {"claude-opus-4-6", million},
            {"claude-sonnet-5-5", million},
            {"claude-sonnet-5", million},
            {"claude-sonnet-4-6", million},
            {"claude-sonnet-4-5", default_context_window},
            {"claude-haiku-4-5", default_context_window}};
}

int ClaudeOptions::context_window() const {
    const auto it = context_windows.find(model);
    return it == context_windows.end() ? default_context_window : it->second;
}

ClaudeOptions::PriceTable ClaudeOptions::default_prices() {
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
