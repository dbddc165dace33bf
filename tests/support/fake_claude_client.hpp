#pragma once
// The client side of the fake Claude server (tests/fake_claude): server options with a key, and
// a Config that reaches the server and trusts its own certificate authority. Tests set what else
// they need (concurrency, timeouts, retries) on the result.

#include "fake_claude.hpp"

#include <mcqgen/config.hpp>

#include <chrono>
#include <string>

namespace test_support {

/// Options for a fake server that accepts `api_key` and waits `latency` before every answer.
inline fake_claude::Options fake_server_options(const std::string& api_key,
                                                std::chrono::milliseconds latency = {}) {
    fake_claude::Options options;
    options.api_key = api_key;
    options.latency = latency;
    return options;
}

/// A configuration that calls `server` with `api_key` over verified TLS.
inline mcqgen::Config fake_claude_config(const fake_claude::Server& server,
                                         const std::string& api_key) {
    mcqgen::Config config;
    config.http.api_key = api_key;
    config.http.base_url = server.base_url();
    config.http.ca_file = server.ca_file().string();
    return config;
}

} // namespace test_support
