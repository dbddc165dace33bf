// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the PDF reader (poppler-cpp, hence the licence) on arbitrary bytes.
//
// Any input either becomes a Document or is refused with errc::invalid_argument; a Document's
// text is valid UTF-8, its pages and blocks lie inside the text in order, and citing any of them
// works. Seeds (corpus/pdf/) are small PDFs from tests/support/pdf_writer.hpp: a book with a
// running header and footer, two columns with an outline and page labels, a ligature, a
// hyphenated word across a page break, a scan page, and damaged and encrypted variants.

#include "fuzz_input.hpp"

#include "pdf/pdf_reader.hpp"

#include <mcqgen/errors.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace {

using namespace mcqgen;

std::optional<Document> read(std::string_view bytes) {
    try {
        return detail::read_pdf(bytes, ReadOptions{});
    } catch (const Error& e) {
        FUZZ_CHECK(e.code_value() == errc::invalid_argument);
        FUZZ_CHECK(!e.message().empty());
        return std::nullopt;
    }
}

void check_layout(const Document& document) {
    const auto size = document.text().size();
    FUZZ_CHECK(is_valid_utf8(document.text()));
    FUZZ_CHECK(document.format() == DocumentFormat::pdf);
    std::size_t previous = 0;
    for (const auto& block : document.blocks()) {
        FUZZ_CHECK(block.begin >= previous && block.begin <= block.end && block.end <= size);
        FUZZ_CHECK(block.section < static_cast<int>(document.sections().size()));
        previous = block.end;
        (void)document.cite(block.begin, block.end);
    }
    int number = 0;
    for (const auto& page : document.pages()) {
        FUZZ_CHECK(page.number > number && page.number <= detail::max_pdf_pages);
        FUZZ_CHECK(page.begin <= page.end && page.end <= size);
        number = page.number;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (const auto document = read(bytes)) check_layout(*document);
    return 0;
}
