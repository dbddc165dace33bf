#pragma once
// Reads structured values out of a fuzzer's byte string. A small stand-in for LLVM's
// FuzzedDataProvider, which only ships with clang: the replay build uses the normal compiler.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size)
        : bytes_(reinterpret_cast<const char*>(data), size) {}

    bool empty() const noexcept { return bytes_.empty(); }
    std::string_view rest() const noexcept { return bytes_; }

    /// One byte, or 0 once the input is used up.
    std::uint8_t byte() {
        if (bytes_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(bytes_.front());
        bytes_.remove_prefix(1);
        return b;
    }

    /// An integer in [low, high] from up to four bytes.
    int integer(int low, int high) {
        std::uint32_t value = 0;
        for (int i = 0; i < 4 && !bytes_.empty(); ++i)
            value = (value << 8) | byte();
        const auto span = static_cast<std::uint64_t>(high - low) + 1;
        return low + static_cast<int>(value % span);
    }

    std::uint64_t u64() {
        std::uint64_t value = 0;
        for (int i = 0; i < 8 && !bytes_.empty(); ++i)
            value = (value << 8) | byte();
        return value;
    }

    /// Bytes up to the next `separator` (dropped) or the end.
    std::string field(char separator = '\x1f') {
        const auto end = bytes_.find(separator);
        std::string out(bytes_.substr(0, end));
        bytes_.remove_prefix(end == std::string_view::npos ? bytes_.size() : end + 1);
        return out;
    }

  private:
    std::string_view bytes_;
};

/// Reports a broken invariant the way a sanitizer reports a bug: loudly, then abort().
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
    std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
    std::abort();
}

} // namespace fuzz

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) ::fuzz::fail(#condition, __FILE__, __LINE__);                            \
    } while (false)
