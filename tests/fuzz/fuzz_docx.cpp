// Fuzz target: the DOCX reader. The first byte chooses: even, the rest is the file's bytes (the
// zip layer); odd, the rest is word/document.xml's body, then (after \x1f) word/styles.xml's
// content, zipped here, so the mutations reach the XML.

#include "reader_checks.hpp"

#include "../support/zip_writer.hpp"
#include "documents/readers.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    if (in.byte() % 2 == 0) {
        fuzz::check_reader(&mcqgen::detail::read_docx, in.rest());
        return 0;
    }
    const auto body = in.field();
    const auto styles = in.field();
    fuzz::check_reader(&mcqgen::detail::read_docx, test_support::docx_bytes(body, styles));
    return 0;
}
