// Fuzz target: the HTML reader on arbitrary bytes (any encoding, any markup).

#include "reader_checks.hpp"

#include "documents/readers.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::check_reader(&mcqgen::detail::read_html,
                       std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
