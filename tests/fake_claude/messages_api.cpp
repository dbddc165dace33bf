// Routing, request checking and answers of the fake Messages API. The checks mirror what the
// real API rejects (see the project's Claude API facts, §1-2); the answers fill the request's own
// JSON schema (docs/claude-protocol.md).
#include "messages_api.hpp"

#include "answers.hpp"
#include "api_support.hpp"
#include "batches_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <optional>
#include <stdexcept>

namespace fake_claude::detail {
namespace json = boost::json;

namespace {

// ---- request checking ----------------------------------------------------------------------

const json::object& object_field(const json::value& value, const std::string& name) {
    if (!value.is_object()) invalid(name + ": Input should be an object");
    return value.as_object();
}

const json::array& array_field(const json::value& value, const std::string& name) {
    if (!value.is_array()) invalid(name + ": Input should be an array");
    return value.as_array();
}

std::string string_field(const json::object& object, std::string_view key,
                         const std::string& name) {
    const auto* value = object.if_contains(key);
    if (!value) invalid(name + ": Field required");
    if (!value->is_string()) invalid(name + ": Input should be a string");
    return std::string(value->as_string());
}

/// Counts a block's cache_control marker, checking its shape.
int cache_marker(const json::object& block, const std::string& name) {
    const auto* marker = block.if_contains("cache_control");
    if (!marker || marker->is_null()) return 0;
    const auto& fields = object_field(*marker, name + ".cache_control");
    if (string_field(fields, "type", name + ".cache_control.type") != "ephemeral")
        invalid(name + ".cache_control.type: Input should be 'ephemeral'");
    if (const auto* ttl = fields.if_contains("ttl"))
        if (!ttl->is_string() || (ttl->as_string() != "5m" && ttl->as_string() != "1h"))
            invalid(name + ".cache_control.ttl: Input should be '5m' or '1h'");
    return 1;
}

int check_block(const json::value& value, const std::string& name, bool text_only) {
    const auto& block = object_field(value, name);
    const auto type = string_field(block, "type", name + ".type");
    if (type == "text")
        string_field(block, "text", name + ".text");
    else if (text_only)
        invalid(name + ".type: Input should be 'text'");
    return cache_marker(block, name);
}

/// Checks string-or-blocks content; returns the number of cache markers in it.
int check_content(const json::value& content, const std::string& name, bool text_only) {
    if (content.is_string()) return 0;
    int markers = 0;
    const auto& blocks = array_field(content, name);
    for (size_t i = 0; i < blocks.size(); ++i)
        markers += check_block(blocks[i], name + "." + std::to_string(i), text_only);
    return markers;
}

int check_messages(const json::object& body) {
    const auto* messages = body.if_contains("messages");
    if (!messages) invalid("messages: Field required");
    const auto& list = array_field(*messages, "messages");
    if (list.empty()) invalid("messages: at least one message is required");
    int markers = 0;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string name = "messages." + std::to_string(i);
        const auto& message = object_field(list[i], name);
        const auto role = string_field(message, "role", name + ".role");
        if (role != "user" && role != "assistant")
            invalid(name + ".role: Input should be 'user' or 'assistant'");
        const auto* content = message.if_contains("content");
        if (!content) invalid(name + ".content: Field required");
        markers += check_content(*content, name + ".content", false);
    }
    return markers;
}

void check_max_tokens(const json::object& body) {
    const auto* max_tokens = body.if_contains("max_tokens");
    if (!max_tokens) invalid("max_tokens: Field required");
    const bool positive = (max_tokens->is_int64() && max_tokens->as_int64() > 0) ||
                          (max_tokens->is_uint64() && max_tokens->as_uint64() > 0);
    if (!positive) invalid("max_tokens: Input should be a positive integer");
}

void check_schema(const json::value& schema, const std::string& name) {
    const auto& fields = object_field(schema, name);
    const auto* type = fields.if_contains("type");
    if (!type || !type->is_string() || type->as_string() != "object")
        invalid(name + ".type: the top-level schema must have type 'object'");
}

int check_tools(const json::object& body) {
    const auto* tools = body.if_contains("tools");
    if (!tools) return 0;
    int markers = 0;
    const auto& list = array_field(*tools, "tools");
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string name = "tools." + std::to_string(i);
        const auto& tool = object_field(list[i], name);
        if (string_field(tool, "name", name + ".name").empty())
            invalid(name + ".name: String should have at least 1 character");
        const auto* schema = tool.if_contains("input_schema");
        if (!schema) invalid(name + ".input_schema: Field required");
        check_schema(*schema, name + ".input_schema");
        markers += cache_marker(tool, name);
    }
    return markers;
}

const json::object* find_tool(const json::object& body, std::string_view name) {
    const auto* tools = body.if_contains("tools");
    if (!tools) return nullptr;
    for (const auto& tool : tools->as_array())
        if (tool.as_object().at("name").as_string() == name) return &tool.as_object();
    return nullptr;
}

void check_tool_choice(const json::object& body) {
    const auto* choice = body.if_contains("tool_choice");
    if (!choice) return;
    const auto& fields = object_field(*choice, "tool_choice");
    const auto type = string_field(fields, "type", "tool_choice.type");
    static constexpr std::array<std::string_view, 4> types{"auto", "any", "tool", "none"};
    if (std::find(types.begin(), types.end(), type) == types.end())
        invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
    if (type != "tool") return;
    const auto name = string_field(fields, "name", "tool_choice.name");
    if (!find_tool(body, name))
        invalid("tool_choice.name: tool '" + name + "' is not among the request's tools");
}

