#pragma once
// The Claude provider: author and judge through the Messages API, on the generator's
// io_context, over one pooled HTTPS client.

#include "claude/https_client.hpp"
#include "claude/messages.hpp"
#include "provider/provider.hpp"

#include <mcqgen/config.hpp>

#include <memory>

namespace mcqgen::detail::claude {

class ClaudeProvider final : public Provider {
  public:
    /// @throws Error(errc::invalid_argument / errc::tls) for a bad base URL or CA file.
    ClaudeProvider(boost::asio::io_context& io, Config config);

    void write(const AuthorRequest& request, std::function<void(AuthorResult)> done) override;
    void judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) override;
    std::string name() const override { return "claude:" + config_.claude.model; }
    void cancel() override;
    bool warms_cache() const override { return true; }
    bool judge_caches_apart() const override { return judge_.claude.model != author_.claude.model; }
    void warm_cache(const std::string& context, bool judge,
                    std::function<void(CacheResult)> done) override;

  private:
    HttpsClient& client();
    /// One Messages call: post, decode the reply, parse its payload, account for usage.
    template <class Result, class Parse>
    void call(const CallSettings& settings, std::string body, const char* tool, Parse parse,
              std::function<void(Result)> done);

    boost::asio::io_context& io_;
    Config config_;
    CallSettings author_;
    CallSettings judge_;
    std::unique_ptr<HttpsClient> client_;
};

} // namespace mcqgen::detail::claude
