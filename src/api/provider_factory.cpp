#include "api/provider_factory.hpp"

#include "claude/batch_provider.hpp"
#include "claude/claude_provider.hpp"
#include "offline/offline_provider.hpp"

namespace mcqgen::detail {

std::unique_ptr<Provider> make_provider(const Config& config, boost::asio::io_context& io) {
    if (config.online() && config.batch.enabled)
        return std::make_unique<claude::BatchProvider>(io, config);
    if (config.online()) return std::make_unique<claude::ClaudeProvider>(io, config);
    return std::make_unique<offline::OfflineProvider>();
}

} // namespace mcqgen::detail