void check_output_config(const json::object& body) {
    const auto* config = body.if_contains("output_config");
    if (!config) return;
    const auto* format = object_field(*config, "output_config").if_contains("format");
    if (!format || format->is_null()) return;
    const auto& fields = object_field(*format, "output_config.format");
    if (string_field(fields, "type", "output_config.format.type") != "json_schema")
        invalid("output_config.format.type: Input should be 'json_schema'");
    const auto* schema = fields.if_contains("schema");
    if (!schema) invalid("output_config.format.schema: Field required");
    check_schema(*schema, "output_config.format.schema");
}

int check_system(const json::object& body) {
    const auto* system = body.if_contains("system");
    return system ? check_content(*system, "system", true) : 0;
}

void check_body(const json::object& body) {
    for (const char* sampling : {"temperature", "top_p", "top_k"})
        if (body.contains(sampling))
            invalid(std::string(sampling) + ": this model does not support '" + sampling +
                    "'; remove it from the request");
    if (string_field(body, "model", "model").empty())
        invalid("model: String should have at least 1 character");
    check_max_tokens(body);
    int markers = check_messages(body) + check_tools(body) + check_system(body);
    check_tool_choice(body);
    check_output_config(body);
    if (markers > 4)
        invalid("A maximum of 4 blocks with cache_control may be provided. Found " +
                std::to_string(markers) + ".");
}

// ---- reading a checked request -------------------------------------------------------------

std::string block_text(const json::value& block) {
    const auto& fields = block.as_object();
    if (fields.at("type").as_string() == "text") return std::string(fields.at("text").as_string());
    return json::serialize(block);
}

/// The bytes Claude would cache: tools, then system, then message blocks, up to and including
/// the last block carrying cache_control (everything, under a top-level cache_control).
std::string cached_prefix(const json::object& body) {
    std::string text;
    size_t prefix_end = 0;
    const auto add = [&](std::string piece, const json::value* marker) {
        text += piece;
        if (marker && !marker->is_null()) prefix_end = text.size();
    };
    const auto add_blocks = [&](const json::value& content) {
        if (content.is_string()) return add(std::string(content.as_string()), nullptr);
        for (const auto& block : content.as_array())
            add(block_text(block), block.as_object().if_contains("cache_control"));
    };
    if (const auto* tools = body.if_contains("tools"))
        for (const auto& tool : tools->as_array())
            add(json::serialize(tool), tool.as_object().if_contains("cache_control"));
    if (const auto* system = body.if_contains("system")) add_blocks(*system);
    for (const auto& message : body.at("messages").as_array())
        add_blocks(message.as_object().at("content"));
    if (const auto* automatic = body.if_contains("cache_control");
        automatic && !automatic->is_null())
        prefix_end = text.size();
    return text.substr(0, prefix_end);
}

/// Everything the model reads, in the order it is cached (tools, system, messages), then the
/// output schema: what the fake counts as the request's input tokens.
size_t prompt_bytes(const json::object& body) {
    size_t bytes = 0;
    const auto add_blocks = [&](const json::value& content) {
        if (content.is_string()) return void(bytes += content.as_string().size());
        for (const auto& block : content.as_array())
            bytes += block_text(block).size();
    };
    if (const auto* tools = body.if_contains("tools"))
        for (const auto& tool : tools->as_array())
            bytes += json::serialize(tool).size();
    if (const auto* system = body.if_contains("system")) add_blocks(*system);
    for (const auto& message : body.at("messages").as_array())
        add_blocks(message.as_object().at("content"));
    if (const auto* config = body.if_contains("output_config"))
        if (const auto* format = config->as_object().if_contains("format");
            format && !format->is_null())
            bytes += json::serialize(format->as_object().at("schema")).size();
    return bytes;
}

int64_t max_tokens_of(const json::object& body) {
    const auto& value = body.at("max_tokens");
    return value.is_int64() ? value.as_int64() : static_cast<int64_t>(value.as_uint64());
}

std::string last_user_text(const json::object& body) {
    const auto& messages = body.at("messages").as_array();
    for (auto message = messages.rbegin(); message != messages.rend(); ++message) {
        const auto& fields = message->as_object();
        if (fields.at("role").as_string() != "user") continue;
        const auto& content = fields.at("content");
        if (content.is_string()) return std::string(content.as_string());
        std::string text;
        for (const auto& block : content.as_array())
            if (block.as_object().at("type").as_string() == "text")
                text += std::string(block.as_object().at("text").as_string()) + "\n";
        return text;
    }
    return {};
}

} // namespace

struct ApiCall {
    json::object body;
    std::string model;
    CallKind kind = CallKind::other;
    bool has_schema = false;
    json::value schema;
    std::string tool_name; ///< non-empty: answer with a tool_use block of this name
    std::string user_text; ///< the text blocks of the last user message
    std::string cache_prefix;
    int64_t input_tokens = 0; ///< the whole prompt, cached or not
    int64_t max_tokens = 0;
};

