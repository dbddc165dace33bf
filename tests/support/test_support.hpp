#pragma once
// Small helpers shared by the C++ tests: temporary directories and sample documents.

#include <mcqgen/mcqgen.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>

namespace test_support {

/// A fresh directory, removed with everything in it when the object goes away.
class TempDir {
  public:
    TempDir() {
        static std::atomic<int> counter{0};
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("mcqgen-test-" + std::to_string(random()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline std::filesystem::path sample_path(const std::string& name = "indian_constitution.txt") {
    return std::filesystem::path(MCQGEN_SAMPLES_DIR) / name;
}

inline mcqgen::Document sample_document(const std::string& name = "indian_constitution.txt") {
    return mcqgen::Document::from_file(sample_path(name));
}

inline mcqgen::Document short_document() {
    return mcqgen::Document::from_file(std::filesystem::path(MCQGEN_TEST_DATA_DIR) / "short.txt");
}

/// An offline configuration with a fixed seed.
inline mcqgen::Config offline_config(std::uint64_t seed = 42) {
    mcqgen::Config config;
    config.pipeline.offline = true;
    config.pipeline.seed = seed;
    return config;
}

/// Collapses white space runs (for verbatim-quote checks in tests).
/// The code of the mcqgen::Error `action` throws (its message into `message` when given), or
/// errc::ok when it throws none.
inline mcqgen::errc error_of(const std::function<void()>& action, std::string* message = nullptr) {
    try {
        action();
    } catch (const mcqgen::Error& e) {
        if (message) *message = e.message();
        return e.code_value();
    }
    return mcqgen::errc::ok;
}

inline std::string squash(const std::string& text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

} // namespace test_support
