#pragma once
// Errors: one family of exceptions carrying a stable code.
//
// The numeric values of `errc` are part of the ABI (the C API returns their negation):
// codes are appended, never renumbered or reused.

#include <mcqgen/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace mcqgen {

enum class errc {
    ok = 0,
    invalid_argument = 1, ///< bad input from the caller: document, count, configuration
    storage = 2,          ///< the storage adapter failed (unwritable, corrupt, locked, foreign)
    network = 3,          ///< connect/read/write failed, connection reset
    tls = 4,              ///< TLS handshake or certificate verification failed
    auth = 5,             ///< the API refused the key (401/403)
    rate_limited = 6,     ///< 429 that retries could not get past
    server = 7,           ///< 5xx / 529 that retries could not get past
    timeout = 8,          ///< a connect, handshake or request deadline passed
    cancelled = 9,        ///< the caller cancelled the run
    bad_response = 10,    ///< the API answered something that breaks the contract
    internal = 11,        ///< a bug in mcqgen
    not_found = 12,       ///< no test with that id in the storage
    busy = 13,            ///< the Generator is already running a generation
};

/// Number of codes: every `errc` value lies in [0, errc_count).
inline constexpr int errc_count = 14;

/// The error category of `errc`; `name()` is "mcqgen".
MCQGEN_API const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Stable lower-case name of a code ("invalid_argument", "rate_limited", ...); "unknown" for a
/// value outside the table.
MCQGEN_API std::string_view to_string(errc e) noexcept;

/// The code with this name (as to_string gives it), or nothing.
MCQGEN_API std::optional<errc> errc_from_string(std::string_view name) noexcept;

/// The code for an integer, or nothing when it is outside [0, errc_count).
MCQGEN_API std::optional<errc> errc_from_int(int value) noexcept;

/// The exception thrown by the blocking C++ API. `what()` says what failed and why; it never
/// contains the API key.
class MCQGEN_API Error : public std::system_error {
  public:
    Error(errc code, const std::string& message);
    errc code_value() const noexcept { return static_cast<errc>(code().value()); }
    /// The message without the category prefix that std::system_error adds.
    const std::string& message() const noexcept { return message_; }

  private:
    std::string message_;
};

} // namespace mcqgen

template <> struct std::is_error_code_enum<mcqgen::errc> : std::true_type {};
