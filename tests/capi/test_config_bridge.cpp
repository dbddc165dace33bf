// The C config struct carries every field of mcqgen::Config: C++ -> C -> C++ is the identity.
// A field added to a Config group also fails the bridge's build (a field count there) until the
// C struct mirrors it; this test then checks the values survive both ways.
#include "capi_internal.hpp"

#include <doctest/doctest.h>

using namespace mcqgen;

namespace {

// Every field away from its default, within the table of limits.
Config unusual_config() {
    Config c;
    c.http.api_key = "test-key-not-real";
    c.http.base_url = "https://127.0.0.1:9";
    c.http.api_version = "2099-12-31";
    c.http.max_concurrency = limits::max_concurrency.max;
    c.http.max_retries = limits::max_retries.max;
    c.http.connect_timeout = std::chrono::milliseconds(limits::connect_timeout.max);
    c.http.handshake_timeout = std::chrono::milliseconds(limits::handshake_timeout.min);
    c.http.request_timeout = std::chrono::milliseconds(limits::request_timeout.max);
    c.http.max_retry_after = std::chrono::milliseconds(limits::max_retry_after.min);
    c.http.ca_file = "extra-ca.pem";
    c.http.verify_tls = false;
    c.http.allow_insecure_http = true;
    c.claude.model = "claude-haiku-4-5";
    c.claude.max_tokens = limits::max_tokens.min;
    c.claude.structured_output = StructuredOutput::tool;
    c.pipeline.candidates = limits::candidates.max;
    c.pipeline.max_questions = limits::max_questions.max;
    c.pipeline.judge_threshold = 0.875;
    c.pipeline.style = QuestionStyle::statements;
    c.pipeline.seed = 0xFEDCBA9876543210ull;
    c.pipeline.offline = true;
    c.batch.enabled = true;
    c.batch.poll_interval = std::chrono::milliseconds(limits::batch_poll_interval.min);
    c.batch.max_poll_interval = std::chrono::milliseconds(limits::batch_max_poll_interval.max);
    return c;
}

} // namespace

TEST_SUITE("capi_config") {
    TEST_CASE("C++ -> C -> C++ keeps every field of every group") {
        const Config original = unusual_config();
        const Config defaults;
        // The values really differ from the defaults, so a field dropped on the way shows.
        CHECK_FALSE(original.http == defaults.http);
        mcqgen_config c{};
        capi::export_config(original, c);
        CHECK(c.version == MCQGEN_CONFIG_VERSION);
        const Config back = capi::import_fields(c);
        CHECK(back.http == original.http);
        CHECK(back.claude.model == original.claude.model);
        CHECK(back.claude.max_tokens == original.claude.max_tokens);
        CHECK(back.claude.structured_output == original.claude.structured_output);
        CHECK(back.pipeline == original.pipeline);
        CHECK(back.pipeline.style == QuestionStyle::statements);
        CHECK_FALSE(original.batch == defaults.batch);
        CHECK(back.batch == original.batch);
        // The price table and the log sink are C++-only: the C side gets the defaults.
        CHECK(back.claude.prices == ClaudeOptions::default_prices());
    }

    TEST_CASE("each field alone survives the trip so no two fields share a slot") {
        const Config original = unusual_config();
        auto trip = [](const Config& c) {
            mcqgen_config out{};
            capi::export_config(c, out);
            return capi::import_fields(out);
        };
        // Start from defaults and change one group at a time.
        Config only_http;
        only_http.http = original.http;
        CHECK(trip(only_http).http == original.http);
        CHECK(trip(only_http).pipeline == PipelineOptions{});
        Config only_pipeline;
        only_pipeline.pipeline = original.pipeline;
        CHECK(trip(only_pipeline).pipeline == original.pipeline);
        CHECK(trip(only_pipeline).http == HttpOptions{});
        CHECK(trip(only_pipeline).batch == BatchOptions{});
        Config only_batch;
        only_batch.batch = original.batch;
        CHECK(trip(only_batch).batch == original.batch);
        CHECK(trip(only_batch).pipeline == PipelineOptions{});
    }

    TEST_CASE("every question style crosses both ways as its C enum value") {
        const std::pair<QuestionStyle, int32_t> styles[] = {
            {QuestionStyle::mixed, MCQGEN_STYLE_MIXED},
            {QuestionStyle::cloze, MCQGEN_STYLE_CLOZE},
            {QuestionStyle::question, MCQGEN_STYLE_QUESTION},
            {QuestionStyle::statements, MCQGEN_STYLE_STATEMENTS}};
        for (const auto& [style, c_value] : styles) {
            const std::string name{to_string(style)}; // CAPTURE's lambda cannot take a binding
            CAPTURE(name);
            Config original;
            original.pipeline.style = style;
            mcqgen_config c{};
            capi::export_config(original, c);
            CHECK(c.style == c_value);
            CHECK(capi::import_fields(c).pipeline.style == style);
        }
    }

    TEST_CASE("a C value outside the table is refused with the field's name") {
        const Config defaults; // the C struct's strings point into it
        mcqgen_config c{};
        capi::export_config(defaults, c);
        c.candidates = limits::candidates.max + 1;
        CHECK_THROWS_WITH_AS(capi::import_fields(c), doctest::Contains("candidates"), Error);
        capi::export_config(defaults, c);
        c.structured_output = 7;
        CHECK_THROWS_WITH_AS(capi::import_fields(c), doctest::Contains("structured_output"), Error);
        for (int32_t style : {MCQGEN_STYLE_STATEMENTS + 1, -1}) {
            capi::export_config(defaults, c);
            c.style = style;
            CHECK_THROWS_WITH_AS(capi::import_fields(c),
                                 doctest::Contains("config->style must be a mcqgen_question_style"),
                                 Error);
        }
        capi::export_config(defaults, c);
        c.request_timeout_ms = 0;
        CHECK_THROWS_WITH_AS(capi::import_fields(c), doctest::Contains("request_timeout"), Error);
    }
}
