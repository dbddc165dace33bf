#include "claude/messages.hpp"

#include "core/text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace mcqgen::detail::claude {
namespace {

namespace json = boost::json;

// One system prompt for both roles, and the role's instructions after the document: the
// prefix up to the document is then the same in author and judge calls, so the judge reads
// the cache entry its slot's author call wrote.
constexpr const char* shared_system =
    "You write and review multiple-choice questions for civil-services examination practice "
    "from a source document. The instructions after the document say which you do.";

constexpr const char* author_instructions =
    "You write multiple-choice questions for civil-services examination practice from a source "
    "document. Every question must be answerable from the given passage alone and have exactly "
    "one defensible correct option. The three distractors must be plausible and of the same kind "
    "as the key: dates with dates, people with people, institutions with institutions. Never use "
    "\"all of the above\" or \"none of the above\". The four options are distinct, short and "
    "parallel in form; the correct one is not longer or more detailed than the others and does "
    "not repeat words of the stem that the distractors lack. The explanation says why the key is "
    "right, citing the passage, and never mentions option letters, because the options will be "
    "shuffled. The quote is one sentence copied verbatim from the passage that supports the key. "
    "answer_index is the 0-based index of the correct option.";

constexpr const char* judge_instructions =
    "You review multiple-choice questions written from a source document. For each question, "
    "answer it yourself using only the passage: choose the option you believe is correct and copy "
    "its text exactly into chosen_option. Then score the question from 0 to 1 for the clarity of "
    "the stem, the plausibility of the distractors, and whether exactly one option is defensible "
    "from the passage; score below 0.5 when no option or more than one option is defensible. Give "
    "a one-sentence reason.";

// What the task adds when the test asks for one form; mixed leaves the form to Claude. It goes
// in the task, after the cached document, so every style shares the cache entry.
std::string style_instructions(QuestionStyle style) {
    switch (style) {
    case QuestionStyle::cloze:
        return " Write every question as a cloze: the stem is one sentence of the passage, copied "
               "with its key term replaced by \"_____\", and the options are the key and three "
               "terms of the same kind that fit the blank.";
    case QuestionStyle::question:
        return " Write every question as a direct question that begins with a wh-word, such as "
               "\"Who ...?\", \"Which ...?\", \"In which year ...?\" or \"What is ...?\"; never "
               "a sentence with a blank.";
    case QuestionStyle::statements:
        return " Write every question as a statement item. Either three statements: the stem is "
               "\"Consider the following statements:\", then \"1. ...\", \"2. ...\" and \"3. "
               "...\" on lines of their own, then \"How many of the above are correct?\", and the "
               "options are exactly \"Only one\", \"Only two\", \"All three\" and \"None\". Or, "
               "after the same first line, two statements, \"1. ...\" and \"2. ...\", then \"Which "
               "of the statements given "
               "above is/are correct?\", with the options exactly \"1 only\", \"2 only\", \"Both "
               "1 and 2\" and \"Neither 1 nor 2\". A true statement says what the passage says; a "
               "false one changes one fact of it (a name, a number, a place) for another of the "
               "same kind. The key is the option the statements make true; the explanation says "
               "which statements are false and why; the quote is a sentence of the passage one of "
               "the statements rests on.";
    case QuestionStyle::mixed:
        break;
    }
    return "";
}

json::object string_type() {
    return {{"type", "string"}};
}

json::object strict_object(json::object properties, json::array required) {
    return {{"type", "object"},
            {"additionalProperties", false},
            {"required", std::move(required)},
            {"properties", std::move(properties)}};
}

json::object author_schema() {
    json::object candidate =
        strict_object({{"stem", string_type()},
                       {"options", {{"type", "array"}, {"items", string_type()}}},
                       {"answer_index", {{"type", "integer"}}},
                       {"explanation", string_type()},
                       {"quote", string_type()},
                       {"difficulty", {{"type", "string"}, {"enum", {"easy", "medium", "hard"}}}}},
                      {"stem", "options", "answer_index", "explanation", "quote", "difficulty"});
    return strict_object({{"candidates", {{"type", "array"}, {"items", std::move(candidate)}}}},
                         {"candidates"});
}

json::object judge_schema() {
    json::object verdict = strict_object({{"id", {{"type", "integer"}}},
                                          {"chosen_option", string_type()},
                                          {"score", {{"type", "number"}}},
                                          {"reason", string_type()}},
                                         {"id", "chosen_option", "score", "reason"});
    return strict_object({{"verdicts", {{"type", "array"}, {"items", std::move(verdict)}}}},
                         {"verdicts"});
}

json::array tools() {
    return {{{"name", author_tool},
             {"description", "Submit the candidate questions."},
             {"input_schema", author_schema()}},
            {{"name", judge_tool},
             {"description", "Submit one verdict per question."},
             {"input_schema", judge_schema()}}};
}

// One request shape for both calls: the document first (cached, identical in every call of a
// test), then what varies per slot.
enum class Role { author, judge, cache };

std::string request_body(const ClaudeOptions& config, OutputMode mode, const char* instructions,
                         const std::string& document, const std::string& task, Role role,
                         CacheTtl ttl) {
    const bool author = role == Role::author;
    json::object cache{{"type", "ephemeral"}};
    if (ttl == CacheTtl::one_hour) cache["ttl"] = "1h";
    const char* const system = shared_system;
    json::object body{
        {"model", config.model},
        {"max_tokens", role == Role::cache ? 1 : config.max_tokens},
        {"system", json::array{{{"type", "text"}, {"text", system}}}},
        {"messages",
         json::array{json::object{
             {"role", "user"},
             {"content",
              json::array{json::object{{"type", "text"},
                                       {"text", "<document>\n" + document + "\n</document>"},
                                       {"cache_control", std::move(cache)}},
                          json::object{{"type", "text"},
                                       {"text", std::string(instructions) + "\n\n" + task}}}}}}},
    };
    if (role == Role::cache) {
        // The prefix alone matters: the tools (the first part of it) without a forced choice.
        if (mode == OutputMode::tool) {
            body["tools"] = tools();
            body["tool_choice"] = {{"type", "none"}};
        }
    } else if (mode == OutputMode::json_schema) {
        body["output_config"] = {
            {"format",
             {{"type", "json_schema"}, {"schema", author ? author_schema() : judge_schema()}}}};
    } else {
        // Both tools in both calls (tools come first in the cached prefix); the choice forces one.
        body["tools"] = tools();
        body["tool_choice"] = {{"type", "tool"}, {"name", author ? author_tool : judge_tool}};
    }
    return json::serialize(body);
}

std::string passage_block(const Passage& passage) {
    return "<passage>\n" + passage.text + "\n</passage>\n\n";
}

const json::value* field(const json::value& object, const char* name) {
    if (!object.is_object()) return nullptr;
    return object.as_object().if_contains(name);
}

const json::string* string_field(const json::value& object, const char* name) {
    const auto* v = field(object, name);
    return v && v->is_string() ? &v->as_string() : nullptr;
}

std::int64_t integer_field(const json::value& object, const char* name) {
    const auto* v = field(object, name);
    return v && v->is_int64() ? v->as_int64() : 0;
}

CallFailure bad(std::string message) {
    return {errc::bad_response, std::move(message)};
}

std::string canonical(std::string_view text) {
    return lower(normalize_whitespace(text));
}

} // namespace

