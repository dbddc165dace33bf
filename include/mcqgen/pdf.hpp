#pragma once
// SPDX-License-Identifier: GPL-2.0-or-later
//
// mcqgen::pdf — reading PDF documents, through poppler-cpp.
//
// Licence: this component links poppler, which is GPL-2.0-or-later, so it is GPL-2.0-or-later
// too, and so is any program that links it (mcqgen itself is MIT). A program that must stay
// permissive links mcqgen::mcqgen alone (or builds with -DMCQGEN_WITH_PDF=OFF) and converts PDFs
// to text first, e.g. with pdftotext.
//
//   #include <mcqgen/pdf.hpp>
//   mcqgen::enable_pdf();                                  // once, anywhere, any thread
//   auto doc = mcqgen::Document::from_file("chapter3.pdf"); // now reads PDFs
//
// CMake: find_package(mcqgen) and target_link_libraries(app PRIVATE mcqgen::pdf).

#include <mcqgen/document.hpp>

// Symbol visibility, as include/mcqgen/export.hpp does for the core: everything hidden unless
// marked MCQGEN_PDF_API; the library is static or shared as BUILD_SHARED_LIBS says.
#if defined(_WIN32)
#define MCQGEN_PDF_API
#else
#define MCQGEN_PDF_API __attribute__((visibility("default")))
#endif

namespace mcqgen {

/// Installs the PDF reader, so that Document::from_bytes and from_file read PDFs: text in
/// reading order (columns one after the other), page labels and printed page numbers, sections
/// from the PDF's bookmarks. ReadOptions::password opens an encrypted PDF. Scanned PDFs (no text
/// layer) are refused with a message that says to run OCR first. poppler's diagnostics go to the
/// document's warnings, never to stderr.
///
/// Idempotent and thread-safe; call it before the first PDF is read.
MCQGEN_PDF_API void enable_pdf();

} // namespace mcqgen
