// Telling formats apart by their first bytes; a file name decides only text against Markdown.

#include "core/text.hpp"
#include "documents/readers.hpp"

#include <mcqgen/errors.hpp>

#include <algorithm>
#include <cctype>
#include <string>

namespace mcqgen::detail {
namespace {

bool has_extension(std::string_view name, std::initializer_list<std::string_view> extensions) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return false;
    const auto ext = lower(name.substr(dot + 1));
    return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

// Formats we recognise only to refuse them with a useful message.
void refuse_known_binaries(std::string_view head) {
    auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
    if (starts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
        throw Error(errc::invalid_argument, "the document is a legacy Office file (.doc, .ppt or "
                                            ".xls); save it as DOCX or PDF first");
    if (starts("\x89PNG") || starts("\xFF\xD8\xFF") || starts("GIF8") || starts("II*\0") ||
        starts("MM\0*"))
        throw Error(errc::invalid_argument,
                    "the document is an image; it needs OCR (for example with tesseract) first");
    if (starts("{\\rtf"))
        throw Error(errc::invalid_argument, "the document is RTF; save it as DOCX or text first");
}

// A name that promises a binary format the content does not have: say so rather than read
// the bytes as text.
void refuse_misnamed(std::string_view name) {
    for (const std::string_view ext : {"pdf", "docx", "epub"})
        if (has_extension(name, {ext}))
            throw Error(
                errc::invalid_argument,
                "the file is named ." + std::string(ext) + " but its content is not " +
                    (ext == "pdf" ? "a PDF (no %PDF- header)" : "a zip archive (no PK header)") +
                    ": it is damaged, truncated or misnamed");
}

DocumentFormat sniff_zip(std::string_view bytes) {
    // EPUB's first entry is an uncompressed "mimetype" file (its name at offset 30).
    if (bytes.size() > 38 && bytes.substr(30, 8) == "mimetype" &&
        bytes.substr(38, 64).find("application/epub+zip") != std::string_view::npos)
        return DocumentFormat::epub;
    // Entry names are stored in plain text in the central directory.
    if (bytes.find("word/document.xml") != std::string_view::npos) return DocumentFormat::docx;
    if (bytes.find("META-INF/container.xml") != std::string_view::npos) return DocumentFormat::epub;
    throw Error(errc::invalid_argument,
                "the document is a zip archive but neither DOCX nor EPUB (no word/document.xml, "
                "no META-INF/container.xml), or it is damaged or truncated");
}

// The ASCII of the first bytes of UTF-16 text (every other byte), enough to see markup.
std::string utf16_head(std::string_view bytes, bool big_endian) {
    std::string out;
    for (std::size_t i = 2 + (big_endian ? 1 : 0); i < bytes.size() && out.size() < 1024; i += 2)
        out += bytes[i];
    return out;
}

bool looks_like_html(std::string_view head) {
    const auto text = lower(head);
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || text[start] != '<') return false;
    // Whole pages, and fragments saved from one (they open with a block or head element).
    for (const char* opening : {"<!doctype html",
                                "<html",
                                "<head",
                                "<body",
                                "<div",
                                "<p>",
                                "<p ",
                                "<h1",
                                "<h2",
                                "<h3",
                                "<article",
                                "<section",
                                "<main",
                                "<table",
                                "<ul",
                                "<ol",
                                "<meta",
                                "<title",
                                "<link",
                                "<style",
                                "<script"})
        if (text.compare(start, std::char_traits<char>::length(opening), opening) == 0) return true;
    const bool prolog = text.compare(start, 5, "<?xml") == 0 || text.compare(start, 4, "<!--") == 0;
    return prolog && text.find("<html") != std::string::npos;
}

// ATX headings and code fences at line starts, in the first 64 KiB.
bool looks_like_markdown(std::string_view text) {
    text = text.substr(0, 64 << 10);
    int headings = 0, fences = 0;
    for (std::size_t at = 0; at < text.size();) {
        const auto end = std::min(text.find('\n', at), text.size());
        const auto line = text.substr(at, end - at);
        const auto hashes = line.find_first_not_of('#');
        if (hashes >= 1 && hashes <= 6 && hashes < line.size() && line[hashes] == ' ') ++headings;
        if (line.substr(0, 3) == "```" || line.substr(0, 3) == "~~~") ++fences;
        at = end + 1;
    }
    return headings >= 2 || fences >= 2;
}

} // namespace

DocumentFormat sniff_format(std::string_view bytes, std::string_view name_hint) {
    const auto head = bytes.substr(0, 1024);
    if (head.find("%PDF-") != std::string_view::npos) return DocumentFormat::pdf;
    if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return sniff_zip(bytes);
    refuse_known_binaries(head);
    refuse_misnamed(name_hint);
    if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF")
        return looks_like_html(utf16_head(bytes, bytes[0] == '\xFE')) ? DocumentFormat::html
                                                                      : DocumentFormat::text;
    auto text = bytes;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (looks_like_html(text.substr(0, 1024)) ||
        (has_extension(name_hint, {"html", "htm", "xhtml"}) &&
         text.find_first_not_of(" \t\r\n") != std::string_view::npos &&
         text[text.find_first_not_of(" \t\r\n")] == '<'))
        return DocumentFormat::html;
    if (has_extension(name_hint, {"md", "markdown", "mdown", "mkd"}))
        return DocumentFormat::markdown;
    if (has_extension(name_hint, {"txt", "text"})) return DocumentFormat::text;
    return looks_like_markdown(text) ? DocumentFormat::markdown : DocumentFormat::text;
}

} // namespace mcqgen::detail
