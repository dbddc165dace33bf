// Configuration: the table of limits drives validate(), its messages and the docs; every
// environment variable lands in its field; the original service's names stay accepted.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>

using namespace mcqgen;

namespace {

// The value a limit governs, in a Config.
template <class T> T& field_of(Config& c, const Limit<T>& limit) {
    if constexpr (std::is_same_v<T, int>) {
        if (&limit == &limits::max_concurrency) return c.http.max_concurrency;
        if (&limit == &limits::max_retries) return c.http.max_retries;
        if (&limit == &limits::max_tokens) return c.claude.max_tokens;
        if (&limit == &limits::document_tokens) return c.claude.document_tokens;
        if (&limit == &limits::section_tokens) return c.claude.section_tokens;
        if (&limit == &limits::candidates) return c.pipeline.candidates;
        if (&limit == &limits::max_questions) return c.pipeline.max_questions;
    } else if constexpr (std::is_same_v<T, double>) {
        if (&limit == &limits::judge_threshold) return c.pipeline.judge_threshold;
    }
    FAIL("a limit without a field in this test: " << limit.field);
    throw; // unreachable
}

// Durations are chrono fields; everything else is set through field_of.
void set(Config& c, const Limit<std::int64_t>& limit, std::int64_t value) {
    const std::chrono::milliseconds ms(value);
    if (&limit == &limits::connect_timeout)
        c.http.connect_timeout = ms;
    else if (&limit == &limits::handshake_timeout)
        c.http.handshake_timeout = ms;
    else if (&limit == &limits::request_timeout)
        c.http.request_timeout = ms;
    else if (&limit == &limits::max_retry_after)
        c.http.max_retry_after = ms;
    else if (&limit == &limits::batch_poll_interval) { // the ceiling stays above it
        c.batch.poll_interval = ms;
        c.batch.max_poll_interval = std::chrono::milliseconds(limits::batch_max_poll_interval.max);
    } else if (&limit == &limits::batch_max_poll_interval) {
        c.batch.max_poll_interval = ms;
        c.batch.poll_interval = std::chrono::milliseconds(limits::batch_poll_interval.min);
    } else
        FAIL("a duration limit without a field in this test: " << limit.field);
}
template <class T> void set(Config& c, const Limit<T>& limit, T value) {
    field_of(c, limit) = value;
}

template <class T> std::string shown(T value) {
    if constexpr (std::is_floating_point_v<T>) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", value);
        return buffer;
    } else {
        return std::to_string(value);
    }
}

template <class F> void for_each_limit(F&& f) {
    std::apply([&](const auto*... limit) { (f(*limit), ...); }, limits::all);
}

// Sets environment variables for one scope, then removes them.
class Env {
  public:
    Env(std::initializer_list<std::pair<const char*, const char*>> values) {
        for (const auto& [name, value] : values) {
            ::setenv(name, value, 1);
            names_.push_back(name);
        }
    }
    ~Env() {
        for (const char* name : names_)
            ::unsetenv(name);
    }

  private:
    std::vector<const char*> names_;
};

std::string source_file(const std::string& relative) {
    return test_support::read_file(std::filesystem::path(MCQGEN_SAMPLES_DIR) / ".." / ".." /
                                   relative);
}

} // namespace