Usage read_usage(const json::value& message) {
    Usage usage;
    if (const auto* u = field(message, "usage")) {
        usage.input_tokens = integer_field(*u, "input_tokens");
        usage.output_tokens = integer_field(*u, "output_tokens");
        usage.cache_creation_input_tokens = integer_field(*u, "cache_creation_input_tokens");
        usage.cache_read_input_tokens = integer_field(*u, "cache_read_input_tokens");
    }
    return usage;
}

OutputMode output_mode_for(const ClaudeOptions& config) {
    if (config.structured_output == StructuredOutput::json_schema) return OutputMode::json_schema;
    if (config.structured_output == StructuredOutput::tool) return OutputMode::tool;
    // JSON outputs arrived with the 4.5 generation; older models only have forced tools.
    const auto& m = config.model;
    const bool older = m.find("claude-3") != std::string::npos ||
                       m.find("-4-0") != std::string::npos || m.find("-4-1") != std::string::npos ||
                       m.find("-4-2025") != std::string::npos;
    return older ? OutputMode::tool : OutputMode::json_schema;
}

CallSettings author_settings(const ClaudeOptions& config) {
    return {config, output_mode_for(config)};
}

CallSettings judge_settings(const ClaudeOptions& config) {
    ClaudeOptions judging = config;
    if (!config.judge_model.empty()) judging.model = config.judge_model;
    return {judging, output_mode_for(judging)};
}

