#pragma once
// Wall-clock time stamps and fresh identifiers for records.

#include <chrono>
#include <optional>
#include <string>

namespace mcqgen::detail {

/// Now, as RFC 3339 UTC with milliseconds: "2026-11-28T10:35:47.123Z" (sorts as text).
std::string now_rfc3339();

/// `when` in the form of now_rfc3339().
std::string rfc3339(std::chrono::system_clock::time_point when);

/// The time of an RFC 3339 UTC stamp ("2026-11-28T10:35:47.123Z", fractions ignored), or
/// nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

/// A random UUID (version 4) in its canonical text form.
std::string random_uuid();

/// A random non-zero 64-bit seed.
unsigned long long random_seed();

} // namespace mcqgen::detail