namespace {

CallKind kind_of(const json::value& schema) {
    const auto* properties = schema.as_object().if_contains("properties");
    if (!properties || !properties->is_object()) return CallKind::other;
    if (properties->as_object().contains("candidates")) return CallKind::author;
    if (properties->as_object().contains("verdicts")) return CallKind::judge;
    return CallKind::other;
}

/// Picks the reply's schema: a forced tool wins over output_config.format when both are given.
void choose_schema(ApiCall& call) {
    if (const auto* choice = call.body.if_contains("tool_choice")) {
        const auto& fields = choice->as_object();
        if (fields.at("type").as_string() == "tool") {
            const auto name = std::string(fields.at("name").as_string());
            call.schema = find_tool(call.body, name)->at("input_schema");
            call.tool_name = name;
            call.has_schema = true;
        }
    }
    const auto* config = call.body.if_contains("output_config");
    const auto* format = config ? config->as_object().if_contains("format") : nullptr;
    if (!call.has_schema && format && !format->is_null()) {
        call.schema = format->as_object().at("schema");
        call.has_schema = true;
    }
    if (call.has_schema) call.kind = kind_of(call.schema);
}

/// @throws ApiError (400) naming the offending field.
ApiCall parse_call(const std::string& body) {
    boost::system::error_code error;
    json::value parsed = json::parse(body, error);
    if (error) invalid("request body is not valid JSON: " + error.message());
    if (!parsed.is_object()) invalid("request body must be a JSON object");
    ApiCall call;
    call.body = std::move(parsed.as_object());
    check_body(call.body);
    call.model = std::string(call.body.at("model").as_string());
    call.user_text = last_user_text(call.body);
    call.cache_prefix = cached_prefix(call.body);
    call.input_tokens = tokens_in(prompt_bytes(call.body));
    call.max_tokens = max_tokens_of(call.body);
    choose_schema(call);
    return call;
}

// ---- answers -------------------------------------------------------------------------------

/// A minimal instance of a schema, for calls that are neither author nor judge.
json::value instance_of(const json::value& schema, int depth = 0) {
    if (!schema.is_object() || depth > 16) return nullptr;
    const auto& fields = schema.as_object();
    if (const auto* options = fields.if_contains("enum"))
        if (options->is_array() && !options->as_array().empty()) return options->as_array()[0];
    const auto* type = fields.if_contains("type");
    // Both arms as string_view: a json::string arm would make "object" a temporary json::string.
    const std::string_view name = type && type->is_string() ? std::string_view(type->as_string())
                                                            : std::string_view("object");
    if (name == "string") return "fake";
    if (name == "integer") return 0;
    if (name == "number") return 0.5;
    if (name == "boolean") return true;
    if (name == "array") return json::array{};
    if (name != "object") return nullptr;
    json::object instance;
    if (const auto* properties = fields.if_contains("properties");
        properties && properties->is_object())
        for (const auto& [key, property] : properties->as_object())
            instance[key] = instance_of(property, depth + 1);
    return instance;
}

json::value candidates_json(const std::vector<Candidate>& candidates) {
    json::array list;
    for (const auto& candidate : candidates) {
        json::array options;
        for (const auto& option : candidate.options)
            options.emplace_back(option);
        list.emplace_back(json::object{
            {"stem", candidate.stem},
            {"options", std::move(options)},
            {"answer_index", candidate.answer_index},
            {"explanation", candidate.explanation},
            {"quote", candidate.quote},
            {"difficulty", candidate.difficulty},
        });
    }
    return json::object{{"candidates", std::move(list)}};
}

/// Fills the answer wrongly but plausibly: the client's validation must catch it.
void spoil_shape(json::value& answer) {
    auto& fields = answer.as_object();
    if (auto* candidates = fields.if_contains("candidates")) {
        for (auto& candidate : candidates->as_array()) {
            auto& options = candidate.as_object()["options"].as_array();
            if (options.size() > 3) options.resize(3);
            candidate.as_object()["answer_index"] = 7;
        }
    } else if (auto* verdicts = fields.if_contains("verdicts")) {
        for (auto& verdict : verdicts->as_array()) {
            verdict.as_object()["chosen_option"] = 3; // an index instead of the option's text
            verdict.as_object()["score"] = 7;
        }
    } else {
        answer = json::object{{"unexpected", true}};
    }
}

std::string half_of(const std::string& text) {
    return text.substr(0, text.size() / 2);
}

struct Content {
    json::array blocks;
    std::string stop_reason;
};

Content structured_content(const json::value& answer, const std::string& tool_name,
                           std::optional<FaultKind> fault) {
    const bool cut = fault == FaultKind::truncated || fault == FaultKind::max_tokens;
    const std::string stop = fault == FaultKind::max_tokens ? "max_tokens"
                             : tool_name.empty()            ? "end_turn"
                                                            : "tool_use";
    if (tool_name.empty()) {
        const auto text = json::serialize(answer);
        return {{json::object{{"type", "text"}, {"text", cut ? half_of(text) : text}}}, stop};
    }
    json::value input = answer;
    if (fault == FaultKind::truncated) input = half_of(json::serialize(answer));
    if (fault == FaultKind::max_tokens) input = json::object{};
    return {{json::object{{"type", "tool_use"},
                          {"id", random_id("toolu_")},
                          {"name", tool_name},
                          {"input", std::move(input)}}},
            stop};
}

json::object verdict_for(const json::object& question, std::mt19937_64& rng, double disagree_rate,
                         const std::function<std::string(const std::string&)>& key_of) {
    std::vector<std::string> options;
    if (const auto* list = question.if_contains("options"); list && list->is_array())
        for (const auto& option : list->as_array())
            if (option.is_string()) options.emplace_back(option.as_string());
    const auto* stem = question.if_contains("stem");
    const auto key = stem && stem->is_string() ? key_of(std::string(stem->as_string())) : "";
    size_t chosen = 0;
    for (size_t i = 0; i < options.size(); ++i)
        if (!key.empty() && options[i] == key) chosen = i;
    const bool disagree =
        std::uniform_real_distribution<double>(0, 1)(rng) < disagree_rate && options.size() > 1;
    if (disagree) chosen = (chosen + 1 + rng() % (options.size() - 1)) % options.size();
    const auto* id = question.if_contains("id");
    return json::object{
        {"id", id ? *id : json::value(nullptr)},
        {"chosen_option", options.empty() ? std::string() : options[chosen]},
        {"score", 0.9},
        {"reason",
         disagree ? "On balance this option reads best." : "The passage states this directly."},
    };
}

/// Answers every question between <questions> tags; none when they cannot be read.
json::value verdicts_json(std::string_view user_text, std::mt19937_64& rng, double disagree_rate,
                          const std::function<std::string(const std::string&)>& key_of) {
    json::array verdicts;
    boost::system::error_code error;
    const auto parsed = json::parse(tagged_section(user_text, "questions"), error);
    const auto* questions =
        !error && parsed.is_object() ? parsed.as_object().if_contains("questions") : nullptr;
    if (questions && questions->is_array())
        for (const auto& question : questions->as_array())
            if (question.is_object())
                verdicts.emplace_back(
                    verdict_for(question.as_object(), rng, disagree_rate, key_of));
    return json::object{{"verdicts", std::move(verdicts)}};
}

Content prose_content(std::string text) {
    return {{json::object{{"type", "text"}, {"text", std::move(text)}}}, "end_turn"};
}

} // namespace

