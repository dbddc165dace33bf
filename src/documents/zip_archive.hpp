#pragma once
// A zip container (DOCX, EPUB) read from memory with libzip, against zip bombs: every entry's
// declared size and compression ratio are checked before it is read, the sum of what is read
// is capped, reading stops at the declared size even when the header lies, and an archive with
// too many entries is refused before libzip reads its directory.

#include <mcqgen/document.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct zip;

namespace mcqgen::detail {

class ZipArchive {
  public:
    /// More entries than this are refused (real DOCX and EPUB files hold tens to hundreds).
    static constexpr std::size_t max_entries = 10000;
    /// The compression ratio is only checked for entries larger than this: small files of
    /// repetitive XML compress well, and only large ones can exhaust memory.
    static constexpr std::size_t ratio_floor = 1u << 20;

    /// Opens the archive in `bytes`, which must outlive it; `kind` ("DOCX") names the file in
    /// messages. The limits are ReadOptions' max_entry_bytes, max_total_bytes and max_ratio.
    /// @throws Error(errc::invalid_argument) when it is damaged or has too many entries.
    ZipArchive(std::string_view bytes, const ReadOptions& limits, std::string kind);
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    bool contains(std::string_view name) const;

    /// The entry's content, or nullopt when there is none of that name (looked up exactly,
    /// then ignoring case).
    /// @throws Error(errc::invalid_argument) over a limit, or when the entry is damaged or
    ///         encrypted.
    std::optional<std::string> read(std::string_view name);

  private:
    std::optional<std::size_t> locate(std::string_view name) const;
    std::string read_index(std::size_t index, const std::string& name);
    [[noreturn]] void fail(const std::string& what) const;

    ::zip* archive_ = nullptr;
    ReadOptions limits_;
    std::string kind_;
    std::size_t total_read_ = 0;
};

/// The archive path `href` (a URI reference, percent-encoded) names from inside `base_dir`
/// ("OEBPS/", "" for the root): fragment dropped, "." and ".." resolved, a leading "/" meaning
/// the root. "" when it names something outside the archive (a scheme, or above the root).
std::string resolve_path(std::string_view base_dir, std::string_view href);

/// The directory part of an archive path, with its trailing "/" ("" for the root).
std::string directory_of(std::string_view path);

} // namespace mcqgen::detail
