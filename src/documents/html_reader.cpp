// Placeholder until the html reader lands.
#include "documents/readers.hpp"

#include <mcqgen/errors.hpp>

namespace mcqgen::detail {
Document read_html(std::string_view, const ReadOptions&) {
    throw Error(errc::invalid_argument, "html documents are not supported yet");
}
} // namespace mcqgen::detail