// ---- HttpRequest ---------------------------------------------------------------------------

std::string_view HttpRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key == name) return value;
    return {};
}

bool HttpRequest::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& header) { return header.first == name; });
}

// ---- MessagesApi ---------------------------------------------------------------------------

MessagesApi::MessagesApi(const Options& options, StatsBoard& stats)
    : stats_(stats), api_key_(options.api_key), seed_(options.seed),
      token_minute_(options.token_minute), context_window_(options.context_window),
      min_cache_tokens_(options.min_cache_tokens), max_request_bytes_(options.max_request_bytes),
      max_batch_request_bytes_(options.max_batch_request_bytes),
      batches_(std::make_unique<BatchesApi>(options, stats, *this)),
      faults_(FaultPlan::parse(options.faults)), budget_(options.rpm),
      fault_rng_(options.seed ^ 0x5eedfa017ull), latency_(options.latency),
      author_latency_(options.author_latency), judge_latency_(options.judge_latency),
      disagree_rate_(0) {
    set_disagree_rate(options.disagree_rate);
    if (options.rpm < 0) throw std::invalid_argument("rpm must be >= 0");
    if (options.context_window < 0) throw std::invalid_argument("context_window must be >= 0");
    if (options.min_cache_tokens < 0) throw std::invalid_argument("min_cache_tokens must be >= 0");
    set_token_budgets(options.input_tokens_per_minute, options.output_tokens_per_minute);
}

MessagesApi::~MessagesApi() = default;

void MessagesApi::set_batch_delay(std::chrono::milliseconds delay) {
    batches_->set_delay(delay);
}

void MessagesApi::set_faults(std::string_view spec) {
    auto plan = FaultPlan::parse(spec); // may throw: the old plan stays
    const std::lock_guard lock(mutex_);
    faults_ = std::move(plan);
}

void MessagesApi::set_latency(std::chrono::milliseconds latency, std::chrono::milliseconds author,
                              std::chrono::milliseconds judge) {
    const std::lock_guard lock(mutex_);
    latency_ = std::max(latency, std::chrono::milliseconds(0));
    author_latency_ = author;
    judge_latency_ = judge;
}

void MessagesApi::set_disagree_rate(double rate) {
    if (!(rate >= 0 && rate <= 1)) throw std::invalid_argument("disagree rate must be in [0, 1]");
    const std::lock_guard lock(mutex_);
    disagree_rate_ = rate;
}

void MessagesApi::set_rpm(int rpm) {
    if (rpm < 0) throw std::invalid_argument("rpm must be >= 0");
    const std::lock_guard lock(mutex_);
    budget_ = RequestBudget(rpm);
}

void MessagesApi::set_token_budgets(int64_t input_per_minute, int64_t output_per_minute) {
    const auto now = TokenBucket::Clock::now();
    TokenBucket input(input_per_minute, token_minute_, now); // may throw: the old ones stay
    TokenBucket output(output_per_minute, token_minute_, now);
    const std::lock_guard lock(mutex_);
    input_budget_ = input;
    output_budget_ = output;
}

