#pragma once
// SPDX-License-Identifier: GPL-2.0-or-later
// The PDF reader that mcqgen::enable_pdf() installs (src/pdf/pdf_reader.cpp, poppler-cpp).

#include <mcqgen/document.hpp>

#include <string_view>

namespace mcqgen::detail {

/// The most pages a PDF may have.
inline constexpr int max_pdf_pages = 5000;

/// Reads a PDF (see mcqgen::enable_pdf()). Throws Error(errc::invalid_argument) for input that
/// is not a PDF, is damaged beyond repair, needs a password, has no text layer or is too big.
/// Thread-safe: each call has its own poppler document.
Document read_pdf(std::string_view bytes, const ReadOptions& options);

} // namespace mcqgen::detail