std::string author_body(const ClaudeOptions& config, OutputMode mode, const std::string& document,
                        const Passage& passage, int count, QuestionStyle style,
                        const Steering& steering, CacheTtl ttl) {
    std::string task =
        passage_block(passage) + "Write exactly " + std::to_string(count) +
        " candidate questions from the passage above, each testing a different fact from it, "
        "with a mix of difficulties. Every option must be a short phrase; the quote must be "
        "copied verbatim from the passage." +
        style_instructions(style);
    if (!steering.focus.empty())
        task += "\nLet the first candidate test this term of the passage:\n<focus>\n" +
                steering.focus + "\n</focus>";
    if (!steering.avoid.empty()) {
        task += "\nOther questions of this test ask about the terms below: use none of them as a "
                "key, and write no stem that contains one.\n<avoid>\n";
        for (const auto& term : steering.avoid)
            task += term + "\n";
        task += "</avoid>";
    }
    return request_body(config, mode, author_instructions, document, task, Role::author, ttl);
}

std::string judge_body(const ClaudeOptions& config, OutputMode mode, const std::string& document,
                       const Passage& passage, const std::vector<JudgeItem>& items, CacheTtl ttl) {
    json::array questions;
    for (const auto& item : items) {
        json::array options;
        for (const auto& o : item.options)
            options.emplace_back(o);
        questions.push_back(
            json::object{{"id", item.id}, {"stem", item.stem}, {"options", options}});
    }
    const std::string task = passage_block(passage) +
                             "Answer and score each question below, using only the passage.\n"
                             "<questions>\n" +
                             json::serialize(json::object{{"questions", questions}}) +
                             "\n</questions>";
    return request_body(config, mode, judge_instructions, document, task, Role::judge, ttl);
}

std::string cache_body(const ClaudeOptions& config, OutputMode mode, const std::string& document) {
    return request_body(config, mode, "", document, "Reply with the word ready.", Role::cache,
                        CacheTtl::five_minutes);
}

Reply decode_reply(const std::string& body, OutputMode mode, const char* tool_name) {
    Reply reply;
    json::error_code ec;
    const auto message = json::parse(body, ec);
    if (ec || !message.is_object()) {
        reply.failure = bad("the response body is not JSON");
        return reply;
    }
    reply.usage = read_usage(message);
    const auto* stop = string_field(message, "stop_reason");
    if (stop && *stop == "max_tokens") {
        reply.failure = bad("the reply was cut off at max_tokens");
        return reply;
    }
    if (stop && *stop == "refusal") {
        reply.failure = bad("the model refused to answer");
        return reply;
    }
    const auto* content = field(message, "content");
    if (!content || !content->is_array()) {
        reply.failure = bad("the response has no content array");
        return reply;
    }
    // Blocks are chosen by type: thinking blocks may come first.
    for (const auto& block : content->as_array()) {
        const auto* type = string_field(block, "type");
        if (!type) continue;
        if (mode == OutputMode::json_schema && *type == "text") {
            const auto* text = string_field(block, "text");
            auto data = text ? json::parse(*text, ec) : json::value();
            if (!text || ec) {
                reply.failure = bad("the text block is not the requested JSON");
                return reply;
            }
            reply.data = std::move(data);
            return reply;
        }
        if (mode == OutputMode::tool && *type == "tool_use") {
            const auto* name = string_field(block, "name");
            const auto* input = field(block, "input");
            if (name && *name == tool_name && input && input->is_object()) {
                reply.data = *input;
                return reply;
            }
        }
    }
    reply.failure = bad(mode == OutputMode::tool ? "the reply has no call of the requested tool"
                                                 : "the reply has no text block");
    return reply;
}