std::chrono::milliseconds MessagesApi::latency_for(CallKind kind) const {
    const std::lock_guard lock(mutex_);
    if (kind == CallKind::author && author_latency_.count() >= 0) return author_latency_;
    if (kind == CallKind::judge && judge_latency_.count() >= 0) return judge_latency_;
    return latency_;
}

HttpReply MessagesApi::handle(const HttpRequest& request) {
    const auto request_id = random_id("req_");
    const auto path = path_of(request.target);
    const bool api_call = path == "/v1/messages";
    const bool batches_call = path.starts_with("/v1/messages/batches");
    HttpReply reply;
    CallKind kind = CallKind::other;
    bool token_refusal = false, budgeted = false;
    try {
        if (api_call)
            reply = handle_messages(request, kind, budgeted);
        else if (batches_call)
            reply = batches_->handle(request);
        else if (path == "/_stats" && request.method == "GET")
            reply = handle_stats();
        else if (path == "/_control" && request.method == "POST")
            reply = handle_control(request);
        else if (path == "/_stats" || path == "/_control")
            throw ApiError{405, "invalid_request_error", "Method Not Allowed"};
        else
            throw ApiError{404, "not_found_error", "Not found: " + std::string(path)};
    } catch (const ApiError& error) {
        reply = json_reply(error.status, error_body(error.type, error.message, request_id));
        reply.headers = error.headers;
        token_refusal = error.token_budget;
    }
    reply.headers.emplace_back("request-id", request_id);
    if (api_call) {
        reply.api_call = true;
        reply.delay = latency_for(kind);
        if (reply.status == 429) stats_.count_429(token_refusal);
        if (reply.status == 400) stats_.count_400();
    }
    // The token budgets as they stand when the answer goes out, after the model "finished".
    if (budgeted)
        reply.before_delivery = [this, finish = std::move(reply.before_delivery)](HttpReply& r) {
            if (finish) finish(r);
            const auto tokens = token_headers();
            r.headers.insert(r.headers.end(), tokens.begin(), tokens.end());
        };
    return reply;
}

// Cloudflare answers this one before the request reaches the API: its own body shape, no
// request-id.
HttpReply MessagesApi::too_large(const HttpRequest& head) {
    const bool api_call = path_of(head.target) == "/v1/messages";
    if (api_call) stats_.count_request(head.header("user-agent"));
    stats_.count_413();
    HttpReply reply = json_reply(413, json::serialize(json::object{
                                          {"error", json::object{{"type", "request_too_large"},
                                                                 {"message", "Request exceeds "
                                                                             "the maximum size"}}},
                                      }));
    reply.api_call = api_call;
    return reply;
}

uint64_t MessagesApi::max_request_bytes(std::string_view target) const {
    return path_of(target) == "/v1/messages/batches" ? max_batch_request_bytes_
                                                     : max_request_bytes_;
}

std::optional<FaultKind> MessagesApi::next_fault(FaultScope scope, std::string_view key) {
    const std::lock_guard lock(mutex_);
    if (key.empty()) return faults_.next(fault_rng_, scope);
    std::mt19937_64 keyed(seed_ ^ fnv1a(key));
    return faults_.next(keyed, scope);
}

MessagesApi::ItemAnswer MessagesApi::answer_item(const std::string& params) {
    try {
        ApiCall call = parse_call(params);
        if (const auto* stream = call.body.if_contains("stream");
            stream && stream->is_bool() && stream->as_bool())
            invalid("stream: streaming is not supported in Message Batches");
        if (tokens_in(call.cache_prefix.size()) < min_cache_tokens_) call.cache_prefix.clear();
        check_context_window(call);
        HttpReply reply = answer(call, std::nullopt);
        return {true, std::move(reply.body)};
    } catch (const ApiError& error) {
        return {false,
                json::serialize(json::object{
                    {"type", "error"},
                    {"error", json::object{{"type", error.type}, {"message", error.message}}},
                })};
    }
}

HttpReply MessagesApi::handle_messages(const HttpRequest& request, CallKind& kind, bool& budgeted) {
    stats_.count_request(request.header("user-agent"));
    if (request.method != "POST")
        throw ApiError{405, "invalid_request_error", "Method Not Allowed", {{"allow", "POST"}}};
    check_api_headers(request, api_key_);
    if (!iequals_prefix(request.header("content-type"), "application/json"))
        invalid("content-type: must be application/json");

    RequestBudget::Decision decision;
    int limit = 0;
    {
        const std::lock_guard lock(mutex_);
        decision = budget_.admit(RequestBudget::Clock::now());
        limit = budget_.limit();
    }
    Headers budget_headers;
    if (limit > 0)
        budget_headers = {
            {"anthropic-ratelimit-requests-limit", std::to_string(limit)},
            {"anthropic-ratelimit-requests-remaining", std::to_string(decision.remaining)},
            {"anthropic-ratelimit-requests-reset", rfc3339(decision.reset)},
        };
    // Every answer from here on carries the budgets (handle adds the token ones).
    budgeted = true;
    const auto with_budgets = [&](Headers& headers) {
        headers.insert(headers.end(), budget_headers.begin(), budget_headers.end());
    };
    try {
        if (!decision.admitted)
            throw ApiError{429,
                           "rate_limit_error",
                           "Number of requests has exceeded your per-minute rate limit",
                           {{"retry-after", std::to_string(decision.retry_after.count())}}};
        HttpReply reply = admitted_messages(request, kind);
        with_budgets(reply.headers);
        return reply;
    } catch (ApiError& error) {
        with_budgets(error.headers);
        throw;
    }
}

