// mcqgen_config <-> mcqgen::Config, and the config entry points of the C ABI.
#include "capi_internal.hpp"

#include <cstddef>

namespace mcqgen::capi {
namespace {

// The number of fields of an aggregate: a field added to a Config group fails the build here
// until the C struct, its import and export, and the Python mirror carry it too.
struct AnyField {
    template <class T> operator T() const;
};
template <class T, class... Fields> consteval std::size_t field_count() {
    if constexpr (requires { T{Fields{}..., AnyField{}}; })
        return field_count<T, Fields..., AnyField>();
    else
        return sizeof...(Fields);
}
static_assert(field_count<HttpOptions>() == 12, "mirror the new http field in mcqgen_config");
static_assert(field_count<ClaudeOptions>() == 8, "mirror the new claude field in mcqgen_config");
static_assert(field_count<PipelineOptions>() == 6,
              "mirror the new pipeline field in mcqgen_config");
static_assert(field_count<BatchOptions>() == 3, "mirror the new batch field in mcqgen_config");
static_assert(field_count<Config>() == 5, "a new Config group needs its mcqgen_config fields");

// The defaults' strings back mcqgen_config_init's pointers for the life of the process.
const Config& defaults() {
    static const Config config;
    return config;
}

// The last mcqgen_config_from_env on this thread; its strings back that call's pointers.
Config& env_config() {
    thread_local Config config;
    return config;
}

const char* or_null(const std::string& text) {
    return text.empty() ? nullptr : text.c_str();
}

// Every duration of the table of limits fits an int32_t count of milliseconds.
int32_t to_ms(std::chrono::milliseconds duration) {
    return static_cast<int32_t>(duration.count());
}

void require_version(const mcqgen_config* config) {
    require(config != nullptr, "config is NULL");
    require(config->version == MCQGEN_CONFIG_VERSION,
            "config->version must be MCQGEN_CONFIG_VERSION; initialise the config with "
            "mcqgen_config_init or MCQGEN_CONFIG_INIT");
}

void copy_string(const char* from, std::string& to, const char* what) {
    if (from != nullptr) to = checked_text(from, what);
}

StructuredOutput structured_output_of(int32_t value) {
    switch (value) {
    case MCQGEN_STRUCTURED_OUTPUT_AUTOMATIC:
        return StructuredOutput::automatic;
    case MCQGEN_STRUCTURED_OUTPUT_JSON_SCHEMA:
        return StructuredOutput::json_schema;
    case MCQGEN_STRUCTURED_OUTPUT_TOOL:
        return StructuredOutput::tool;
    default:
        throw Error(errc::invalid_argument,
                    "config->structured_output must be a mcqgen_structured_output value");
    }
}

int32_t structured_output_to_c(StructuredOutput value) {
    switch (value) {
    case StructuredOutput::json_schema:
        return MCQGEN_STRUCTURED_OUTPUT_JSON_SCHEMA;
    case StructuredOutput::tool:
        return MCQGEN_STRUCTURED_OUTPUT_TOOL;
    case StructuredOutput::automatic:
        break;
    }
    return MCQGEN_STRUCTURED_OUTPUT_AUTOMATIC;
}

// The C enum counts the C++ one in its order: mixed 0, cloze 1, question 2, statements 3.
static_assert(MCQGEN_STYLE_MIXED == int(QuestionStyle::mixed) &&
              MCQGEN_STYLE_CLOZE == int(QuestionStyle::cloze) &&
              MCQGEN_STYLE_QUESTION == int(QuestionStyle::question) &&
              MCQGEN_STYLE_STATEMENTS == int(QuestionStyle::statements));

QuestionStyle style_of(int32_t value) {
    if (value < MCQGEN_STYLE_MIXED || value > MCQGEN_STYLE_STATEMENTS)
        throw Error(errc::invalid_argument,
                    "config->style must be a mcqgen_question_style value (0 mixed, 1 cloze, "
                    "2 question, 3 statements), got " +
                        std::to_string(value));
    return static_cast<QuestionStyle>(value);
}

int32_t style_to_c(QuestionStyle value) {
    return static_cast<int32_t>(value);
}

} // namespace

void export_config(const Config& from, mcqgen_config& to) {
    to = mcqgen_config{};
    to.version = MCQGEN_CONFIG_VERSION;
    const HttpOptions& http = from.http;
    to.api_key = or_null(http.api_key);
    to.base_url = http.base_url.c_str();
    to.api_version = http.api_version.c_str();
    to.max_concurrency = http.max_concurrency;
    to.max_retries = http.max_retries;
    to.connect_timeout_ms = to_ms(http.connect_timeout);
    to.handshake_timeout_ms = to_ms(http.handshake_timeout);
    to.request_timeout_ms = to_ms(http.request_timeout);
    to.max_retry_after_ms = to_ms(http.max_retry_after);
    to.ca_file = or_null(http.ca_file);
    to.verify_tls = http.verify_tls ? 1 : 0;
    to.allow_insecure_http = http.allow_insecure_http ? 1 : 0;
    const ClaudeOptions& claude = from.claude;
    to.model = claude.model.c_str();
    to.max_tokens = claude.max_tokens;
    to.structured_output = structured_output_to_c(claude.structured_output);
    to.document_tokens = claude.document_tokens;
    to.section_tokens = claude.section_tokens;
    const PipelineOptions& pipeline = from.pipeline;
    to.candidates = pipeline.candidates;
    to.max_questions = pipeline.max_questions;
    to.judge_threshold = pipeline.judge_threshold;
    to.style = style_to_c(pipeline.style);
    to.seed = pipeline.seed;
    to.offline = pipeline.offline ? 1 : 0;
    const BatchOptions& batch = from.batch;
    to.batch_enabled = batch.enabled ? 1 : 0;
    to.batch_poll_interval_ms = to_ms(batch.poll_interval);
    to.batch_max_poll_interval_ms = to_ms(batch.max_poll_interval);
    to.judge_model = or_null(claude.judge_model);
}

Config import_fields(const mcqgen_config& c) {
    Config config;
    HttpOptions& http = config.http;
    copy_string(c.api_key, http.api_key, "config->api_key");
    copy_string(c.base_url, http.base_url, "config->base_url");
    copy_string(c.api_version, http.api_version, "config->api_version");
    http.max_concurrency = c.max_concurrency;
    http.max_retries = c.max_retries;
    http.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
    http.handshake_timeout = std::chrono::milliseconds(c.handshake_timeout_ms);
    http.request_timeout = std::chrono::milliseconds(c.request_timeout_ms);
    http.max_retry_after = std::chrono::milliseconds(c.max_retry_after_ms);
    copy_string(c.ca_file, http.ca_file, "config->ca_file");
    http.verify_tls = c.verify_tls != 0;
    http.allow_insecure_http = c.allow_insecure_http != 0;
    ClaudeOptions& claude = config.claude;
    copy_string(c.model, claude.model, "config->model");
    copy_string(c.judge_model, claude.judge_model, "config->judge_model");
    claude.max_tokens = c.max_tokens;
    claude.structured_output = structured_output_of(c.structured_output);
    claude.document_tokens = c.document_tokens;
    claude.section_tokens = c.section_tokens;
    PipelineOptions& pipeline = config.pipeline;
    pipeline.candidates = c.candidates;
    pipeline.max_questions = c.max_questions;
    pipeline.judge_threshold = c.judge_threshold;
    pipeline.style = style_of(c.style);
    pipeline.seed = c.seed;
    pipeline.offline = c.offline != 0;
    BatchOptions& batch = config.batch;
    batch.enabled = c.batch_enabled != 0;
    batch.poll_interval = std::chrono::milliseconds(c.batch_poll_interval_ms);
    batch.max_poll_interval = std::chrono::milliseconds(c.batch_max_poll_interval_ms);
    config.validate();
    return config;
}

Config import_config(const mcqgen_config* c) {
    if (c == nullptr) return Config::from_env();
    require_version(c);
    return import_fields(*c);
}

} // namespace mcqgen::capi

using namespace mcqgen::capi;

extern "C" {

size_t mcqgen_config_size(void) {
    return sizeof(mcqgen_config);
}

mcqgen_status mcqgen_config_init(mcqgen_config* config, uint32_t version) {
    return guard(nullptr, [&] {
        require(config != nullptr, "config is NULL");
        require(version == MCQGEN_CONFIG_VERSION, "version must be MCQGEN_CONFIG_VERSION");
        export_config(defaults(), *config);
    });
}

mcqgen_status mcqgen_config_from_env(mcqgen_config* config) {
    return guard(nullptr, [&] {
        require_version(config);
        auto& env = env_config();
        env = mcqgen::Config::from_env();
        export_config(env, *config);
    });
}

mcqgen_status mcqgen_generator_config(mcqgen_config* out, const mcqgen_generator* gen) {
    return guard(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        require(gen != nullptr, "gen is NULL");
        export_config(gen->generator.config(), *out);
    });
}

} // extern "C"
