// Placeholder until the epub reader lands.
#include "documents/readers.hpp"

#include <mcqgen/errors.hpp>

namespace mcqgen::detail {
Document read_epub(std::string_view, const ReadOptions&) {
    throw Error(errc::invalid_argument, "epub documents are not supported yet");
}
} // namespace mcqgen::detail