AuthorResult parse_candidates(const json::value& data, QuestionStyle style) {
    // The form asked for is the form stored; in mixed style Claude chose it.
    const std::string stored_style =
        style == QuestionStyle::mixed ? "claude" : std::string(to_string(style));
    AuthorResult result;
    const auto* list = field(data, "candidates");
    if (!list || !list->is_array()) {
        result.failure = bad("the reply has no candidates array");
        return result;
    }
    for (const auto& item : list->as_array()) {
        const auto* stem = string_field(item, "stem");
        const auto* options = field(item, "options");
        const auto* key = field(item, "answer_index");
        const auto* explanation = string_field(item, "explanation");
        const auto* quote = string_field(item, "quote");
        const bool options_ok = options && options->is_array() &&
                                std::all_of(options->as_array().begin(), options->as_array().end(),
                                            [](const json::value& o) { return o.is_string(); });
        if (!stem || !options_ok || !key || !key->is_int64() || !explanation || !quote) {
            ++result.rejected[std::string(reason::schema)];
            continue;
        }
        Candidate c;
        c.stem = std::string(*stem);
        for (const auto& o : options->as_array())
            c.options.emplace_back(o.as_string());
        // Any index fits an int after this clamp; the gates reject those out of 0..3 by name.
        constexpr std::int64_t largest_index = 64;
        const auto index = key->as_int64();
        c.answer_index = index >= -1 && index <= largest_index ? static_cast<int>(index) : -1;
        c.explanation = std::string(*explanation);
        c.quote = std::string(*quote);
        if (const auto* d = string_field(item, "difficulty")) c.difficulty = std::string(*d);
        c.style = stored_style;
        result.candidates.push_back(std::move(c));
    }
    return result;
}

JudgeResult parse_verdicts(const json::value& data, const std::vector<JudgeItem>& items) {
    JudgeResult result;
    const auto* list = field(data, "verdicts");
    if (!list || !list->is_array()) {
        result.failure = bad("the reply has no verdicts array");
        return result;
    }
    for (const auto& entry : list->as_array()) {
        const auto* chosen = string_field(entry, "chosen_option");
        const auto* score = field(entry, "score");
        const auto id = integer_field(entry, "id");
        const auto item = std::find_if(items.begin(), items.end(),
                                       [&](const JudgeItem& i) { return i.id == id; });
        if (!chosen || !score || !score->is_number() || item == items.end()) continue;
        Verdict v;
        v.id = static_cast<int>(id);
        const double s = score->to_number<double>();
        v.score = s >= 0 && s <= 1 ? s : 0;
        for (std::size_t k = 0; k < item->options.size(); ++k)
            if (canonical(item->options[k]) == canonical(*chosen)) v.chosen = static_cast<int>(k);
        if (const auto* reason = string_field(entry, "reason")) v.reason = std::string(*reason);
        result.verdicts.push_back(std::move(v));
    }
    return result;
}

double estimate_cost(const ClaudeOptions& config, const Usage& usage, Billing billing) {
    const auto it = config.prices.find(config.model);
    if (it == config.prices.end()) return 0;
    const auto& p = it->second;
    const bool batch = billing == Billing::batch;
    const double write = batch ? p.input * one_hour_write_factor : p.cache_write;
    const double full = (static_cast<double>(usage.input_tokens) * p.input +
                         static_cast<double>(usage.output_tokens) * p.output +
                         static_cast<double>(usage.cache_creation_input_tokens) * write +
                         static_cast<double>(usage.cache_read_input_tokens) * p.cache_read) /
                        1e6;
    return batch ? full * batch_price_factor : full;
}

} // namespace mcqgen::detail::claude
