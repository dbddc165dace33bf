// Placeholder until the docx reader lands.
#include "documents/readers.hpp"

#include <mcqgen/errors.hpp>

namespace mcqgen::detail {
Document read_docx(std::string_view, const ReadOptions&) {
    throw Error(errc::invalid_argument, "docx documents are not supported yet");
}
} // namespace mcqgen::detail
