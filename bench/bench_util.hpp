#pragma once
// Small helpers shared by the bench programs: command-line flags, process CPU time and memory
// from the kernel, open sockets, percentiles.

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace bench {

/// `--name value` pairs and bare `--flag`s. Flags are declared up front so that a value is never
/// mistaken for one.
class Args {
  public:
    Args(int argc, char** argv, std::set<std::string> flags) : flags_(std::move(flags)) {
        for (int i = 1; i < argc; ++i) {
            const std::string name = argv[i];
            if (!name.starts_with("--")) throw std::invalid_argument("unexpected " + name);
            if (flags_.contains(name)) {
                values_[name] = "1";
            } else if (i + 1 < argc) {
                values_[name] = argv[++i];
            } else {
                throw std::invalid_argument(name + ": missing value");
            }
        }
    }

    bool flag(const std::string& name) const { return values_.contains(name); }

    std::string text(const std::string& name, std::string fallback = {}) const {
        const auto found = values_.find(name);
        return found == values_.end() ? fallback : found->second;
    }

    std::string required(const std::string& name) const {
        const auto found = values_.find(name);
        if (found == values_.end()) throw std::invalid_argument(name + " is required");
        return found->second;
    }

    long long number(const std::string& name, long long fallback) const {
        const auto found = values_.find(name);
        if (found == values_.end()) return fallback;
        long long value = 0;
        const auto& text = found->second;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size())
            throw std::invalid_argument(name + ": not a number: " + text);
        return value;
    }

  private:
    std::set<std::string> flags_;
    std::map<std::string, std::string> values_;
};

/// User plus system CPU time of the whole process (every thread), in seconds.
inline double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Peak resident set size of this process so far, in KiB (getrusage's ru_maxrss).
inline long max_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/// A field of /proc/self/status in KiB (VmRSS, VmHWM...), or -1.
inline long proc_status_kib(std::string_view field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
            return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    return -1;
}

/// File descriptors of this process that are sockets.
inline int open_sockets() {
    int sockets = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        std::error_code link_ec;
        const auto target = std::filesystem::read_symlink(entry.path(), link_ec);
        if (!link_ec && target.native().starts_with("socket:")) ++sockets;
    }
    return sockets;
}

/// Nearest-rank percentile (p in 0..100) of `values`; 0 for an empty set.
inline double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * values.size()));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

inline double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

} // namespace bench