HttpReply MessagesApi::admitted_messages(const HttpRequest& request, CallKind& kind) {
    ApiCall call = parse_call(request.body);
    if (tokens_in(call.cache_prefix.size()) < min_cache_tokens_) call.cache_prefix.clear();
    kind = call.kind;
    if (call.kind == CallKind::author) stats_.count_author();
    if (call.kind == CallKind::judge) stats_.count_judge(call.model);
    check_context_window(call);
    admit_tokens(call);

    std::optional<FaultKind> fault;
    {
        const std::lock_guard lock(mutex_);
        fault = faults_.next(fault_rng_, FaultScope::messages);
    }
    if (!fault) return answer(call, fault);
    stats_.count_fault();
    raise_error_fault(*fault);
    HttpReply reply;
    switch (*fault) {
    case FaultKind::malformed:
        reply.body = "<html><body>502 Bad Gateway</body></html> {\"type\": \"mess";
        return reply;
    case FaultKind::reset_before:
        reply.delivery = Delivery::reset_before;
        return reply;
    case FaultKind::stall:
        reply.delivery = Delivery::stall;
        return reply;
    default:
        return answer(call, fault);
    }
}

HttpReply MessagesApi::answer(const ApiCall& call, std::optional<FaultKind> fault) {
    auto rng = rng_for(call);
    Content content;
    if (fault == FaultKind::text_only || !call.has_schema) {
        content = prose_content("Here are some thoughts about the passage. It explains its "
                                "subject clearly, and I would be glad to write questions on it.");
    } else if (fault == FaultKind::refusal) {
        content.stop_reason = "refusal";
    } else {
        json::value structured;
        if (call.kind == CallKind::author) {
            const auto passage = tagged_section(call.user_text, "passage");
            const int count = std::clamp(requested_candidate_count(call.user_text, 3), 0, 100);
            Steering steering;
            steering.focus = std::string(tagged_section(call.user_text, "focus"));
            const auto avoid = tagged_section(call.user_text, "avoid");
            for (size_t start = 0; start < avoid.size();) {
                const auto end = std::min(avoid.find('\n', start), avoid.size());
                if (end > start) steering.avoid.emplace_back(avoid.substr(start, end - start));
                start = end + 1;
            }
            const auto candidates =
                write_candidates(passage.empty() ? call.user_text : passage, count, rng, steering);
            remember(candidates);
            structured = candidates_json(candidates);
        } else if (call.kind == CallKind::judge) {
            structured =
                verdicts_json(call.user_text, rng, disagree_rate(),
                              [this](const std::string& stem) { return remembered_key(stem); });
        } else {
            structured = instance_of(call.schema);
        }
        if (fault == FaultKind::wrong_shape) spoil_shape(structured);
        content = structured_content(structured, call.tool_name, fault);
    }

    const auto [created, read] = cache_tokens(call);
    int64_t output_tokens = std::max<int64_t>(1, tokens_in(json::serialize(content.blocks).size()));
    if (!call.has_schema && output_tokens > call.max_tokens) {
        // Prose stops where max_tokens says, as Claude's does (structured replies are sized to
        // fit, or cut by the max_tokens fault).
        auto& text = content.blocks.front().as_object()["text"];
        const auto kept = static_cast<size_t>(call.max_tokens) * 4;
        text = std::string(text.as_string()).substr(0, kept);
        output_tokens = call.max_tokens;
        content.stop_reason = "max_tokens";
    }
    json::object message{
        {"id", random_id("msg_")},
        {"type", "message"},
        {"role", "assistant"},
        {"model", call.model},
        {"content", std::move(content.blocks)},
        {"stop_reason", content.stop_reason},
        {"stop_sequence", nullptr},
        {"usage",
         json::object{
             {"input_tokens", std::max<int64_t>(1, call.input_tokens - created - read)},
             {"output_tokens", output_tokens},
             {"cache_creation_input_tokens", created},
             {"cache_read_input_tokens", read},
         }},
    };
    if (fault == FaultKind::refusal)
        message["stop_details"] = json::object{
            {"type", "refusal"}, {"category", nullptr}, {"explanation", "Injected refusal."}};
    HttpReply reply = json_reply(200, json::serialize(message));
    reply.before_delivery = [this, booked = call.max_tokens, written = output_tokens](HttpReply&) {
        settle_output(booked, written);
    };
    if (fault == FaultKind::reset_mid) reply.delivery = Delivery::reset_mid;
    return reply;
}

// Claude counts the prompt, cached parts included, against the model's context window; the
// output is not part of this check (a reply that runs into the window stops with
// model_context_window_exceeded instead).
void MessagesApi::check_context_window(const ApiCall& call) const {
    const int64_t window = context_window_ > 0 ? context_window_ : context_window_of(call.model);
    if (call.input_tokens > window)
        invalid("prompt is too long: " + std::to_string(call.input_tokens) + " tokens > " +
                std::to_string(window) + " maximum");
}

