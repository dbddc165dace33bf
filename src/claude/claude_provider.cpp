#include "claude/claude_provider.hpp"

#include <boost/json/parse.hpp>

namespace mcqgen::detail::claude {
namespace {

constexpr const char* messages_path = "/v1/messages";

CallFailure failure_of(const ApiResponse& response) {
    if (response.error == errc::ok) return {};
    return {response.error, response.message};
}

// The run's context for the call, or the whole document when it has none.
template <class Request> const std::string& context_of(const Request& request) {
    return request.context ? *request.context : *request.document;
}

} // namespace

ClaudeProvider::ClaudeProvider(boost::asio::io_context& io, Config config)
    : io_(io), config_(std::move(config)), author_(author_settings(config_.claude)),
      judge_(judge_settings(config_.claude)) {
    client(); // fail now on a bad URL or CA file, not on the first call
}

HttpsClient& ClaudeProvider::client() {
    // A cancelled client refuses new calls; the next run gets a fresh one. The old one's pending
    // handlers keep its internals alive until they have run.
    if (!client_) client_ = std::make_unique<HttpsClient>(io_, config_.http, config_.log);
    return *client_;
}

void ClaudeProvider::cancel() {
    if (!client_) return;
    client_->cancel();
    client_.reset();
}

template <class Result, class Parse>
void ClaudeProvider::call(const CallSettings& settings, std::string body, const char* tool,
                          Parse parse, std::function<void(Result)> done) {
    client().post(
        messages_path, std::move(body),
        [&settings, tool, parse = std::move(parse), done = std::move(done)](ApiResponse response) {
            Result result;
            Usage reported;
            if (auto failure = failure_of(response)) {
                result.failure = std::move(failure);
            } else if (auto reply = decode_reply(response.body, settings.mode, tool);
                       reply.failure) {
                result.failure = std::move(reply.failure);
                reported = reply.usage;
            } else {
                result = parse(reply.data);
                reported = reply.usage;
            }
            result.usage = reported;
            result.usage.requests = response.attempts;
            result.usage.estimated_cost_usd = estimate_cost(settings.claude, result.usage);
            result.call = CallInfo{response.request_id, response.status, response.attempts};
            done(std::move(result));
        });
}

void ClaudeProvider::write(const AuthorRequest& request, std::function<void(AuthorResult)> done) {
    call<AuthorResult>(
        author_,
        author_body(author_.claude, author_.mode, context_of(request), *request.passage,
                    request.count, request.style, request.steering),
        author_tool,
        [style = request.style](const boost::json::value& data) {
            return parse_candidates(data, style);
        },
        std::move(done));
}

void ClaudeProvider::warm_cache(const std::string& context, bool judge,
                                std::function<void(CacheResult)> done) {
    const CallSettings& settings = judge ? judge_ : author_;
    client().post(
        messages_path, cache_body(settings.claude, settings.mode, context),
        [&settings, done = std::move(done)](ApiResponse response) {
            CacheResult result;
            result.failure = failure_of(response);
            // A text answer cut at max_tokens is all it is: only its usage is read.
            if (!result.failure) {
                std::error_code ec;
                const auto message = boost::json::parse(response.body, ec);
                if (!ec) result.usage = read_usage(message);
            }
            result.usage.requests = response.attempts;
            result.usage.estimated_cost_usd = estimate_cost(settings.claude, result.usage);
            result.call = CallInfo{response.request_id, response.status, response.attempts};
            done(std::move(result));
        });
}

void ClaudeProvider::judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) {
    call<JudgeResult>(
        judge_,
        judge_body(judge_.claude, judge_.mode, context_of(request), *request.passage,
                   request.items),
        judge_tool,
        [items = request.items](const boost::json::value& data) {
            return parse_verdicts(data, items);
        },
        std::move(done));
}

} // namespace mcqgen::detail::claude
