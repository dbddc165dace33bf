#pragma once
// Wall-clock time stamps and fresh identifiers for records.

#include <string>

namespace mcqgen::detail {

/// Now, as RFC 3339 UTC with milliseconds: "2026-11-28T10:35:47.123Z" (sorts as text).
std::string now_rfc3339();

/// A random UUID (version 4) in its canonical text form.
std::string random_uuid();

/// A random non-zero 64-bit seed.
unsigned long long random_seed();

} // namespace mcqgen::detail