namespace {

[[noreturn]] void refuse_for_tokens(std::string_view unit, int64_t limit,
                                    std::chrono::seconds retry_after) {
    throw ApiError{429,
                   "rate_limit_error",
                   "This request would exceed your organization's rate limit of " +
                       std::to_string(limit) + " " + std::string(unit) +
                       " per minute. You can see the response headers for current usage. Please "
                       "reduce the prompt length or the maximum tokens requested, or try again "
                       "later.",
                   {{"retry-after", std::to_string(retry_after.count())}},
                   true};
}

} // namespace

// Input tokens read from the prompt cache do not count (the facts' rate-limit notes); output
// is booked as max_tokens here and corrected once the reply is done (settle_output).
// Both are taken, or neither.
void MessagesApi::admit_tokens(const ApiCall& call) {
    const auto now = TokenBucket::Clock::now();
    int64_t input = call.input_tokens;
    {
        const std::lock_guard lock(mutex_);
        if (prefix_cached(call)) input -= tokens_in(call.cache_prefix.size());
        if (input_budget_.limited() && !input_budget_.has(input, now))
            refuse_for_tokens("input tokens", input_budget_.limit(),
                              input_budget_.wait_for(input, now));
        if (output_budget_.limited() && !output_budget_.has(call.max_tokens, now))
            refuse_for_tokens("output tokens", output_budget_.limit(),
                              output_budget_.wait_for(call.max_tokens, now));
        if (input_budget_.limited()) input_budget_.take(input, now);
        if (output_budget_.limited()) output_budget_.take(call.max_tokens, now);
    }
    stats_.count_input_tokens(input);
}

// When the reply is done: until then the whole of max_tokens stays booked.
void MessagesApi::settle_output(int64_t booked, int64_t written) {
    stats_.count_output_tokens(written);
    const auto now = TokenBucket::Clock::now();
    const std::lock_guard lock(mutex_);
    if (!output_budget_.limited()) return;
    const int64_t unused = booked - written;
    if (unused >= 0)
        output_budget_.give_back(unused, now);
    else
        output_budget_.take(-unused, now);
}

// anthropic-ratelimit-{input,output}-tokens-*, and tokens-* for the more restrictive of the
// two, its remaining count rounded to the nearest thousand (the facts' header table).
Headers MessagesApi::token_headers() {
    struct Snapshot {
        const char* name;
        int64_t limit, remaining;
        TokenBucket::Clock::time_point reset;
    };
    std::vector<Snapshot> budgets;
    {
        const auto now = TokenBucket::Clock::now();
        const std::lock_guard lock(mutex_);
        for (auto [name, bucket] : {std::pair{"input-tokens", &input_budget_},
                                    std::pair{"output-tokens", &output_budget_}})
            if (bucket->limited())
                budgets.push_back(
                    {name, bucket->limit(), bucket->remaining(now), bucket->full_at(now)});
    }
    Headers headers;
    if (budgets.empty()) return headers;
    const auto add = [&](std::string_view name, const Snapshot& budget, int64_t remaining) {
        const std::string prefix = "anthropic-ratelimit-" + std::string(name);
        headers.emplace_back(prefix + "-limit", std::to_string(budget.limit));
        headers.emplace_back(prefix + "-remaining", std::to_string(remaining));
        headers.emplace_back(prefix + "-reset", rfc3339(budget.reset));
    };
    for (const auto& budget : budgets)
        add(budget.name, budget, budget.remaining);
    const auto tightest =
        std::min_element(budgets.begin(), budgets.end(), [](const Snapshot& a, const Snapshot& b) {
            return a.remaining < b.remaining;
        });
    add("tokens", *tightest, (tightest->remaining + 500) / 1000 * 1000);
    return headers;
}

void MessagesApi::remember(const std::vector<Candidate>& candidates) {
    const std::lock_guard lock(mutex_);
    for (const auto& candidate : candidates)
        keys_by_stem_[candidate.stem] = candidate.key;
}

std::string MessagesApi::remembered_key(const std::string& stem) const {
    const std::lock_guard lock(mutex_);
    const auto found = keys_by_stem_.find(stem);
    return found == keys_by_stem_.end() ? std::string() : found->second;
}

double MessagesApi::disagree_rate() const {
    const std::lock_guard lock(mutex_);
    return disagree_rate_;
}

// Seeded by the request's own text and how often that text was seen, not by arrival order:
// concurrent clients get the same answers from run to run, and a repeated request a new one.
std::mt19937_64 MessagesApi::rng_for(const ApiCall& call) {
    const uint64_t text_hash = fnv1a(call.user_text);
    uint64_t occurrence = 0;
    {
        const std::lock_guard lock(mutex_);
        occurrence = ++times_seen_[text_hash];
    }
    std::seed_seq seeds{static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32),
                        static_cast<uint32_t>(text_hash), static_cast<uint32_t>(text_hash >> 32),
                        static_cast<uint32_t>(occurrence)};
    return std::mt19937_64(seeds);
}

// The caller holds mutex_.
bool MessagesApi::prefix_cached(const ApiCall& call) const {
    if (call.cache_prefix.empty()) return false;
    const auto it = cached_prefixes_.find(fnv1a(call.cache_prefix, fnv1a(call.model)));
    return it != cached_prefixes_.end() && it->second <= std::chrono::steady_clock::now();
}

