#include "claude/messages.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace mcqgen::detail;
using namespace mcqgen::detail::claude;
namespace json = boost::json;

namespace {

Passage passage() {
    Passage p;
    p.text = "Rajendra Prasad was the first President of India.";
    return p;
}

std::string reply_with(json::array content, const char* stop = "end_turn") {
    return json::serialize(json::object{
        {"id", "msg_1"},
        {"type", "message"},
        {"role", "assistant"},
        {"content", content},
        {"stop_reason", stop},
        {"usage", {{"input_tokens", 10}, {"output_tokens", 20}, {"cache_read_input_tokens", 5}}}});
}

const char* candidates_json = R"({"candidates":[
    {"stem":"Who was the first President of India?","options":["Rajendra Prasad","Nehru","Patel","Azad"],
     "answer_index":0,"explanation":"The passage says so.","quote":"Rajendra Prasad was the first President of India.","difficulty":"easy"},
    {"stem":"Broken","options":"not a list","answer_index":0,"explanation":"x","quote":"y","difficulty":"easy"}]})";

} // namespace

TEST_SUITE("claude_messages") {
    TEST_CASE("the author request caches the document first and asks for JSON by schema or tool") {
        mcqgen::ClaudeOptions config;
        for (auto mode : {OutputMode::json_schema, OutputMode::tool}) {
            const auto body = json::parse(author_body(config, mode, "THE DOCUMENT", passage(), 4,
                                                      mcqgen::QuestionStyle::mixed));
            const auto& content = body.at("messages").at(0).at("content").as_array();
            CHECK(content.at(0).at("text").as_string().find("THE DOCUMENT") != json::string::npos);
            CHECK(content.at(0).at("cache_control").at("type") == "ephemeral");
            CHECK(content.at(1).at("text").as_string().find("Write exactly 4 candidate") !=
                  json::string::npos);
            CHECK_FALSE(body.as_object().contains("temperature"));
            if (mode == OutputMode::json_schema) {
                CHECK(body.at("output_config").at("format").at("type") == "json_schema");
                CHECK_FALSE(body.as_object().contains("tools"));
            } else {
                CHECK(body.at("tool_choice").at("name") == author_tool);
                CHECK(body.at("tools").at(0).at("input_schema").at("required").at(0) ==
                      "candidates");
            }
        }
    }

    TEST_CASE("steering names the focus and the terms to avoid after the cached document") {
        mcqgen::ClaudeOptions config;
        const auto text_of = [&](const Steering& steering) {
            const auto body =
                json::parse(author_body(config, OutputMode::json_schema, "THE DOCUMENT", passage(),
                                        4, mcqgen::QuestionStyle::mixed, steering));
            const auto& content = body.at("messages").at(0).at("content").as_array();
            CHECK(content.at(0).at("text").as_string() == "<document>\nTHE DOCUMENT\n</document>");
            return std::string(content.at(1).at("text").as_string());
        };
        const auto plain = text_of({});
        CHECK(plain.find("<focus>") == std::string::npos);
        CHECK(plain.find("<avoid>") == std::string::npos);
        const auto steered = text_of({"Parliament", {"president", "supreme court"}});
        CHECK(steered.find("<focus>\nParliament\n</focus>") != std::string::npos);
        CHECK(steered.find("<avoid>\npresident\nsupreme court\n</avoid>") != std::string::npos);
        CHECK(steered.starts_with(plain)); // the task as before, then the steering
    }

    TEST_CASE("a style other than mixed asks for that form after the cached document") {
        using mcqgen::QuestionStyle;
        mcqgen::ClaudeOptions config;
        auto parts = [&](QuestionStyle style) {
            const auto body = json::parse(
                author_body(config, OutputMode::json_schema, "THE DOCUMENT", passage(), 4, style));
            const auto& content = body.at("messages").at(0).at("content").as_array();
            return std::pair{std::string(content.at(0).at("text").as_string()),
                             std::string(content.at(1).at("text").as_string())};
        };
        const auto [mixed_document, mixed] = parts(QuestionStyle::mixed);
        const std::pair<QuestionStyle, std::vector<std::string>> forms[] = {
            {QuestionStyle::cloze, {"as a cloze", "replaced by \"_____\""}},
            {QuestionStyle::question, {"direct question", "wh-word", "\"Who ...?\""}},
            {QuestionStyle::statements,
             {"\"Consider the following statements:\"", "\"How many of the above are correct?\"",
              "\"Only one\", \"Only two\", \"All three\" and \"None\"",
              "\"Which of the statements given above is/are correct?\"",
              "\"1 only\", \"2 only\", \"Both 1 and 2\" and \"Neither 1 nor 2\""}}};
        for (const auto& form : forms) {
            const QuestionStyle style = form.first; // not a binding: CAPTURE takes it in a lambda
            const auto& phrases = form.second;
            CAPTURE(mcqgen::to_string(style));
            const auto [document, task] = parts(style);
            CHECK(document == mixed_document); // the cached prefix does not change
            CHECK(task.rfind(mixed, 0) == 0);  // the form is added after the common task
            for (const auto& phrase : phrases) {
                CAPTURE(phrase);
                CHECK(task.find(phrase) != std::string::npos);
                CHECK(mixed.find(phrase) == std::string::npos);
            }
        }
    }

    TEST_CASE("candidates store the style asked for and claude when the style is mixed") {
        const auto reply = decode_reply(
            reply_with(json::array{json::object{{"type", "text"}, {"text", candidates_json}}}),
            OutputMode::json_schema, author_tool);
        REQUIRE_FALSE(reply.failure);
        CHECK(parse_candidates(reply.data, mcqgen::QuestionStyle::mixed).candidates.at(0).style ==
              "claude");
        for (auto style : {mcqgen::QuestionStyle::cloze, mcqgen::QuestionStyle::question,
                           mcqgen::QuestionStyle::statements})
            CHECK(parse_candidates(reply.data, style).candidates.at(0).style ==
                  mcqgen::to_string(style));
    }

    TEST_CASE("the judge request carries the questions without their keys") {
        mcqgen::ClaudeOptions config;
        JudgeItem item{1, "Who?", {"a", "b", "c", "d"}};
        const auto text = judge_body(config, OutputMode::json_schema, "DOC", passage(), {item});
        CHECK(text.find("<questions>") != std::string::npos);
        const auto body = json::parse(text);
        const auto task = body.at("messages").at(0).at("content").at(1).at("text").as_string();
        CHECK(std::string(task).find("answer_index") == std::string::npos);
    }

    TEST_CASE("the output mode follows the model unless configured") {
        mcqgen::ClaudeOptions config;
        config.model = "claude-sonnet-4-6";
        CHECK(output_mode_for(config) == OutputMode::json_schema);
        config.model = "claude-3-5-haiku-20241022";
        CHECK(output_mode_for(config) == OutputMode::tool);
        config.structured_output = mcqgen::StructuredOutput::json_schema;
        CHECK(output_mode_for(config) == OutputMode::json_schema);
    }

    TEST_CASE("replies are read by block type and usage is kept") {
        const auto body =
            reply_with(json::array{json::object{{"type", "thinking"}, {"thinking", "hmm"}},
                                   json::object{{"type", "text"}, {"text", candidates_json}}});
        const auto reply = decode_reply(body, OutputMode::json_schema, author_tool);
        REQUIRE_FALSE(reply.failure);
        CHECK(reply.usage.input_tokens == 10);
        CHECK(reply.usage.cache_read_input_tokens == 5);
        const auto result = parse_candidates(reply.data);
        REQUIRE(result.candidates.size() == 1);
        CHECK(result.candidates[0].options.size() == 4);
        CHECK(result.rejected.at("schema") == 1);
    }

    TEST_CASE("contract breaches become bad_response failures never crashes") {
        using mcqgen::errc;
        const auto text_block =
            json::array{json::object{{"type", "text"}, {"text", "Sure! Here you go."}}};
        CHECK(decode_reply("not json", OutputMode::json_schema, author_tool).failure.code ==
              errc::bad_response);
        CHECK(decode_reply(reply_with(text_block), OutputMode::json_schema, author_tool)
                  .failure.code == errc::bad_response);
        CHECK(decode_reply(reply_with(text_block), OutputMode::tool, author_tool).failure.code ==
              errc::bad_response);
        CHECK(decode_reply(reply_with({}, "max_tokens"), OutputMode::json_schema, author_tool)
                  .failure.message.find("max_tokens") != std::string::npos);
        CHECK(decode_reply(reply_with({}, "refusal"), OutputMode::json_schema, author_tool)
                  .failure.code == errc::bad_response);
        CHECK(parse_candidates(json::parse(R"({"questions":[]})")).failure.code ==
              errc::bad_response);
        const auto wrong_tool = reply_with(json::array{json::object{
            {"type", "tool_use"}, {"id", "t"}, {"name", "other"}, {"input", json::object{}}}});
        CHECK(decode_reply(wrong_tool, OutputMode::tool, author_tool).failure);
    }

    TEST_CASE("verdicts map the chosen text back to its option") {
        std::vector<JudgeItem> items{{1, "Q1", {"w", "x", "y", "z"}},
                                     {2, "Q2", {"a", "b", "c", "d"}}};
        const auto result = parse_verdicts(json::parse(R"({"verdicts":[
            {"id":1,"chosen_option":" Y ","score":0.8,"reason":"r"},
            {"id":2,"chosen_option":"none of these","score":0.9,"reason":"r"},
            {"id":9,"chosen_option":"a","score":0.9,"reason":"unknown id"},
            {"id":1,"chosen_option":"w","score":"high","reason":"bad score"}]})"),
                                           items);
        REQUIRE(result.verdicts.size() == 2);
        CHECK(result.verdicts[0].chosen == 2);
        CHECK(result.verdicts[1].chosen == -1);
    }

    TEST_CASE("cost comes from the configured price table") {
        mcqgen::ClaudeOptions config;
        config.model = "claude-haiku-4-5";
        mcqgen::Usage usage;
        usage.input_tokens = 1'000'000;
        usage.output_tokens = 1'000'000;
        CHECK(estimate_cost(config, usage) == doctest::Approx(6.0));
        config.model = "unknown-model";
        CHECK(estimate_cost(config, usage) == 0);
    }
}
