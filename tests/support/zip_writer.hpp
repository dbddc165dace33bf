#pragma once
// Builds zip archives (DOCX, EPUB) in memory with libzip, for tests and fuzz seeds: entries
// from strings, stored or deflated, in the order added, with a fixed time stamp so the bytes
// are the same on every run. Also rewrites a built zip's declared sizes, to make zip bombs
// whose headers lie. And two helpers of the reader tests: the message a document is refused
// with, and what a piece of code writes to stderr.

#include <mcqgen/mcqgen.hpp>

#include <zip.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test_support {

class ZipWriter {
  public:
    enum class Method { stored, deflated };

    ZipWriter& add(std::string name, std::string content, Method method = Method::deflated) {
        entries_.push_back(Entry{std::move(name), std::move(content), method});
        return *this;
    }

    /// The archive's bytes.
    std::string bytes() const {
        zip_error_t error;
        zip_error_init(&error);
        zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
        if (buffer == nullptr) fail("zip_source_buffer_create", error);
        zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
        if (archive == nullptr) {
            zip_source_free(buffer);
            fail("zip_open_from_source", error);
        }
        zip_source_keep(buffer); // read back after zip_close
        for (const auto& e : entries_) {
            zip_source_t* data = zip_source_buffer(archive, e.content.data(), e.content.size(), 0);
            const auto index = data == nullptr
                                   ? -1
                                   : zip_file_add(archive, e.name.c_str(), data, ZIP_FL_ENC_UTF_8);
            if (index < 0) {
                if (data != nullptr) zip_source_free(data);
                zip_discard(archive);
                zip_source_free(buffer);
                throw std::runtime_error("zip_file_add " + e.name + " failed");
            }
            const auto u = static_cast<zip_uint64_t>(index);
            zip_set_file_compression(archive, u,
                                     e.method == Method::stored ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 9);
            zip_file_set_mtime(archive, u, 1700000000, 0);
        }
        if (zip_close(archive) != 0) {
            zip_discard(archive);
            zip_source_free(buffer);
            throw std::runtime_error("zip_close failed");
        }
        std::string out = read_source(buffer);
        zip_source_free(buffer);
        return out;
    }

    void write(const std::filesystem::path& path) const {
        std::ofstream out(path, std::ios::binary);
        const auto data = bytes();
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out) throw std::runtime_error("cannot write " + path.string());
    }

  private:
    struct Entry {
        std::string name;
        std::string content;
        Method method;
    };

    [[noreturn]] static void fail(const char* what, zip_error_t& error) {
        const std::string message = std::string(what) + ": " + zip_error_strerror(&error);
        zip_error_fini(&error);
        throw std::runtime_error(message);
    }

    static std::string read_source(zip_source_t* source) {
        if (zip_source_open(source) < 0) throw std::runtime_error("zip_source_open failed");
        zip_source_seek(source, 0, SEEK_END);
        const auto size = zip_source_tell(source);
        zip_source_seek(source, 0, SEEK_SET);
        std::string out(static_cast<std::size_t>(size < 0 ? 0 : size), '\0');
        const auto n = zip_source_read(source, out.data(), out.size());
        zip_source_close(source);
        if (n < 0 || static_cast<std::size_t>(n) != out.size())
            throw std::runtime_error("zip_source_read failed");
        return out;
    }

    std::deque<Entry> entries_;
};

/// `zip` with the uncompressed size its local and central headers declare for `name` replaced
/// by `size` (as an entry whose header lies, or one that claims to unpack to gigabytes).
inline std::string with_declared_size(std::string zip, std::string_view name, std::uint32_t size) {
    auto put32 = [&](std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            zip[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
    };
    auto get16 = [&](std::size_t at) {
        return static_cast<std::size_t>(static_cast<unsigned char>(zip[at])) |
               static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 1])) << 8;
    };
    int patched = 0;
    // Local header: signature, name length at 26, name at 30, uncompressed size at 22.
    // Central header: signature, name length at 28, name at 46, uncompressed size at 24.
    for (std::size_t at = 0; at + 46 <= zip.size(); ++at) {
        if (zip.compare(at, 4, "PK\x03\x04") == 0 && zip.compare(at + 30, name.size(), name) == 0 &&
            get16(at + 26) == name.size()) {
            put32(at + 22, size);
            ++patched;
        } else if (zip.compare(at, 4, "PK\x01\x02") == 0 &&
                   zip.compare(at + 46, name.size(), name) == 0 && get16(at + 28) == name.size()) {
            put32(at + 24, size);
            ++patched;
        }
    }
    if (patched != 2) throw std::runtime_error("with_declared_size: no entry " + std::string(name));
    return zip;
}

