#pragma once
// A source document: UTF-8 text, validated on construction.

#include <mcqgen/export.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace mcqgen {

class MCQGEN_API Document {
  public:
    /// Takes the text of a document.
    /// @throws Error(errc::invalid_argument) when the text is empty or only white space, is not
    ///         valid UTF-8, or contains NUL bytes (binary data).
    static Document from_text(std::string text);

    /// Reads a document from a file (UTF-8; a leading byte-order mark is dropped).
    /// @throws Error(errc::invalid_argument) when the file cannot be read or its content is not
    ///         acceptable text (as for from_text).
    static Document from_file(const std::filesystem::path& path);

    const std::string& text() const noexcept { return text_; }

  private:
    explicit Document(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

/// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
MCQGEN_API bool is_valid_utf8(std::string_view bytes) noexcept;

} // namespace mcqgen
