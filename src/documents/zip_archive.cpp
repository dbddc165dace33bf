// Reading zip containers from memory, within limits (see zip_archive.hpp).

#include "documents/zip_archive.hpp"

#include <mcqgen/errors.hpp>

#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace mcqgen::detail {
namespace {

std::uint64_t little_endian(std::string_view bytes, std::size_t at, int width) {
    std::uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i)
        value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    return value;
}

// The entry count the end-of-central-directory record declares (zip64 too), or nullopt when
// there is no such record to read; libzip then gives the precise error.
std::optional<std::uint64_t> declared_entries(std::string_view bytes) {
    constexpr std::size_t eocd_size = 22;
    if (bytes.size() < eocd_size) return std::nullopt;
    const std::size_t lowest =
        bytes.size() > 0xFFFF + eocd_size ? bytes.size() - 0xFFFF - eocd_size : 0;
    for (std::size_t at = bytes.size() - eocd_size + 1; at-- > lowest;) {
        if (bytes.compare(at, 4, "PK\x05\x06") != 0) continue;
        const auto count = little_endian(bytes, at + 10, 2);
        if (count != 0xFFFF) return count;
        // Zip64: a locator just before the record points to the zip64 record.
        if (at < 20 || bytes.compare(at - 20, 4, "PK\x06\x07") != 0) return std::nullopt;
        const auto record = little_endian(bytes, at - 20 + 8, 8);
        if (record > bytes.size() || bytes.size() - record < 56 ||
            bytes.compare(record, 4, "PK\x06\x06") != 0)
            return std::nullopt;
        return little_endian(bytes, record + 32, 8);
    }
    return std::nullopt;
}

std::string mib(std::uint64_t bytes) {
    if (bytes < (1u << 20)) return std::to_string(bytes) + " bytes";
    return std::to_string(bytes >> 20) + " MiB";
}

struct FileClose {
    void operator()(zip_file_t* file) const noexcept { zip_fclose(file); }
};

} // namespace

ZipArchive::ZipArchive(std::string_view bytes, const ReadOptions& limits, std::string kind)
    : limits_(limits), kind_(std::move(kind)) {
    if (const auto entries = declared_entries(bytes); entries && *entries > max_entries)
        fail("holds " + std::to_string(*entries) + " files, more than the limit of " +
             std::to_string(max_entries) + "; it may be a zip bomb");
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source != nullptr) {
        archive_ = zip_open_from_source(source, ZIP_RDONLY, &error);
        if (archive_ == nullptr) zip_source_free(source); // not taken over on failure
    }
    if (archive_ == nullptr) {
        const std::string reason = zip_error_strerror(&error);
        zip_error_fini(&error);
        fail("is damaged or truncated (its zip archive cannot be opened: " + reason + ")");
    }
    zip_error_fini(&error);
    const auto entries = zip_get_num_entries(archive_, 0);
    if (entries < 0 || static_cast<std::uint64_t>(entries) > max_entries) {
        zip_discard(archive_);
        archive_ = nullptr;
        fail("holds " + std::to_string(entries) + " files, more than the limit of " +
             std::to_string(max_entries) + "; it may be a zip bomb");
    }
}

ZipArchive::~ZipArchive() {
    if (archive_ != nullptr) zip_discard(archive_);
}

void ZipArchive::fail(const std::string& what) const {
    throw Error(errc::invalid_argument, "the " + kind_ + " file " + what);
}

std::optional<std::size_t> ZipArchive::locate(std::string_view name) const {
    const std::string key(name);
    auto index = zip_name_locate(archive_, key.c_str(), 0);
    if (index < 0) index = zip_name_locate(archive_, key.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return std::nullopt;
    return static_cast<std::size_t>(index);
}

bool ZipArchive::contains(std::string_view name) const {
    return locate(name).has_value();
}

std::optional<std::string> ZipArchive::read(std::string_view name) {
    const auto index = locate(name);
    if (!index) return std::nullopt;
    return read_index(*index, std::string(name));
}

std::string ZipArchive::read_index(std::size_t index, const std::string& name) {
    const std::string entry = "entry '" + name + "'";
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive_, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE))
        fail("is damaged (" + entry + " cannot be read)");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        fail("is password-protected (" + entry + " is encrypted); save an unprotected copy");
    if (st.size > limits_.max_entry_bytes)
        fail("has an " + entry + " that unpacks to " + mib(st.size) + ", over the limit of " +
             mib(limits_.max_entry_bytes) +
             " (ReadOptions::max_entry_bytes); it may be a zip bomb");
    const auto ratio = st.size / std::max<std::uint64_t>(st.comp_size, 1);
    if (st.size > ratio_floor && ratio > limits_.max_ratio)
        fail("has an " + entry + " compressed " + std::to_string(ratio) +
             ":1, more than the limit of " + std::to_string(limits_.max_ratio) +
             ":1 (ReadOptions::max_ratio); it may be a zip bomb");
    if (st.size > limits_.max_total_bytes - std::min(total_read_, limits_.max_total_bytes))
        fail("unpacks to more than " + mib(limits_.max_total_bytes) +
             " in all (ReadOptions::max_total_bytes); it may be a zip bomb");

    std::unique_ptr<zip_file_t, FileClose> file(zip_fopen_index(archive_, index, 0));
    if (!file) fail("is damaged (" + entry + " cannot be opened: " + zip_strerror(archive_) + ")");
    // Read no more than declared, then make sure nothing follows: the header may lie.
    std::string out(static_cast<std::size_t>(st.size), '\0');
    std::size_t have = 0;
    while (have < out.size()) {
        const auto n = zip_fread(file.get(), out.data() + have, out.size() - have);
        if (n < 0) fail("is damaged (" + entry + ": " + zip_file_strerror(file.get()) + ")");
        if (n == 0) fail("is damaged (" + entry + " is shorter than its header says)");
        have += static_cast<std::size_t>(n);
    }
    char probe = 0;
    const auto extra = zip_fread(file.get(), &probe, 1);
    if (extra > 0)
        fail("has an " + entry + " holding more than the " + mib(st.size) +
             " its header declares; it is damaged or a zip bomb");
    if (extra < 0) fail("is damaged (" + entry + ": " + zip_file_strerror(file.get()) + ")");
    total_read_ += out.size();
    return out;
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int high = text[i] == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
        const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
        if (low >= 0) {
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool has_scheme(std::string_view href) {
    const auto colon = href.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const auto first_slash = href.find('/');
    return first_slash == std::string_view::npos || colon < first_slash;
}

} // namespace

std::string resolve_path(std::string_view base_dir, std::string_view href) {
    href = href.substr(0, href.find_first_of("#?"));
    if (href.empty() || has_scheme(href)) return "";
    std::string joined;
    if (href.front() == '/') {
        joined = std::string(href.substr(1));
    } else {
        joined = std::string(base_dir) + std::string(href);
    }
    std::vector<std::string> parts;
    std::size_t at = 0;
    const auto path = percent_decoded(joined);
    while (at <= path.size()) {
        const auto end = std::min(path.find('/', at), path.size());
        const auto part = path.substr(at, end - at);
        if (part == "..") {
            if (parts.empty()) return "";
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        at = end + 1;
    }
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) out += '/';
        out += part;
    }
    return out;
}

std::string directory_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash + 1));
}

} // namespace mcqgen::detail
