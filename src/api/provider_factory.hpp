#pragma once
// Picks the provider a configuration asks for: Claude when a key is set, offline otherwise.

#include "provider/provider.hpp"

#include <mcqgen/config.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>

namespace mcqgen::detail {

std::unique_ptr<Provider> make_provider(const Config& config, boost::asio::io_context& io);

} // namespace mcqgen::detail
