#pragma once
// The built-in readers, one per format. Each takes the document's bytes (the caller has checked
// the size limit and sniffed the format) and returns a normalised Document built with
// DocumentBuilder. Each throws Error(errc::invalid_argument) with a message a user can act on
// ("the EPUB is DRM-protected (META-INF/encryption.xml lists its content)") and never stores,
// prints or keeps anything on failure.
//
// Threads: readers share no state; any number may run at once on different threads.

#include <mcqgen/document.hpp>

#include <string_view>

namespace mcqgen::detail {

/// The format of `bytes` by its content; `name_hint` (a file name) decides only between formats
/// the content cannot tell apart (plain text and Markdown).
DocumentFormat sniff_format(std::string_view bytes, std::string_view name_hint);

/// The bytes of a text file as UTF-8 (a BOM decides UTF-16), checked: not blank, no NUL, valid.
std::string text_of(std::string_view bytes);

Document read_text(std::string_view bytes, const ReadOptions& options);
Document read_markdown(std::string_view bytes, const ReadOptions& options);
Document read_html(std::string_view bytes, const ReadOptions& options);
Document read_docx(std::string_view bytes, const ReadOptions& options);
Document read_epub(std::string_view bytes, const ReadOptions& options);

} // namespace mcqgen::detail
