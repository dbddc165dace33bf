// mcqgen_config <-> mcqgen::Config, and the config entry points of the C ABI.
#include "capi_internal.hpp"

#include <algorithm>
#include <limits>

namespace mcqgen::capi {
namespace {

// The defaults' strings back mcqgen_config_init's pointers for the life of the process.
const Config& defaults() {
    static const Config config;
    return config;
}

// Strings of the last mcqgen_config_from_env on this thread.
struct EnvStrings {
    std::string api_key, base_url, model, ca_file;
};

EnvStrings& env_strings() {
    thread_local EnvStrings strings;
    return strings;
}

int32_t to_ms(std::chrono::milliseconds duration) {
    return static_cast<int32_t>(
        std::clamp<long long>(duration.count(), 0, std::numeric_limits<int32_t>::max()));
}

const char* or_null(const std::string& text) {
    return text.empty() ? nullptr : text.c_str();
}

// Copies everything but the strings.
void export_numbers(const Config& from, mcqgen_config& to) {
    to.version = MCQGEN_CONFIG_VERSION;
    to.max_tokens = from.max_tokens;
    to.max_concurrency = from.max_concurrency;
    to.max_retries = from.max_retries;
    to.connect_timeout_ms = to_ms(from.connect_timeout);
    to.handshake_timeout_ms = to_ms(from.handshake_timeout);
    to.request_timeout_ms = to_ms(from.request_timeout);
    to.verify_tls = from.verify_tls ? 1 : 0;
    to.allow_insecure_http = from.allow_insecure_http ? 1 : 0;
    to.candidates = from.candidates;
    to.max_questions = from.max_questions;
    to.judge_threshold = from.judge_threshold;
    to.seed = from.seed;
    to.offline = from.offline ? 1 : 0;
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

std::chrono::milliseconds positive_ms(int32_t ms, const char* what) {
    require(ms > 0, what);
    return std::chrono::milliseconds(ms);
}

Config import_fields(const mcqgen_config& c) {
    Config config;
    copy_string(c.api_key, config.api_key, "config->api_key");
    copy_string(c.base_url, config.base_url, "config->base_url");
    copy_string(c.model, config.model, "config->model");
    copy_string(c.ca_file, config.ca_file, "config->ca_file");
    config.max_tokens = c.max_tokens;
    config.max_concurrency = c.max_concurrency;
    config.max_retries = c.max_retries;
    config.connect_timeout = positive_ms(c.connect_timeout_ms, "connect_timeout_ms must be > 0");
    config.handshake_timeout =
        positive_ms(c.handshake_timeout_ms, "handshake_timeout_ms must be > 0");
    config.request_timeout = positive_ms(c.request_timeout_ms, "request_timeout_ms must be > 0");
    config.verify_tls = c.verify_tls != 0;
    config.allow_insecure_http = c.allow_insecure_http != 0;
    config.candidates = c.candidates;
    config.max_questions = c.max_questions;
    config.judge_threshold = c.judge_threshold;
    config.seed = c.seed;
    config.offline = c.offline != 0;
    config.validate();
    return config;
}

} // namespace

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
        const auto& d = defaults();
        *config = mcqgen_config{};
        export_numbers(d, *config);
        config->api_key = nullptr;
        config->base_url = d.base_url.c_str();
        config->model = d.model.c_str();
        config->ca_file = nullptr;
    });
}

mcqgen_status mcqgen_config_from_env(mcqgen_config* config) {
    return guard(nullptr, [&] {
        require_version(config);
        const auto env = mcqgen::Config::from_env();
        auto& strings = env_strings();
        strings = {env.api_key, env.base_url, env.model, env.ca_file};
        *config = mcqgen_config{};
        export_numbers(env, *config);
        config->api_key = or_null(strings.api_key);
        config->base_url = strings.base_url.c_str();
        config->model = strings.model.c_str();
        config->ca_file = or_null(strings.ca_file);
    });
}

} // extern "C"
