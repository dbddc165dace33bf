// The fake Claude server, exercised over real TLS connections with a small blocking client that
// verifies the server certificate (CA file, host name, SNI) the way mcqgen's client does.
#include "fake_claude.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto wait_limit = 20s; // only reached when something is broken

class TempDir {
  public:
    TempDir() {
        std::random_device entropy;
        path_ = fs::temp_directory_path() /
                ("test-fake-claude-" + std::to_string(entropy()) + std::to_string(entropy()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;

    json::object json() const { return json::parse(body).as_object(); }
    std::string error_type() const {
        return std::string(json().at("error").as_object().at("type").as_string());
    }
    std::string error_message() const {
        return std::string(json().at("error").as_object().at("message").as_string());
    }
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

HeaderList api_headers(const std::string& key = "test-key") {
    return {{"x-api-key", key},
            {"anthropic-version", "2023-06-01"},
            {"content-type", "application/json"}};
}

/// One keep-alive TLS connection to 127.0.0.1, verified against the server's CA.
class Client {
  public:
    explicit Client(const fake_claude::Server& server, std::string host = "127.0.0.1")
        : tls_(trusting(server.ca_file())), stream_(io_, tls_) {
        SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str());
        stream_.set_verify_callback(ssl::host_name_verification(host));
        stream_.next_layer().connect(
            tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
        stream_.handshake(ssl::stream_base::client);
    }

    void send(const std::string& method, const std::string& target, const std::string& body,
              const HeaderList& headers) {
        http::request<http::string_body> request(http::string_to_verb(method), target, 11);
        request.set(http::field::host, "127.0.0.1");
        for (const auto& [name, value] : headers)
            request.set(name, value);
        request.body() = body;
        request.prepare_payload();
        http::write(stream_, request);
    }

    /// The same request with a chunked body.
    void send_chunked(const std::string& body, const HeaderList& headers) {
        http::request<http::string_body> request(http::verb::post, "/v1/messages", 11);
        request.set(http::field::host, "127.0.0.1");
        for (const auto& [name, value] : headers)
            request.set(name, value);
        request.body() = body;
        request.chunked(true);
        http::write(stream_, request);
    }

    Reply receive() {
        http::response<http::string_body> response;
        http::read(stream_, buffer_, response);
        Reply reply{static_cast<int>(response.result_int()), {}, response.body()};
        for (const auto& field : response) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            reply.headers[name] = std::string(field.value());
        }
        return reply;
    }

    Reply post(const std::string& body, const HeaderList& headers = api_headers(),
               const std::string& target = "/v1/messages") {
        send("POST", target, body, headers);
        return receive();
    }

    Reply get(const std::string& target) {
        send("GET", target, "", {});
        return receive();
    }

    /// Whether the server closed or reset the connection instead of answering.
    bool receive_fails() {
        try {
            receive();
            return false;
        } catch (const boost::system::system_error&) {
            return true;
        }
    }

  private:
    // The stream copies the verify mode when it is created: configure the context first.
    static ssl::context trusting(const fs::path& ca_file) {
        ssl::context tls(ssl::context::tls_client);
        tls.load_verify_file(ca_file.string());
        tls.set_verify_mode(ssl::verify_peer);
        return tls;
    }

    net::io_context io_;
    ssl::context tls_;
    ssl::stream<tcp::socket> stream_;
    beast::flat_buffer buffer_;
};

const std::string passage =
    "The water cycle describes how water moves between the oceans, the air and the land. "
    "Heat from the sun causes water at the surface of lakes and oceans to evaporate into "
    "vapour. As the vapour rises it cools and condenses into tiny droplets that gather as "
    "clouds. When the droplets merge and grow heavy they fall back to the ground as "
    "precipitation, usually rain or snow. Some of that water soaks into the soil and "
    "replenishes underground aquifers over many years. Rivers eventually carry the rest back "
    "to the oceans, where the journey begins again.";

const std::string document = "<document>\nA long shared document about weather.\n</document>";

json::object schema_for(const char* list, json::object item_properties) {
    json::object item{{"type", "object"}, {"properties", std::move(item_properties)}};
    return json::object{
        {"type", "object"},
        {"required", json::array{list}},
        {"properties", json::object{{list, json::object{{"type", "array"}, {"items", item}}}}},
    };
}

json::object author_schema() {
    return schema_for("candidates", {{"stem", {{"type", "string"}}},
                                     {"options", {{"type", "array"}}},
                                     {"answer_index", {{"type", "integer"}}},
                                     {"explanation", {{"type", "string"}}},
                                     {"quote", {{"type", "string"}}},
                                     {"difficulty", {{"type", "string"}}}});
}

json::object judge_schema() {
    return schema_for("verdicts", {{"id", {{"type", "integer"}}},
                                   {"chosen_option", {{"type", "string"}}},
                                   {"score", {{"type", "number"}}},
                                   {"reason", {{"type", "string"}}}});
}

enum class Form { json_schema, forced_tool };

/// A request shaped like docs/claude-protocol.md: cached document block, then the task.
json::object request_body(const std::string& task, json::object schema, const char* tool_name,
                          Form form) {
    json::array content{
        json::object{{"type", "text"},
                     {"text", document},
                     {"cache_control", json::object{{"type", "ephemeral"}}}},
        json::object{{"type", "text"}, {"text", task}},
    };
    json::object body{
        {"model", "claude-test-model"},
        {"max_tokens", 4096},
        {"system", json::array{json::object{{"type", "text"}, {"text", "You write tests."}}}},
        {"messages", json::array{json::object{{"role", "user"}, {"content", content}}}},
    };
    if (form == Form::json_schema) {
        body["output_config"] = json::object{
            {"format", json::object{{"type", "json_schema"}, {"schema", std::move(schema)}}}};
    } else {
        body["tools"] = json::array{json::object{
            {"name", tool_name}, {"description", "Submit."}, {"input_schema", std::move(schema)}}};
        body["tool_choice"] = json::object{{"type", "tool"}, {"name", tool_name}};
    }
    return body;
}

std::string author_request(int count, Form form = Form::json_schema) {
    const auto task = "<passage>\n" + passage + "\n</passage>\n\nWrite exactly " +
                      std::to_string(count) + " candidate questions about the passage.";
    return json::serialize(request_body(task, author_schema(), "submit_candidates", form));
}

std::string judge_request(const json::array& questions, Form form = Form::json_schema) {
    const auto task = "<passage>\n" + passage + "\n</passage>\n\nAnswer each question.\n" +
                      "<questions>\n" + json::serialize(json::object{{"questions", questions}}) +
                      "\n</questions>";
    return json::serialize(request_body(task, judge_schema(), "submit_verdicts", form));
}

/// The structured answer of a 200 reply, from its text block or its tool_use block.
json::object structured_answer(const Reply& reply) {
    const auto message = reply.json();
    for (const auto& block : message.at("content").as_array()) {
        const auto& fields = block.as_object();
        if (fields.at("type") == "text")
            return json::parse(fields.at("text").as_string()).as_object();
        if (fields.at("type") == "tool_use") return fields.at("input").as_object();
    }
    FAIL("no structured content in " << reply.body);
    return {};
}

std::string lower(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

fake_claude::Options options_in(const TempDir& dir) {
    fake_claude::Options options;
    options.tls_dir = dir.path();
    return options;
}

/// A request of one user message whose text is `text_bytes` long: the fake counts it as
/// ceil(text_bytes / 4) input tokens, nothing else.
std::string plain_request(const std::string& model, size_t text_bytes, int max_tokens = 64) {
    return json::serialize(json::object{
        {"model", model},
        {"max_tokens", max_tokens},
        {"messages",
         json::array{json::object{{"role", "user"}, {"content", std::string(text_bytes, 'a')}}}},
    });
}

int64_t header_number(const Reply& reply, const std::string& name) {
    return std::stoll(reply.headers.at(name));
}

} // namespace

TEST_SUITE("fake_claude") {

    TEST_CASE("rejects a missing or wrong api key with 401 authentication_error") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);

        const auto wrong = client.post(author_request(2), api_headers("not-the-key"));
        CHECK(wrong.status == 401);
        CHECK(wrong.error_type() == "authentication_error");
        CHECK(wrong.error_message() == "invalid x-api-key");
        CHECK(wrong.headers.at("request-id").starts_with("req_"));
        CHECK(wrong.json().at("request_id").as_string() == wrong.headers.at("request-id"));
        CHECK(wrong.headers.at("content-type") == "application/json");

        auto headers = api_headers();
        headers.erase(headers.begin()); // no x-api-key at all
        CHECK(client.post(author_request(2), headers).status == 401);
    }

    TEST_CASE("rejects malformed requests with 400 invalid_request_error naming the field") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        auto body = json::parse(author_request(2)).as_object();
        std::string field;

        SUBCASE("body that is not JSON") {
            const auto reply = client.post("{\"model\": ");
            CHECK(reply.status == 400);
            CHECK(reply.error_type() == "invalid_request_error");
            return;
        }
        SUBCASE("temperature") {
            body["temperature"] = 0.2;
            field = "temperature";
        }
        SUBCASE("top_k") {
            body["top_k"] = 5;
            field = "top_k";
        }
        SUBCASE("missing max_tokens") {
            body.erase("max_tokens");
            field = "max_tokens";
        }
        SUBCASE("max_tokens not a positive integer") {
            body["max_tokens"] = 0;
            field = "max_tokens";
        }
        SUBCASE("missing model") {
            body.erase("model");
            field = "model";
        }
        SUBCASE("empty messages") {
            body["messages"] = json::array{};
            field = "messages";
        }
        SUBCASE("a system role inside messages") {
            body["messages"].as_array()[0].as_object()["role"] = "system";
            field = "messages.0.role";
        }
        SUBCASE("a forced tool that is not among the tools") {
            body["tools"] = json::array{
                json::object{{"name", "submit_candidates"}, {"input_schema", author_schema()}}};
            body["tool_choice"] = json::object{{"type", "tool"}, {"name", "something_else"}};
            field = "tool_choice.name";
        }
        const auto reply = client.post(json::serialize(body));
        CHECK(reply.status == 400);
        CHECK(reply.error_type() == "invalid_request_error");
        CHECK_MESSAGE(reply.error_message().starts_with(field), reply.error_message());
    }

