#include "claude/claude_provider.hpp"

namespace mcqgen::detail::claude {
namespace {

constexpr const char* messages_path = "/v1/messages";

ClientOptions client_options(const Config& c) {
    ClientOptions o;
    o.base_url = c.base_url;
    o.api_key = c.api_key;
    o.api_version = c.api_version;
    o.max_concurrency = c.max_concurrency;
    o.max_retries = c.max_retries;
    o.connect_timeout = c.connect_timeout;
    o.handshake_timeout = c.handshake_timeout;
    o.request_timeout = c.request_timeout;
    o.max_retry_after = c.max_retry_after;
    o.ca_file = c.ca_file;
    o.verify_tls = c.verify_tls;
    o.allow_insecure_http = c.allow_insecure_http;
    o.log = c.log;
    return o;
}

CallFailure failure_of(const ApiResponse& response) {
    if (response.error == errc::ok) return {};
    return {response.error, response.message};
}

} // namespace

ClaudeProvider::ClaudeProvider(boost::asio::io_context& io, Config config)
    : io_(io), config_(std::move(config)), mode_(output_mode_for(config_)) {
    client(); // fail now on a bad URL or CA file, not on the first call
}

HttpsClient& ClaudeProvider::client() {
    // A cancelled client refuses new calls; the next run gets a fresh one. The old one's pending
    // handlers keep its internals alive until they have run.
    if (!client_) client_ = std::make_unique<HttpsClient>(io_, client_options(config_));
    return *client_;
}

void ClaudeProvider::cancel() {
    if (!client_) return;
    client_->cancel();
    client_.reset();
}

ClientStats ClaudeProvider::stats() const { return client_ ? client_->stats() : ClientStats{}; }

Usage ClaudeProvider::usage_of(const ApiResponse& response, const Usage& reported) const {
    Usage usage = reported;
    usage.requests = response.attempts;
    usage.estimated_cost_usd = estimate_cost(config_, usage);
    return usage;
}

void ClaudeProvider::write(const AuthorRequest& request, std::function<void(AuthorResult)> done) {
    auto body = author_body(config_, mode_, *request.document, *request.passage, request.count);
    client().post(messages_path, std::move(body),
                  [this, done = std::move(done)](ApiResponse response) {
                      AuthorResult result;
                      if (auto failure = failure_of(response)) {
                          result.failure = std::move(failure);
                          result.usage = usage_of(response, {});
                          return done(std::move(result));
                      }
                      auto reply = decode_reply(response.body, mode_, author_tool);
                      if (!reply.failure) result = parse_candidates(reply.data);
                      else result.failure = std::move(reply.failure);
                      result.usage = usage_of(response, reply.usage);
                      done(std::move(result));
                  });
}

void ClaudeProvider::judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) {
    auto body = judge_body(config_, mode_, *request.document, *request.passage, request.items);
    client().post(messages_path, std::move(body),
                  [this, items = request.items, done = std::move(done)](ApiResponse response) {
                      JudgeResult result;
                      if (auto failure = failure_of(response)) {
                          result.failure = std::move(failure);
                          result.usage = usage_of(response, {});
                          return done(std::move(result));
                      }
                      auto reply = decode_reply(response.body, mode_, judge_tool);
                      if (!reply.failure) result = parse_verdicts(reply.data, items);
                      else result.failure = std::move(reply.failure);
                      result.usage = usage_of(response, reply.usage);
                      done(std::move(result));
                  });
}

} // namespace mcqgen::detail::claude