std::pair<int64_t, int64_t> MessagesApi::cache_tokens(const ApiCall& call) {
    if (call.cache_prefix.empty()) return {0, 0};
    const uint64_t hash = fnv1a(call.cache_prefix, fnv1a(call.model));
    const int64_t tokens = tokens_in(call.cache_prefix.size());
    // As the API: an entry can be read once the response that wrote it has begun, so calls
    // sent together before that all write it (and pay for it).
    const auto now = std::chrono::steady_clock::now();
    const auto ready = now + latency_for(call.kind);
    const std::lock_guard lock(mutex_);
    const auto [it, first_time] = cached_prefixes_.try_emplace(hash, ready);
    if (!first_time && it->second <= now) return {0, tokens};
    it->second = std::min(it->second, ready);
    return {tokens, 0};
}

HttpReply MessagesApi::handle_stats() const {
    const Stats s = stats_.snapshot();
    json::object judge_models;
    for (const auto& [model, count] : s.judge_requests_by_model)
        judge_models[model] = count;
    return json_reply(200, json::serialize(json::object{
                               {"connections_accepted", s.connections_accepted},
                               {"requests", s.requests},
                               {"author_requests", s.author_requests},
                               {"judge_requests", s.judge_requests},
                               {"judge_requests_by_model", std::move(judge_models)},
                               {"responses_400", s.responses_400},
                               {"responses_413", s.responses_413},
                               {"responses_429", s.responses_429},
                               {"responses_429_tokens", s.responses_429_tokens},
                               {"input_tokens", s.input_tokens},
                               {"output_tokens", s.output_tokens},
                               {"peak_input_tokens_per_minute", s.peak_input_tokens_per_minute},
                               {"peak_output_tokens_per_minute", s.peak_output_tokens_per_minute},
                               {"faults_injected", s.faults_injected},
                               {"in_flight", s.in_flight},
                               {"peak_in_flight", s.peak_in_flight},
                               {"open_connections", s.open_connections},
                               {"batches_created", s.batches_created},
                               {"batch_items_submitted", s.batch_items_submitted},
                               {"batch_duplicate_custom_ids", s.batch_duplicate_custom_ids},
                               {"batch_retrieves", s.batch_retrieves},
                               {"batch_lists", s.batch_lists},
                               {"batch_cancels", s.batch_cancels},
                               {"batch_deletes", s.batch_deletes},
                               {"batch_results_downloads", s.batch_results_downloads},
                           }));
}

namespace {

std::optional<std::chrono::milliseconds> milliseconds_field(const json::object& fields,
                                                            std::string_view key) {
    const auto* value = fields.if_contains(key);
    if (!value) return std::nullopt;
    return std::chrono::milliseconds(value->to_number<int64_t>());
}

} // namespace

// Everything is checked before anything changes, so a bad request leaves the server as it was.
HttpReply MessagesApi::handle_control(const HttpRequest& request) {
    try {
        boost::system::error_code error;
        const auto parsed = json::parse(request.body, error);
        if (error || !parsed.is_object()) invalid("body must be a JSON object");
        const auto& fields = parsed.as_object();
        std::optional<FaultPlan> plan;
        if (const auto* spec = fields.if_contains("faults"))
            plan = FaultPlan::parse(spec->as_string());
        const auto latency = milliseconds_field(fields, "latency_ms");
        const auto author = milliseconds_field(fields, "author_latency_ms");
        const auto judge = milliseconds_field(fields, "judge_latency_ms");
        const auto batch_delay = milliseconds_field(fields, "batch_delay_ms");
        std::optional<double> rate;
        if (const auto* value = fields.if_contains("disagree_rate")) {
            rate = value->to_number<double>();
            if (!(*rate >= 0 && *rate <= 1)) invalid("disagree_rate must be in [0, 1]");
        }
        std::optional<int> rpm;
        if (const auto* value = fields.if_contains("rpm")) {
            rpm = value->to_number<int>();
            if (*rpm < 0) invalid("rpm must be >= 0");
        }
        std::optional<TokenBucket> input, output;
        const auto now = TokenBucket::Clock::now();
        if (const auto* value = fields.if_contains("input_tokens_per_minute"))
            input.emplace(value->to_number<int64_t>(), token_minute_, now);
        if (const auto* value = fields.if_contains("output_tokens_per_minute"))
            output.emplace(value->to_number<int64_t>(), token_minute_, now);
        const auto* reset = fields.if_contains("reset_stats");
        const bool reset_stats = reset && reset->as_bool();

        {
            const std::lock_guard lock(mutex_);
            if (plan) faults_ = std::move(*plan);
            if (latency) latency_ = std::max(*latency, std::chrono::milliseconds(0));
            if (author) author_latency_ = *author;
            if (judge) judge_latency_ = *judge;
            if (rate) disagree_rate_ = *rate;
            if (rpm) budget_ = RequestBudget(*rpm);
            if (input) input_budget_ = *input;
            if (output) output_budget_ = *output;
        }
        if (batch_delay) batches_->set_delay(*batch_delay);
        if (reset_stats) stats_.reset();
        return json_reply(200, R"({"ok":true})");
    } catch (const std::exception& error) { // from FaultPlan::parse or a JSON type mismatch
        invalid(error.what());
    }
}

} // namespace fake_claude::detail