TEST_SUITE("config") {
    TEST_CASE("every limit: its range is accepted one step outside it is refused by name") {
        for_each_limit([](const auto& limit) {
            using T = std::remove_cvref_t<decltype(limit.min)>;
            CAPTURE(limit.field);
            const T step = std::is_floating_point_v<T> ? T(0.01) : T(1);
            for (T inside : {limit.min, limit.max, limit.fallback}) {
                Config c;
                set(c, limit, inside);
                CHECK_NOTHROW(c.validate());
            }
            for (T outside : {T(limit.min - step), T(limit.max + step)}) {
                Config c;
                set(c, limit, outside);
                try {
                    c.validate();
                    FAIL("accepted " << shown(outside));
                } catch (const Error& e) {
                    CHECK(e.code_value() == errc::invalid_argument);
                    const std::string unit =
                        limit.unit.empty() ? "" : " " + std::string(limit.unit);
                    CHECK(e.message() == "invalid configuration: " + std::string(limit.field) +
                                             " must be between " + shown(limit.min) + " and " +
                                             shown(limit.max) + unit + ", got " + shown(outside));
                }
            }
        });
    }

    TEST_CASE("the batch poll interval may not exceed its ceiling") {
        Config c;
        c.batch.poll_interval = std::chrono::seconds(2);
        c.batch.max_poll_interval = std::chrono::seconds(1);
        try {
            c.validate();
            FAIL("accepted a poll interval above its ceiling");
        } catch (const Error& e) {
            CHECK(e.code_value() == errc::invalid_argument);
            CHECK(e.message().find("batch_poll_interval must not exceed batch_max_poll_interval") !=
                  std::string::npos);
        }
        c.batch.max_poll_interval = std::chrono::seconds(2);
        CHECK_NOTHROW(c.validate());
    }

    TEST_CASE("the defaults are the table's fallbacks") {
        const Config c;
        CHECK(c.http.max_concurrency == limits::max_concurrency.fallback);
        CHECK(c.http.max_retries == limits::max_retries.fallback);
        CHECK(c.http.connect_timeout.count() == limits::connect_timeout.fallback);
        CHECK(c.http.handshake_timeout.count() == limits::handshake_timeout.fallback);
        CHECK(c.http.request_timeout.count() == limits::request_timeout.fallback);
        CHECK(c.http.max_retry_after.count() == limits::max_retry_after.fallback);
        CHECK(c.claude.max_tokens == limits::max_tokens.fallback);
        CHECK(c.pipeline.candidates == limits::candidates.fallback);
        CHECK(c.pipeline.max_questions == limits::max_questions.fallback);
        CHECK(c.pipeline.judge_threshold == limits::judge_threshold.fallback);
        CHECK(c.pipeline.style == QuestionStyle::mixed);
        CHECK_NOTHROW(c.validate());
    }

    TEST_CASE("the C header and the README state every range and default of the table") {
        const auto header = source_file("capi/include/mcqgen/mcqgen.h");
        const auto readme = source_file("README.md");
        for_each_limit([&](const auto& limit) {
            CAPTURE(limit.field);
            const std::string range = shown(limit.min) + ".." + shown(limit.max);
            const std::string c_name =
                std::string(limit.field) + (limit.unit == "ms" ? "_ms;" : ";");
            const auto at = header.find(" " + c_name);
            REQUIRE(at != std::string::npos);
            const auto line = header.substr(at, header.find('\n', at) - at);
            CHECK(line.find(range + ", default " + shown(limit.fallback)) != std::string::npos);
            const std::string unit = limit.unit.empty() ? "" : " " + std::string(limit.unit);
            const std::string row = "| `" + std::string(limit.field) + "` | " + range + unit +
                                    " | " + shown(limit.fallback) + " |";
            CHECK_MESSAGE(readme.find(row) != std::string::npos, "README lacks: " << row);
        });
    }

    TEST_CASE("the C header and the README state the style's values and its default") {
        const auto header = source_file("capi/include/mcqgen/mcqgen.h");
        const auto readme = source_file("README.md");
        const auto at = header.find(" style;");
        REQUIRE(at != std::string::npos);
        CHECK(header.substr(at, header.find('\n', at) - at)
                  .find("mcqgen_question_style, default MIXED") != std::string::npos);
        const auto row_at = readme.find("| `MCQGEN_STYLE` | `pipeline.style` |");
        REQUIRE(row_at != std::string::npos);
        const auto row = readme.substr(row_at, readme.find('\n', row_at) - row_at);
        CHECK(row.ends_with(" | `mixed` |")); // the default
        for (auto style : {QuestionStyle::mixed, QuestionStyle::cloze, QuestionStyle::question,
                           QuestionStyle::statements}) {
            const std::string name(to_string(style));
            CAPTURE(name);
            CHECK(question_style_from_string(name) == style);
            std::string upper;
            for (char ch : name)
                upper += static_cast<char>(ch - 'a' + 'A');
            const std::string enumerator =
                "MCQGEN_STYLE_" + upper + " = " + std::to_string(static_cast<int>(style));
            CHECK_MESSAGE(header.find(enumerator) != std::string::npos,
                          "header lacks " << enumerator);
            CHECK(row.find("`" + name + "`") != std::string::npos);
        }
        CHECK_FALSE(question_style_from_string("Cloze"));
        CHECK_FALSE(question_style_from_string(""));
    }

    TEST_CASE("every variable of the README table is named where from_env is documented") {
        const auto readme = source_file("README.md");
        const auto declaration = source_file("include/mcqgen/config.hpp");
        int rows = 0;
        for (auto at = readme.find("\n| `MCQGEN_"); at != std::string::npos;
             at = readme.find("\n| `MCQGEN_", at + 1)) {
            const auto start = at + 4;
            const std::string name = readme.substr(start, readme.find('`', start) - start);
            CAPTURE(name);
            CHECK(declaration.find(name) != std::string::npos);
            ++rows;
        }
        CHECK(rows >= 20);
    }

    TEST_CASE("every environment variable lands in its field") {
        const Env env{{"MCQGEN_API_KEY", "test-key-env"},
                      {"MCQGEN_BASE_URL", "https://127.0.0.1:9"},
                      {"MCQGEN_API_VERSION", "2099-01-01"},
                      {"MCQGEN_CONCURRENCY", "5"},
                      {"MCQGEN_MAX_RETRIES", "7"},
                      {"MCQGEN_CONNECT_TIMEOUT_MS", "1234"},
                      {"MCQGEN_HANDSHAKE_TIMEOUT_MS", "2345"},
                      {"MCQGEN_TIMEOUT_MS", "3456"},
                      {"MCQGEN_MAX_RETRY_AFTER_MS", "4567"},
                      {"MCQGEN_CA_FILE", "ca.pem"},
                      {"MCQGEN_VERIFY_TLS", "0"}, // not a variable: ignored
                      {"MCQGEN_ALLOW_INSECURE_HTTP", "yes"},
                      {"MCQGEN_MODEL", "claude-haiku-4-5"},
                      {"MCQGEN_MAX_TOKENS", "999"},
                      {"MCQGEN_STRUCTURED_OUTPUT", "tool"},
                      {"MCQGEN_CANDIDATES", "3"},
                      {"MCQGEN_MAX_QUESTIONS", "50"},
                      {"MCQGEN_JUDGE_THRESHOLD", "0.75"},
                      {"MCQGEN_STYLE", "statements"},
                      {"MCQGEN_SEED", "18446744073709551615"},
                      {"MCQGEN_OFFLINE", "true"},
                      {"MCQGEN_BATCH", "on"},
                      {"MCQGEN_BATCH_POLL_MS", "250"},
                      {"MCQGEN_BATCH_MAX_POLL_MS", "9000"}};
        const Config c = Config::from_env();
        CHECK(c.http.api_key == "test-key-env");
        CHECK(c.http.base_url == "https://127.0.0.1:9");
        CHECK(c.http.api_version == "2099-01-01");
        CHECK(c.http.max_concurrency == 5);
        CHECK(c.http.max_retries == 7);
        CHECK(c.http.connect_timeout.count() == 1234);
        CHECK(c.http.handshake_timeout.count() == 2345);
        CHECK(c.http.request_timeout.count() == 3456);
        CHECK(c.http.max_retry_after.count() == 4567);
        CHECK(c.http.ca_file == "ca.pem");
        CHECK(c.http.verify_tls); // only the caller's code turns verification off
        CHECK(c.http.allow_insecure_http);
        CHECK(c.claude.model == "claude-haiku-4-5");
        CHECK(c.claude.max_tokens == 999);
        CHECK(c.claude.structured_output == StructuredOutput::tool);
        CHECK(c.pipeline.candidates == 3);
        CHECK(c.pipeline.max_questions == 50);
        CHECK(c.pipeline.judge_threshold == doctest::Approx(0.75));
        CHECK(c.pipeline.style == QuestionStyle::statements);
        CHECK(c.pipeline.seed == 18446744073709551615ull);
        CHECK(c.pipeline.offline);
        CHECK(c.batch.enabled);
        CHECK(c.batch.poll_interval.count() == 250);
        CHECK(c.batch.max_poll_interval.count() == 9000);
    }

    TEST_CASE("the original service's variables are accepted - MCQGEN_ ones win") {
        {
            const Env env{{"ANTHROPIC_API_KEY", "test-key-a"},
                          {"ANTHROPIC_BASE_URL", "https://127.0.0.1:8"},
                          {"MCQ_CANDIDATE_COUNT", "2"}};
            const Config c = Config::from_env();
            CHECK(c.http.api_key == "test-key-a");
            CHECK(c.http.base_url == "https://127.0.0.1:8");
            CHECK(c.pipeline.candidates == 2);
        }
        {
            const Env env{{"CLAUDE_API_KEY", "test-key-c"}};
            CHECK(Config::from_env().http.api_key == "test-key-c");
        }
        {
            const Env env{{"ANTHROPIC_API_KEY", "test-key-a"},
                          {"CLAUDE_API_KEY", "test-key-c"},
                          {"MCQGEN_API_KEY", "test-key-m"},
                          {"MCQ_CANDIDATE_COUNT", "2"},
                          {"MCQGEN_CANDIDATES", "6"}};
            const Config c = Config::from_env();
            CHECK(c.http.api_key == "test-key-m");
            CHECK(c.pipeline.candidates == 6);
        }
    }

    TEST_CASE("an unknown style is refused with the variable and the allowed values") {
        for (const char* value : {"quiz", "Cloze", "statement"}) {
            CAPTURE(value);
            const Env env{{"MCQGEN_STYLE", value}};
            try {
                (void)Config::from_env();
                FAIL("accepted " << value);
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::invalid_argument);
                CHECK(e.message() == "MCQGEN_STYLE must be mixed, cloze, question or statements");
            }
        }
        for (const char* value : {"mixed", "cloze", "question", "statements"}) {
            const Env env{{"MCQGEN_STYLE", value}};
            CHECK(to_string(Config::from_env().pipeline.style) == value);
        }
    }

    TEST_CASE("an unusable variable is refused by name and the key is never quoted") {
        for (const auto& variable : std::initializer_list<std::pair<const char*, const char*>>{
                 {"MCQGEN_CONCURRENCY", "many"},
                 {"MCQGEN_CONCURRENCY", "999"},
                 {"MCQ_CANDIDATE_COUNT", "4x"},
                 {"MCQGEN_OFFLINE", "perhaps"},
                 {"MCQGEN_STRUCTURED_OUTPUT", "xml"},
                 {"MCQGEN_STYLE", "quiz"},
                 {"MCQGEN_JUDGE_THRESHOLD", "2"},
                 {"MCQGEN_SEED", "-1"}}) {
            const auto [name, value] = variable;
            CAPTURE(variable.first);
            const Env env{{name, value}, {"MCQGEN_API_KEY", "test-key-secret"}};
            try {
                (void)Config::from_env();
                FAIL("accepted " << value);
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::invalid_argument);
                const std::string message = e.message();
                const std::string field =
                    std::string(name) == "MCQGEN_CONCURRENCY" && std::string(value) == "999"
                        ? "max_concurrency"
                    : std::string(name) == "MCQGEN_JUDGE_THRESHOLD" ? "judge_threshold"
                                                                    : name;
                CHECK(message.find(field) != std::string::npos);
                CHECK(message.find("test-key-secret") == std::string::npos);
            }
        }
    }
}
