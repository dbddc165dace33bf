#pragma once
// Symbol visibility for the C++ library. Everything is hidden unless marked MCQGEN_API.
#if defined(_WIN32)
#define MCQGEN_API
#else
#define MCQGEN_API __attribute__((visibility("default")))
#endif
