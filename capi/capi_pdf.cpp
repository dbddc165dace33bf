// SPDX-License-Identifier: GPL-2.0-or-later
// Compiled into mcqgen_c only with the PDF component (MCQGEN_WITH_PDF), which links poppler:
// from the moment the library is loaded, every document entry point reads PDFs too.

#include <mcqgen/pdf.hpp>

namespace {
// The reader table enable_pdf() writes to is a function-local static, so this is safe to run
// during the library's static initialisation.
[[maybe_unused]] const bool pdf_enabled = (mcqgen::enable_pdf(), true);
} // namespace