/// An EPUB: the stored mimetype first, META-INF/container.xml naming OEBPS/content.opf, the
/// package `opf` and the `files` (archive path, content) as given.
inline std::string epub_bytes(const std::string& opf,
                              const std::vector<std::pair<std::string, std::string>>& files) {
    ZipWriter zip;
    zip.add("mimetype", "application/epub+zip", ZipWriter::Method::stored);
    zip.add("META-INF/container.xml",
            R"(<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>)");
    zip.add("OEBPS/content.opf", opf);
    for (const auto& [name, content] : files)
        zip.add(name, content);
    return zip.bytes();
}

/// A package document whose manifest lists `items` (id, href) as XHTML, in that order, and
/// whose spine reads `spine` (ids) in that order.
inline std::string opf_xml(const std::vector<std::pair<std::string, std::string>>& items,
                           const std::vector<std::string>& spine) {
    std::string opf = R"(<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">test-book</dc:identifier><dc:title>Test</dc:title>
  </metadata>
  <manifest>
)";
    for (const auto& [id, href] : items)
        opf += "    <item id=\"" + id + "\" href=\"" + href +
               "\" media-type=\"application/xhtml+xml\"/>\n";
    opf += "  </manifest>\n  <spine>\n";
    for (const auto& id : spine)
        opf += "    <itemref idref=\"" + id + "\"/>\n";
    opf += "  </spine>\n</package>\n";
    return opf;
}

/// An XHTML chapter with `body` as its body.
inline std::string xhtml(const std::string& body, const std::string& title = "Chapter") {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html xmlns=\"http://www.w3.org/1999/"
           "xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>" +
           title + "</title></head><body>" + body + "</body></html>";
}

/// A DOCX whose word/document.xml body is `body` (WordprocessingML with the w: prefix), with
/// `styles` as word/styles.xml when given.
inline std::string docx_bytes(const std::string& body, const std::string& styles = "") {
    const std::string ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/"
                           "main\"";
    ZipWriter zip;
    zip.add("[Content_Types].xml",
            R"(<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>)");
    zip.add("_rels/.rels",
            R"(<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>)");
    zip.add("word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                                 "<w:document " +
                                     ns + "><w:body>" + body + "</w:body></w:document>");
    if (!styles.empty())
        zip.add("word/styles.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<w:styles " + ns +
                                       ">" + styles + "</w:styles>");
    return zip.bytes();
}

/// The message `bytes` are refused with, or "" when they are read.
inline std::string refusal(std::string_view bytes, const mcqgen::ReadOptions& options = {}) {
    try {
        (void)mcqgen::Document::from_bytes(bytes, options);
    } catch (const mcqgen::Error& e) {
        return e.code_value() == mcqgen::errc::invalid_argument ? e.message()
                                                                : "wrong code: " + e.message();
    }
    return "";
}

/// What `f()` writes to the process's stderr (file descriptor 2).
template <class F> std::string stderr_of(F f) {
    std::fflush(stderr);
    std::FILE* capture = std::tmpfile();
    if (capture == nullptr) throw std::runtime_error("tmpfile failed");
    const int saved = ::dup(2);
    ::dup2(::fileno(capture), 2);
    try {
        f();
    } catch (...) {
        std::fflush(stderr);
        ::dup2(saved, 2);
        ::close(saved);
        std::fclose(capture);
        throw;
    }
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::string out;
    std::rewind(capture);
    for (int c = std::fgetc(capture); c != EOF; c = std::fgetc(capture))
        out += static_cast<char>(c);
    std::fclose(capture);
    return out;
}

} // namespace test_support
