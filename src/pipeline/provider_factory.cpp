#include "pipeline/provider_factory.hpp"

#include "offline/offline_provider.hpp"

namespace mcqgen::detail {

std::unique_ptr<Provider> make_provider(const Config& config, boost::asio::io_context& io) {
    if (config.online())
        throw Error(errc::invalid_argument, "the Claude provider is not built yet");
    return std::make_unique<offline::OfflineProvider>(io);
}

} // namespace mcqgen::detail
