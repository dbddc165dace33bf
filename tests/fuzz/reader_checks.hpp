#pragma once
// What the HTML, DOCX and EPUB fuzz targets check of every reading: a Document that holds
// together, or an Error(errc::invalid_argument); anything else aborts.

#include "fuzz_input.hpp"

#include <mcqgen/mcqgen.hpp>

#include <string_view>

namespace fuzz {

inline void check_document(const mcqgen::Document& doc) {
    const auto& text = doc.text();
    FUZZ_CHECK(!doc.blocks().empty());
    FUZZ_CHECK(mcqgen::is_valid_utf8(text));
    std::size_t previous_end = 0;
    for (const auto& b : doc.blocks()) {
        FUZZ_CHECK(b.begin >= previous_end && b.begin < b.end && b.end <= text.size());
        FUZZ_CHECK(b.section >= -1 && b.section < static_cast<int>(doc.sections().size()));
        previous_end = b.end;
    }
    for (const auto& s : doc.sections())
        FUZZ_CHECK(!s.path.empty());
    (void)doc.cite(0, 1);
    const auto restored = mcqgen::Document::restore(text, doc.layout());
    FUZZ_CHECK(restored.blocks().size() == doc.blocks().size());
}

/// Runs `read(bytes, options)` with small zip limits, so inputs stay quick.
template <class Read> void check_reader(Read read, std::string_view bytes) {
    mcqgen::ReadOptions options;
    options.max_entry_bytes = 1u << 20;
    options.max_total_bytes = 4u << 20;
    try {
        check_document(read(bytes, options));
    } catch (const mcqgen::Error& e) {
        FUZZ_CHECK(e.code_value() == mcqgen::errc::invalid_argument);
        FUZZ_CHECK(!e.message().empty());
    }
}

} // namespace fuzz