    TEST_CASE("rejects requests without anthropic-version or a JSON content type") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        auto headers = api_headers();
        SUBCASE("no anthropic-version") {
            headers.erase(headers.begin() + 1);
        }
        SUBCASE("text/plain") {
            headers[2].second = "text/plain";
        }
        CHECK(client.post(author_request(1), headers).status == 400);
    }

    TEST_CASE("answers unknown paths with 404 and other methods with 405") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        const auto missing = client.post(author_request(1), api_headers(), "/v1/complete");
        CHECK(missing.status == 404);
        CHECK(missing.error_type() == "not_found_error");
        CHECK(client.get("/v1/messages").status == 405);
    }

    TEST_CASE("an author call returns K candidates drawn from the passage") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        Form form = Form::json_schema;
        SUBCASE("output_config json_schema") {
            form = Form::json_schema;
        }
        SUBCASE("forced tool") {
            form = Form::forced_tool;
        }

        const auto reply = client.post(author_request(4, form));
        REQUIRE(reply.status == 200);
        CHECK(reply.headers.at("request-id").starts_with("req_"));
        const auto message = reply.json();
        CHECK(message.at("id").as_string().starts_with("msg_"));
        CHECK(message.at("type") == "message");
        CHECK(message.at("role") == "assistant");
        CHECK(message.at("model") == "claude-test-model");
        CHECK(message.at("stop_sequence").is_null());
        CHECK(message.at("stop_reason") == (form == Form::json_schema ? "end_turn" : "tool_use"));
        if (form == Form::forced_tool) {
            const auto& block = message.at("content").as_array().at(0).as_object();
            CHECK(block.at("type") == "tool_use");
            CHECK(block.at("name") == "submit_candidates");
            CHECK(block.at("id").as_string().starts_with("toolu_"));
        }

        const auto answer = structured_answer(reply);
        const auto& candidates = answer.at("candidates").as_array();
        REQUIRE(candidates.size() == 4);
        std::set<std::string> quotes;
        for (const auto& value : candidates) {
            const auto& candidate = value.as_object();
            const auto& options = candidate.at("options").as_array();
            REQUIRE(options.size() == 4);
            std::set<std::string> distinct;
            for (const auto& option : options)
                distinct.insert(lower(std::string(option.as_string())));
            CHECK(distinct.size() == 4);
            const auto index = candidate.at("answer_index").as_int64();
            REQUIRE((index >= 0 && index < 4));
            const std::string quote(candidate.at("quote").as_string());
            CHECK(passage.find(quote) != std::string::npos);
            CHECK(quote.find(std::string(options[static_cast<size_t>(index)].as_string())) !=
                  std::string::npos);
            CHECK(candidate.at("stem").as_string().find("_____") != std::string::npos);
            CHECK(candidate.at("explanation").as_string().starts_with("The passage states: "));
            const std::set<std::string> difficulties{"easy", "medium", "hard"};
            CHECK(difficulties.count(std::string(candidate.at("difficulty").as_string())) == 1);
            quotes.insert(quote);
        }
        CHECK(quotes.size() == 4); // the passage has enough sentences for four different ones

        const auto& usage = message.at("usage").as_object();
        CHECK(usage.at("input_tokens").as_int64() > 0);
        CHECK(usage.at("output_tokens").as_int64() > 0);
        CHECK(server.stats().author_requests == 1);
    }

    TEST_CASE("a judge call chooses the keys the author handed out") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        const auto authored = client.post(author_request(3));
        REQUIRE(authored.status == 200);
        const auto candidates = structured_answer(authored).at("candidates").as_array();

        json::array questions;
        std::vector<std::string> keys;
        for (size_t i = 0; i < candidates.size(); ++i) {
            const auto& candidate = candidates[i].as_object();
            auto options = candidate.at("options").as_array();
            keys.emplace_back(
                options[candidate.at("answer_index").to_number<size_t>()].as_string());
            std::reverse(options.begin(), options.end()); // the judge must not rely on positions
            questions.push_back(
                json::object{{"id", i + 1}, {"stem", candidate.at("stem")}, {"options", options}});
        }
        questions.push_back(
            json::object{{"id", 99},
                         {"stem", "A stem the author never wrote?"},
                         {"options", json::array{"first", "second", "third", "x"}}});

        Form form = Form::json_schema;
        SUBCASE("output_config json_schema") {
            form = Form::json_schema;
        }
        SUBCASE("forced tool") {
            form = Form::forced_tool;
        }
        const auto judged = client.post(judge_request(questions, form));
        REQUIRE(judged.status == 200);
        const auto answer = structured_answer(judged);
        const auto& verdicts = answer.at("verdicts").as_array();
        REQUIRE(verdicts.size() == 4);
        for (size_t i = 0; i < keys.size(); ++i) {
            const auto& verdict = verdicts[i].as_object();
            CHECK(verdict.at("id").to_number<size_t>() == i + 1);
            CHECK(verdict.at("chosen_option").as_string() == keys[i]);
            CHECK(verdict.at("score").to_number<double>() == doctest::Approx(0.9));
        }
        CHECK(verdicts[3].as_object().at("chosen_option") == "first");
        CHECK(server.stats().judge_requests == 1);
    }

    TEST_CASE("a judge with disagree_rate 1 never picks the remembered key") {
        TempDir dir;
        auto options = options_in(dir);
        options.disagree_rate = 1;
        fake_claude::Server server(options);
        Client client(server);
        const auto candidates =
            structured_answer(client.post(author_request(2))).at("candidates").as_array();
        json::array questions;
        for (const auto& value : candidates) {
            const auto& candidate = value.as_object();
            questions.push_back(json::object{
                {"id", 1}, {"stem", candidate.at("stem")}, {"options", candidate.at("options")}});
        }
        const auto verdicts =
            structured_answer(client.post(judge_request(questions))).at("verdicts").as_array();
        REQUIRE(verdicts.size() == candidates.size());
        for (size_t i = 0; i < verdicts.size(); ++i) {
            const auto& candidate = candidates[i].as_object();
            const auto key = candidate.at("options")
                                 .as_array()[candidate.at("answer_index").to_number<size_t>()];
            CHECK(verdicts[i].as_object().at("chosen_option") != key);
        }
    }

    TEST_CASE("reports cache creation first and a cache read for a prefix seen before") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        const auto usage_of = [&](const std::string& body) {
            const auto reply = client.post(body);
            REQUIRE(reply.status == 200);
            return reply.json().at("usage").as_object();
        };
        const auto first = usage_of(author_request(1));
        CHECK(first.at("cache_creation_input_tokens").as_int64() > 0);
        CHECK(first.at("cache_read_input_tokens").as_int64() == 0);
        // Another task after the same cached document block.
        const auto second = usage_of(author_request(2));
        CHECK(second.at("cache_creation_input_tokens").as_int64() == 0);
        CHECK(second.at("cache_read_input_tokens") == first.at("cache_creation_input_tokens"));
        CHECK(second.at("input_tokens").as_int64() > 0);
    }

    TEST_CASE("a 429#1 fault refuses the first request only") {
        TempDir dir;
        auto options = options_in(dir);
        options.faults = "429#1";
        fake_claude::Server server(options);
        Client client(server);
        const auto refused = client.post(author_request(1));
        CHECK(refused.status == 429);
        CHECK(refused.error_type() == "rate_limit_error");
        CHECK(refused.headers.at("retry-after") == "1");
        CHECK(refused.headers.at("retry-after-ms") == "100");
        CHECK(client.post(author_request(1)).status == 200);
        const auto stats = server.stats();
        CHECK(stats.faults_injected == 1);
        CHECK(stats.responses_429 == 1);
        CHECK(stats.requests == 2);
    }

    TEST_CASE("an exhausted rpm budget answers 429 with retry-after and the rate-limit headers") {
        TempDir dir;
        auto options = options_in(dir);
        options.rpm = 2;
        fake_claude::Server server(options);
        Client client(server);
        const auto first = client.post(author_request(1));
        CHECK(first.status == 200);
        CHECK(first.headers.at("anthropic-ratelimit-requests-limit") == "2");
        CHECK(first.headers.at("anthropic-ratelimit-requests-remaining") == "1");
        CHECK(client.post(author_request(1)).status == 200);

        const auto refused = client.post(author_request(1));
        CHECK(refused.status == 429);
        CHECK(refused.error_type() == "rate_limit_error");
        const int retry_after = std::stoi(refused.headers.at("retry-after"));
        CHECK((retry_after >= 1 && retry_after <= 60));
        CHECK(refused.headers.at("anthropic-ratelimit-requests-remaining") == "0");
        const auto& reset = refused.headers.at("anthropic-ratelimit-requests-reset");
        CHECK(reset.size() == 20); // 2026-01-02T03:04:05Z
        CHECK(reset.ends_with("Z"));
        CHECK(server.stats().responses_429 == 1);
    }

    TEST_CASE("a prompt over the model's context window gets 400 prompt is too long") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        // 800,000 bytes are 200,000 tokens: exactly the window of a 200k model.
        CHECK(client.post(plain_request("claude-haiku-4-5", 800'000)).status == 200);
        const auto refused = client.post(plain_request("claude-haiku-4-5", 800'004));
        CHECK(refused.status == 400);
        CHECK(refused.error_type() == "invalid_request_error");
        CHECK(refused.error_message() == "prompt is too long: 200001 tokens > 200000 maximum");
        CHECK(refused.json().at("type") == "error");
        CHECK(refused.headers.count("request-id") == 1);
        // The output is not part of the check, and 1M models take the same prompt.
        CHECK(client.post(plain_request("claude-haiku-4-5", 800'000, 64'000)).status == 200);
        CHECK(client.post(plain_request("claude-sonnet-4-6", 800'004)).status == 200);
        const auto stats = server.stats();
        CHECK(stats.responses_400 == 1);
        CHECK(stats.requests == 4);
    }

    TEST_CASE("context windows follow the model overview and an option overrides them") {
        CHECK(fake_claude::context_window_of("claude-haiku-4-5") == 200'000);
        CHECK(fake_claude::context_window_of("claude-haiku-4-5-20251001") == 200'000);
        CHECK(fake_claude::context_window_of("claude-sonnet-4-5") == 200'000);
        CHECK(fake_claude::context_window_of("claude-opus-4-20250514") == 200'000);
        CHECK(fake_claude::context_window_of("claude-3-5-sonnet-20241022") == 200'000);
        CHECK(fake_claude::context_window_of("claude-test-model") == 200'000);
        CHECK(fake_claude::context_window_of("claude-sonnet-4-6") == 1'000'000);
        CHECK(fake_claude::context_window_of("claude-opus-4-8") == 1'000'000);
        CHECK(fake_claude::context_window_of("claude-opus-5-5") == 1'000'000);
        CHECK(fake_claude::context_window_of("claude-fable-5") == 1'000'000);

        TempDir dir;
        auto options = options_in(dir);
        options.context_window = 100;
        fake_claude::Server server(options);
        Client client(server);
        CHECK(client.post(plain_request("claude-sonnet-4-6", 400)).status == 200);
        const auto refused = client.post(plain_request("claude-sonnet-4-6", 401));
        CHECK(refused.error_message() == "prompt is too long: 101 tokens > 100 maximum");
    }

    TEST_CASE("a body over 32 MB gets 413 request_too_large and the connection then closes") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        {
            Client client(server);
            // Well-formed up to the size: only the byte count is at fault.
            const auto refused = client.post(plain_request("claude-haiku-4-5", 32'000'001));
            CHECK(refused.status == 413);
            CHECK(refused.error_type() == "request_too_large");
            CHECK(refused.error_message() == "Request exceeds the maximum size");
            CHECK(lower(refused.headers.at("connection")) == "close");
            CHECK(client.receive_fails());
        }
        Client fresh(server);
        CHECK(fresh.post(author_request(1)).status == 200);
        const auto stats = server.stats();
        CHECK(stats.responses_413 == 1);
        CHECK(stats.requests == 2);
    }

    TEST_CASE("a chunked body over the size limit gets 413 without being buffered") {
        TempDir dir;
        auto options = options_in(dir);
        options.max_request_bytes = 1000;
        fake_claude::Server server(options);
        Client client(server);
        CHECK(client.post(plain_request("m", 100)).status == 200);
        client.send_chunked(plain_request("m", 4000), api_headers());
        const auto refused = client.receive();
        CHECK(refused.status == 413);
        CHECK(refused.error_type() == "request_too_large");
        CHECK(server.stats().responses_413 == 1);
    }

    TEST_CASE("an input-token budget refuses what it cannot hold with 429 and the headers") {
        TempDir dir;
        auto options = options_in(dir);
        options.input_tokens_per_minute = 3000;
        fake_claude::Server server(options);
        Client client(server);
        // 2000 tokens each, uncached: the first fits, the second would overdraw.
        const auto first = client.post(plain_request("claude-haiku-4-5", 8000));
        CHECK(first.status == 200);
        CHECK(header_number(first, "anthropic-ratelimit-input-tokens-limit") == 3000);
        const auto left = header_number(first, "anthropic-ratelimit-input-tokens-remaining");
        CHECK((left >= 1000 && left < 1100)); // refilling at 50 a second
        CHECK(first.headers.at("anthropic-ratelimit-input-tokens-reset").size() == 20);
        CHECK(header_number(first, "anthropic-ratelimit-tokens-limit") == 3000);
        CHECK(header_number(first, "anthropic-ratelimit-tokens-remaining") == 1000);
        CHECK(first.headers.count("anthropic-ratelimit-output-tokens-limit") == 0);

        const auto refused = client.post(plain_request("claude-haiku-4-5", 8000));
        CHECK(refused.status == 429);
        CHECK(refused.error_type() == "rate_limit_error");
        CHECK(refused.error_message().find("3000 input tokens per minute") != std::string::npos);
        const auto retry_after = header_number(refused, "retry-after");
        CHECK((retry_after >= 18 && retry_after <= 20)); // 1000 short at 50 a second
        CHECK(header_number(refused, "anthropic-ratelimit-input-tokens-remaining") >= left);
        // A smaller one still fits: a refusal takes nothing.
        CHECK(client.post(plain_request("claude-haiku-4-5", 2000)).status == 200);
        const auto stats = server.stats();
        CHECK(stats.responses_429 == 1);
        CHECK(stats.responses_429_tokens == 1);
        CHECK(stats.input_tokens == 2500);
        CHECK(stats.peak_input_tokens_per_minute == 2500);
    }

    TEST_CASE("the token budget refills continuously and retry-after is enough to wait") {
        TempDir dir;
        auto options = options_in(dir);
        options.input_tokens_per_minute = 60'000; // 1000 a second
        fake_claude::Server server(options);
        Client client(server);
        const auto remaining = [&](size_t bytes) {
            const auto reply = client.post(plain_request("claude-haiku-4-5", bytes));
            REQUIRE(reply.status == 200);
            return header_number(reply, "anthropic-ratelimit-input-tokens-remaining");
        };
        const auto drained = remaining(224'000); // 56,000 tokens
        const auto started = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(300ms);
        const auto later = remaining(4); // 1 token
        const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - started;
        CHECK(drained < 5000);
        CHECK(later - drained >= 250);                        // refilled meanwhile...
        CHECK(later - drained <= 1000 * waited.count() + 50); // ...at its rate...
        CHECK(later < 60'000);                                // ...not all at once

        // Short by about 1900 tokens: retry-after says how long, and then it is admitted.
        const auto refused = client.post(plain_request("claude-haiku-4-5", 4 * (later + 1900)));
        REQUIRE(refused.status == 429);
        const auto retry_after = header_number(refused, "retry-after");
        CHECK((retry_after >= 1 && retry_after <= 2));
        std::this_thread::sleep_for(std::chrono::seconds(retry_after));
        CHECK(client.post(plain_request("claude-haiku-4-5", 4 * (later + 1900))).status == 200);
    }

    TEST_CASE("cache reads do not count against the input budget") {
        TempDir dir;
        auto options = options_in(dir);
        options.input_tokens_per_minute = 1'000'000;
        fake_claude::Server server(options);
        Client client(server);
        const auto first = client.post(author_request(1));
        const auto second = client.post(author_request(2));
        REQUIRE(second.status == 200);
        const auto usage = [](const Reply& reply, const char* field) {
            return reply.json().at("usage").as_object().at(field).as_int64();
        };
        REQUIRE(usage(second, "cache_read_input_tokens") > 0);
        CHECK(server.stats().input_tokens == usage(first, "input_tokens") +
                                                 usage(first, "cache_creation_input_tokens") +
                                                 usage(second, "input_tokens"));
    }

    TEST_CASE("the output budget books max_tokens at the start and keeps only what was written") {
        TempDir dir;
        auto options = options_in(dir);
        options.output_tokens_per_minute = 6000;
        fake_claude::Server server(options);
        Client client(server);
        const auto answered = client.post(plain_request("claude-haiku-4-5", 100, 4000));
        REQUIRE(answered.status == 200);
        const auto written = answered.json().at("usage").as_object().at("output_tokens").as_int64();
        const auto left = header_number(answered, "anthropic-ratelimit-output-tokens-remaining");
        CHECK(left >= 6000 - written - 1);
        CHECK(left <= 6000);
        // 4000 more would fit the refunded budget, 6001 never fits.
        CHECK(client.post(plain_request("claude-haiku-4-5", 100, 4000)).status == 200);
        const auto refused = client.post(plain_request("claude-haiku-4-5", 100, 6001));
        CHECK(refused.status == 429);
        CHECK(refused.error_message().find("6000 output tokens per minute") != std::string::npos);
        CHECK(header_number(refused, "retry-after") <= 60);
        const auto stats = server.stats();
        CHECK(stats.responses_429_tokens == 1);
        CHECK(stats.output_tokens == 2 * written);
    }

    TEST_CASE("max_tokens stays booked while the reply is being written") {
        TempDir dir;
        auto options = options_in(dir);
        options.output_tokens_per_minute = 6000;
        options.latency = 500ms; // the model writing
        fake_claude::Server server(options);
        Client writing(server), other(server);
        writing.send("POST", "/v1/messages", plain_request("claude-haiku-4-5", 100, 4000),
                     api_headers());
        REQUIRE(server.wait_until([](const auto& s) { return s.in_flight == 1; }, wait_limit));
        const auto refused = other.post(plain_request("claude-haiku-4-5", 100, 4000));
        CHECK(refused.status == 429);
        CHECK(refused.error_message().find("output tokens per minute") != std::string::npos);
        const auto done = writing.receive();
        CHECK(done.status == 200);
        CHECK(header_number(done, "anthropic-ratelimit-output-tokens-remaining") > 5000);
        CHECK(other.post(plain_request("claude-haiku-4-5", 100, 4000)).status == 200);
    }

    TEST_CASE("a prefix shorter than min_cache_tokens is not cached") {
        TempDir dir;
        auto options = options_in(dir);
        options.min_cache_tokens = 1024;
        fake_claude::Server server(options);
        Client client(server);
        for (int i = 0; i < 2; ++i) {
            const auto usage = client.post(author_request(1)).json().at("usage").as_object();
            CHECK(usage.at("cache_creation_input_tokens") == 0);
            CHECK(usage.at("cache_read_input_tokens") == 0);
        }
    }

    TEST_CASE("token budgets are off by default and can be set while running") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        const auto open = client.post(plain_request("claude-haiku-4-5", 8000));
        CHECK(open.status == 200);
        CHECK(open.headers.count("anthropic-ratelimit-input-tokens-limit") == 0);
        CHECK(open.headers.count("anthropic-ratelimit-tokens-limit") == 0);
        server.set_token_budgets(1000, 0);
        CHECK(client.post(plain_request("claude-haiku-4-5", 8000)).status == 429);
        const auto changed = client.post(R"({"input_tokens_per_minute": 0,
                                             "output_tokens_per_minute": 50})",
                                         {{"content-type", "application/json"}}, "/_control");
        CHECK(changed.status == 200);
        CHECK(client.post(plain_request("claude-haiku-4-5", 8000)).status == 429); // max_tokens 64
        CHECK_THROWS_AS(server.set_token_budgets(-1, 0), std::invalid_argument);
        const auto stats = client.get("/_stats").json();
        CHECK(stats.at("responses_429_tokens") == 2);
        CHECK(stats.at("input_tokens") == 2000);
    }

    TEST_CASE("counts connections and requests and the peak of requests in flight") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        {
            Client keep_alive(server);
            CHECK(keep_alive.post(author_request(1)).status == 200);
            CHECK(keep_alive.post(author_request(1)).status == 200);
            Client other(server);
            CHECK(other.post(author_request(1)).status == 200);
            const auto stats = server.stats();
            CHECK(stats.connections_accepted == 2);
            CHECK(stats.open_connections == 2);
            CHECK(stats.requests == 3);
            // The last request leaves the in-flight count once its write completes, which may be
            // just after the client has read the answer.
            CHECK(server.wait_until([](const auto& s) { return s.in_flight == 0; }, wait_limit));
        }
        CHECK(server.wait_until([](const auto& s) { return s.open_connections == 0; }, wait_limit));

        // Stalled requests stay in flight until their clients give up: three at once, for sure.
        server.reset_stats();
        server.set_faults("stall*");
        {
            std::vector<std::unique_ptr<Client>> clients;
            for (int i = 0; i < 3; ++i) {
                clients.push_back(std::make_unique<Client>(server));
                clients.back()->send("POST", "/v1/messages", author_request(1), api_headers());
            }
            CHECK(server.wait_until([](const auto& s) { return s.in_flight == 3; }, wait_limit));
            const auto stats = server.stats();
            CHECK(stats.peak_in_flight == 3);
            CHECK(stats.connections_accepted == 3);
            CHECK(stats.faults_injected == 3);
        }
        CHECK(server.wait_until([](const auto& s) { return s.in_flight == 0; }, wait_limit));
        CHECK(server.stats().peak_in_flight == 3);
    }

    TEST_CASE("reuses the certificates found in tls_dir") {
        TempDir dir;
        std::string first_ca, first_server;
        {
            fake_claude::Server server(options_in(dir));
            first_ca = read_file(server.ca_file());
            first_server = read_file(dir.path() / "server.pem");
            Client client(server);
            CHECK(client.post(author_request(1)).status == 200);
        }
        fake_claude::Server again(options_in(dir));
        CHECK(again.ca_file() == dir.path() / "ca.pem");
        CHECK(read_file(again.ca_file()) == first_ca);
        CHECK(read_file(dir.path() / "server.pem") == first_server);
        Client client(again);
        CHECK(client.post(author_request(1)).status == 200);
    }

    TEST_CASE("a certificate for another host or an expired one fails verification") {
        TempDir dir;
        auto options = options_in(dir);
        SUBCASE("host-name mismatch") {
            options.cert_host = "localhost.invalid";
        }
        SUBCASE("expired") {
            options.expired_cert = true;
        }
        fake_claude::Server server(options);
        CHECK_THROWS_AS(Client{server}, boost::system::system_error);
    }

    TEST_CASE("a certificate for localhost is accepted under that name") {
        TempDir dir;
        auto options = options_in(dir);
        options.cert_host = "localhost";
        fake_claude::Server server(options);
        Client client(server, "localhost");
        CHECK(client.post(author_request(1)).status == 200);
    }

    TEST_CASE("rejects invalid fault specs") {
        TempDir dir;
        for (const char* spec :
             {"429", "teapot*", "429@1.5", "stall#0", "500#x", "429*,", "@0.1"}) {
            auto options = options_in(dir);
            options.faults = spec;
            CHECK_THROWS_AS_MESSAGE(fake_claude::Server{options}, std::invalid_argument, spec);
        }
        auto options = options_in(dir);
        options.faults = " 429@0 , reset_mid#3,stall* ";
        fake_claude::Server server(options);
        CHECK_THROWS_AS(server.set_faults("nonsense"), std::invalid_argument);
        server.set_faults("");
    }

    TEST_CASE("injected faults have their documented shape") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);

        SUBCASE("HTTP errors") {
            server.set_faults("529#1,500#2,503#3,should_not_retry#4");
            CHECK(client.post(author_request(1)).error_type() == "overloaded_error");
            CHECK(client.post(author_request(1)).status == 500);
            CHECK(client.post(author_request(1)).status == 503);
            const auto final_error = client.post(author_request(1));
            CHECK(final_error.status == 500);
            CHECK(final_error.headers.at("x-should-retry") == "false");
        }
        SUBCASE("malformed") {
            server.set_faults("malformed*");
            const auto reply = client.post(author_request(1));
            CHECK(reply.status == 200);
            CHECK_THROWS(json::parse(reply.body));
        }
        SUBCASE("truncated text") {
            server.set_faults("truncated*");
            const auto message = client.post(author_request(1)).json();
            const auto& text = message.at("content").as_array()[0].as_object().at("text");
            CHECK_THROWS(json::parse(text.as_string()));
        }
        SUBCASE("truncated tool input") {
            server.set_faults("truncated*");
            const auto message = client.post(author_request(1, Form::forced_tool)).json();
            CHECK(message.at("content").as_array()[0].as_object().at("input").is_string());
        }
        SUBCASE("max_tokens") {
            server.set_faults("max_tokens*");
            CHECK(client.post(author_request(1)).json().at("stop_reason") == "max_tokens");
        }
        SUBCASE("refusal") {
            server.set_faults("refusal*");
            const auto message = client.post(author_request(1)).json();
            CHECK(message.at("stop_reason") == "refusal");
            CHECK(message.at("content").as_array().empty());
        }
        SUBCASE("text_only") {
            server.set_faults("text_only*");
            const auto message = client.post(author_request(1, Form::forced_tool)).json();
            CHECK(message.at("stop_reason") == "end_turn");
            CHECK(message.at("content").as_array()[0].as_object().at("type") == "text");
        }
        SUBCASE("wrong_shape") {
            server.set_faults("wrong_shape*");
            const auto answer = structured_answer(client.post(author_request(1)));
            const auto& candidate = answer.at("candidates").as_array()[0].as_object();
            CHECK(candidate.at("options").as_array().size() == 3);
            CHECK(candidate.at("answer_index") == 7);
        }
        SUBCASE("reset_before") {
            server.set_faults("reset_before#1");
            client.send("POST", "/v1/messages", author_request(1), api_headers());
            CHECK(client.receive_fails());
            Client fresh(server);
            CHECK(fresh.post(author_request(1)).status == 200);
        }
        SUBCASE("reset_mid") {
            server.set_faults("reset_mid#1");
            client.send("POST", "/v1/messages", author_request(1), api_headers());
            CHECK(client.receive_fails());
        }
    }

    TEST_CASE("the control endpoints read and steer the server without an api key") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        CHECK(client.post(author_request(1)).status == 200);
        const auto stats = client.get("/_stats");
        CHECK(stats.status == 200);
        CHECK(stats.json().at("requests") == 1);
        CHECK(stats.json().at("author_requests") == 1);

        const auto changed = client.post(R"({"faults": "529*", "latency_ms": 0, "reset_stats": true,
                                         "disagree_rate": 0.5})",
                                         {{"content-type", "application/json"}}, "/_control");
        CHECK(changed.status == 200);
        CHECK(server.stats().requests == 0);
        CHECK(client.post(author_request(1)).status == 529);

        const auto refused = client.post(R"({"faults": "529@2"})", {}, "/_control");
        CHECK(refused.status == 400);
        CHECK(client.post(author_request(1)).status == 529); // the old plan stays
    }

} // TEST_SUITE

// ---- The Message Batches API ------------------------------------------------------------------

namespace {

using Items = std::vector<std::pair<std::string, std::string>>; // custom_id, params JSON

std::string batch_body(const Items& items) {
    json::array requests;
    for (const auto& [id, params] : items)
        requests.push_back(json::object{{"custom_id", id}, {"params", json::parse(params)}});
    return json::serialize(json::object{{"requests", std::move(requests)}});
}

Reply batch_call(Client& client, const std::string& method, const std::string& target,
                 const std::string& body = "") {
    client.send(method, target, body, api_headers());
    return client.receive();
}

std::string batch_path(const Reply& created, const std::string& suffix = "") {
    return "/v1/messages/batches/" + std::string(created.json().at("id").as_string()) + suffix;
}

/// The results file as custom_id -> result object.
std::map<std::string, json::object> results_by_id(const Reply& reply) {
    std::map<std::string, json::object> results;
    std::istringstream lines(reply.body);
    for (std::string line; std::getline(lines, line);) {
        const auto entry = json::parse(line).as_object();
        const std::string id(entry.at("custom_id").as_string());
        CHECK_MESSAGE(results.count(id) == 0, "twice in the results: " << id);
        results[id] = entry.at("result").as_object();
    }
    return results;
}

int64_t count_of(const Reply& batch, const char* name) {
    return batch.json().at("request_counts").as_object().at(name).as_int64();
}

} // namespace

TEST_SUITE("fake_claude_batches") {

    TEST_CASE("a batch ends with each request answered as the Messages API would") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        auto invalid = json::parse(author_request(2)).as_object();
        invalid["temperature"] = 0.5; // refused by /v1/messages: an errored item here
        const auto created = batch_call(client, "POST", "/v1/messages/batches",
                                        batch_body({{"author-0-0", author_request(3)},
                                                    {"author-1-0", author_request(2)},
                                                    {"bad-params", json::serialize(invalid)}}));
        REQUIRE(created.status == 200);
        CHECK(created.json().at("type") == "message_batch");
        CHECK(std::string(created.json().at("id").as_string()).starts_with("msgbatch_"));
        CHECK(created.headers.count("request-id") == 1);

        const auto polled = batch_call(client, "GET", batch_path(created));
        REQUIRE(polled.status == 200);
        CHECK(polled.json().at("processing_status") == "ended");
        CHECK(count_of(polled, "succeeded") == 2);
        CHECK(count_of(polled, "errored") == 1);
        CHECK(count_of(polled, "processing") == 0);
        const std::string url(polled.json().at("results_url").as_string());
        CHECK(url.ends_with(batch_path(created, "/results")));

        client.send("GET", batch_path(created, "/results"), "",
                    {{"anthropic-version", "2023-06-01"}});
        CHECK(client.receive().status == 401); // the results need the key
        const auto results = batch_call(client, "GET", batch_path(created, "/results"));
        REQUIRE(results.status == 200);
        CHECK(results.headers.at("content-type") == "application/x-jsonl");
        const auto by_id = results_by_id(results);
        REQUIRE(by_id.size() == 3);
        CHECK(by_id.at("author-0-0").at("type") == "succeeded");
        const auto& message = by_id.at("author-0-0").at("message").as_object();
        const auto text = message.at("content").as_array()[0].as_object().at("text").as_string();
        CHECK(json::parse(text).at("candidates").as_array().size() == 3);
        const auto& error = by_id.at("bad-params").at("error").as_object();
        CHECK(error.at("type") == "error");
        CHECK(error.at("error").as_object().at("type") == "invalid_request_error");

        const auto stats = server.stats();
        CHECK(stats.batches_created == 1);
        CHECK(stats.batch_items_submitted == 3);
        CHECK(stats.batch_retrieves == 1);
        CHECK(stats.batch_results_downloads == 1);
        CHECK(stats.requests == 0); // nothing went to /v1/messages
    }

    TEST_CASE("create refuses what the API refuses") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        const auto refused = [&](const std::string& body) {
            const auto reply = batch_call(client, "POST", "/v1/messages/batches", body);
            CHECK(reply.status == 400);
            return reply.status == 400 ? reply.error_message() : reply.body;
        };
        CHECK(refused(R"({"requests":[]})").find("at least 1") != std::string::npos);
        CHECK(refused(batch_body({{"has space", author_request(1)}})).find("pattern") !=
              std::string::npos);
        CHECK(refused(batch_body({{std::string(65, 'a'), author_request(1)}})).find("pattern") !=
              std::string::npos);
        CHECK(refused(batch_body({{"same", author_request(1)}, {"same", author_request(2)}}))
                  .find("not unique") != std::string::npos);
        CHECK(refused(R"({"requests":[{"custom_id":"a","params":{},"extra":1}]})")
                  .find("extra: Extra inputs") != std::string::npos);
        CHECK(refused(R"({"requests":[{"custom_id":"a"}]})").find("params") != std::string::npos);
        CHECK(refused("not json").find("not valid JSON") != std::string::npos);
        client.send("POST", "/v1/messages/batches", batch_body({{"a", author_request(1)}}),
                    api_headers("wrong-key"));
        CHECK(client.receive().status == 401);
        CHECK(batch_call(client, "GET", "/v1/messages/batches/msgbatch_nope").status == 404);
        CHECK(batch_call(client, "PUT", "/v1/messages/batches").status == 405);
        CHECK(batch_call(client, "GET", "/v1/messages/batches/x/cancel").status == 405);
        CHECK(batch_call(client, "GET", "/v1/messages/batches/x/other").status == 404);
        CHECK(server.stats().batches_created == 0);
    }

    TEST_CASE("a batch in progress has no results and cannot be deleted - canceling ends it") {
        TempDir dir;
        auto options = options_in(dir);
        options.batch_delay = std::chrono::hours(1);
        fake_claude::Server server(options);
        Client client(server);
        const auto created =
            batch_call(client, "POST", "/v1/messages/batches",
                       batch_body({{"a", author_request(1)}, {"b", author_request(1)}}));
        REQUIRE(created.status == 200);
        CHECK(created.json().at("processing_status") == "in_progress");
        CHECK(created.json().at("results_url").is_null());
        CHECK(count_of(created, "processing") == 2);
        CHECK(batch_call(client, "GET", batch_path(created, "/results")).status == 400);
        CHECK(batch_call(client, "DELETE", batch_path(created)).status == 400);

        const auto canceling = batch_call(client, "POST", batch_path(created, "/cancel"), "{}");
        REQUIRE(canceling.status == 200);
        CHECK(canceling.json().at("processing_status") == "canceling");
        CHECK(canceling.json().at("cancel_initiated_at").is_string());
        const auto ended = batch_call(client, "GET", batch_path(created));
        CHECK(ended.json().at("processing_status") == "ended");
        CHECK(count_of(ended, "canceled") == 2);
        const auto results =
            results_by_id(batch_call(client, "GET", batch_path(created, "/results")));
        CHECK(results.at("a").at("type") == "canceled");
        CHECK(batch_call(client, "POST", batch_path(created, "/cancel"), "{}").status == 400);

        const auto deleted = batch_call(client, "DELETE", batch_path(created));
        REQUIRE(deleted.status == 200);
        CHECK(deleted.json().at("type") == "message_batch_deleted");
        CHECK(batch_call(client, "GET", batch_path(created)).status == 404);
        const auto stats = server.stats();
        CHECK(stats.batch_cancels == 2);
        CHECK(stats.batch_deletes == 2);
    }

    TEST_CASE("batches end after the delay and a delay set while running applies to new ones") {
        TempDir dir;
        auto options = options_in(dir);
        options.batch_delay = 200ms;
        fake_claude::Server server(options);
        Client client(server);
        const auto created = batch_call(client, "POST", "/v1/messages/batches",
                                        batch_body({{"a", author_request(1)}}));
        CHECK(batch_call(client, "GET", batch_path(created)).json().at("processing_status") ==
              "in_progress");
        std::this_thread::sleep_for(250ms);
        CHECK(batch_call(client, "GET", batch_path(created)).json().at("processing_status") ==
              "ended");
        server.set_batch_delay(0ms);
        const auto at_once = batch_call(client, "POST", "/v1/messages/batches",
                                        batch_body({{"b", author_request(1)}}));
        CHECK(at_once.json().at("processing_status") == "ended");
    }

    TEST_CASE("list pages newest first") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        std::vector<std::string> ids;
        for (int i = 0; i < 5; ++i)
            ids.emplace_back(
                batch_call(client, "POST", "/v1/messages/batches",
                           batch_body({{"item-" + std::to_string(i), author_request(1)}}))
                    .json()
                    .at("id")
                    .as_string());
        const auto first = batch_call(client, "GET", "/v1/messages/batches?limit=2").json();
        REQUIRE(first.at("data").as_array().size() == 2);
        CHECK(first.at("data").as_array()[0].at("id") == ids[4].c_str());
        CHECK(first.at("first_id") == ids[4].c_str());
        CHECK(first.at("last_id") == ids[3].c_str());
        CHECK(first.at("has_more").as_bool());
        const auto rest =
            batch_call(client, "GET", "/v1/messages/batches?limit=10&after_id=" + ids[3]).json();
        REQUIRE(rest.at("data").as_array().size() == 3);
        CHECK(rest.at("last_id") == ids[0].c_str());
        CHECK_FALSE(rest.at("has_more").as_bool());
        const auto newer =
            batch_call(client, "GET", "/v1/messages/batches?before_id=" + ids[1]).json();
        CHECK(newer.at("data").as_array().size() == 3);
        CHECK(
            batch_call(client, "GET", "/v1/messages/batches").json().at("data").as_array().size() ==
            5);
        CHECK(batch_call(client, "GET", "/v1/messages/batches?limit=0").status == 400);
        CHECK(batch_call(client, "GET", "/v1/messages/batches?limit=1001").status == 400);
        CHECK(server.stats().batch_lists == 6);
    }

    TEST_CASE("item faults shape the results and scoped faults hit only their operation") {
        TempDir dir;
        auto options = options_in(dir);
        options.faults = "item_expired#1,item_errored#2,500@retrieve#1,reset_before@retrieve#2,"
                         "truncated@results#1";
        fake_claude::Server server(options);
        const auto created = [&] {
            Client client(server);
            return batch_call(client, "POST", "/v1/messages/batches",
                              batch_body({{"a", author_request(1)},
                                          {"b", author_request(1)},
                                          {"c", author_request(1)}}));
        }();
        REQUIRE(created.status == 200);
        Client client(server);
        const auto first = batch_call(client, "GET", batch_path(created));
        CHECK(first.status == 500);
        CHECK(first.error_type() == "api_error");
        client.send("GET", batch_path(created), "", api_headers());
        CHECK(client.receive_fails());
        Client again(server);
        CHECK(batch_call(again, "GET", batch_path(created)).status == 200);

        const auto cut = batch_call(again, "GET", batch_path(created, "/results"));
        REQUIRE(cut.status == 200);
        CHECK_FALSE(cut.body.ends_with("\n")); // well framed, but ends mid-line
        const auto whole = batch_call(again, "GET", batch_path(created, "/results"));
        const auto by_id = results_by_id(whole);
        REQUIRE(by_id.size() == 3);
        std::multiset<std::string> types;
        for (const auto& [id, result] : by_id)
            types.insert(std::string(result.at("type").as_string()));
        CHECK(types == std::multiset<std::string>{"errored", "expired", "succeeded"});
        CHECK(server.stats().faults_injected == 5);
    }

    TEST_CASE("custom_ids submitted again in a later batch are counted as paid twice") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        Client client(server);
        batch_call(client, "POST", "/v1/messages/batches",
                   batch_body({{"a", author_request(1)}, {"b", author_request(1)}}));
        batch_call(client, "POST", "/v1/messages/batches",
                   batch_body({{"b", author_request(1)}, {"c", author_request(1)}}));
        const auto stats = server.stats();
        CHECK(stats.batches_created == 2);
        CHECK(stats.batch_items_submitted == 4);
        CHECK(stats.batch_duplicate_custom_ids == 1);
    }

    TEST_CASE("a create beyond the queued-requests limit gets 429") {
        TempDir dir;
        auto options = options_in(dir);
        options.batch_delay = std::chrono::hours(1);
        options.max_queued_batch_requests = 3;
        fake_claude::Server server(options);
        Client client(server);
        CHECK(batch_call(client, "POST", "/v1/messages/batches",
                         batch_body({{"a", author_request(1)}, {"b", author_request(1)}}))
                  .status == 200);
        const auto refused =
            batch_call(client, "POST", "/v1/messages/batches",
                       batch_body({{"c", author_request(1)}, {"d", author_request(1)}}));
        CHECK(refused.status == 429);
        CHECK(refused.error_type() == "rate_limit_error");
        CHECK(refused.headers.count("retry-after") == 1);
    }

    TEST_CASE("a batch create may be larger than a message and has its own limit") {
        TempDir dir;
        auto options = options_in(dir);
        options.max_request_bytes = 2'000;
        options.max_batch_request_bytes = 40'000;
        fake_claude::Server server(options);
        const auto body = batch_body({{"a", author_request(1)}, {"b", author_request(1)}});
        REQUIRE(body.size() > 2'000);
        {
            Client client(server);
            CHECK(batch_call(client, "POST", "/v1/messages/batches", body).status == 200);
            CHECK(client.post(author_request(1)).status == 200);
            CHECK(client.post(plain_request("claude-haiku-4-5", 3'000)).status == 413);
        }
        Client client(server);
        Items many;
        for (int i = 0; i < 40; ++i)
            many.emplace_back("item-" + std::to_string(i), author_request(1));
        const auto too_large = batch_body(many);
        REQUIRE(too_large.size() > 40'000);
        CHECK(batch_call(client, "POST", "/v1/messages/batches", too_large).status == 413);
    }

    TEST_CASE("fault specs with scopes parse and bad scopes are refused") {
        TempDir dir;
        fake_claude::Server server(options_in(dir));
        CHECK_NOTHROW(server.set_faults("500@retrieve#1, reset_mid@results@0.5, stall@create*"));
        CHECK_NOTHROW(server.set_faults("item_canceled@0.25"));
        CHECK_THROWS_AS(server.set_faults("500@nowhere#1"), std::invalid_argument);
        CHECK_THROWS_AS(server.set_faults("item_expired@retrieve#1"), std::invalid_argument);
        CHECK_THROWS_AS(server.set_faults("500@item#1"), std::invalid_argument);
        CHECK_THROWS_AS(server.set_faults("500@retrieve"), std::invalid_argument);
    }
}
