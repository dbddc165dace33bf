// Plain text: UTF-8, or UTF-16 with a byte-order mark; form feeds separate pages.

#include "core/text.hpp"
#include "documents/readers.hpp"

#include <mcqgen/errors.hpp>

#include <string>

namespace mcqgen {
namespace {

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
}

// Length of the UTF-8 sequence starting at `lead`, or 0 for a byte that cannot start one.
int sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

std::string from_utf16(std::string_view bytes, bool big_endian) {
    if (bytes.size() % 2 != 0)
        throw Error(errc::invalid_argument, "the UTF-16 document has an odd number of bytes");
    auto unit = [&](std::size_t i) {
        const auto a = static_cast<unsigned char>(bytes[i]);
        const auto b = static_cast<unsigned char>(bytes[i + 1]);
        return static_cast<char32_t>(big_endian ? (a << 8) | b : (b << 8) | a);
    };
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        char32_t cp = unit(i);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < bytes.size()) {
            const char32_t low = unit(i + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 2;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            throw Error(errc::invalid_argument, "the UTF-16 document has an unpaired surrogate");
        detail::append_utf8(cp, out);
    }
    return out;
}

// The text as UTF-8: byte-order marks decide the encoding, and are dropped.
std::string decode(std::string_view bytes) {
    if (bytes.substr(0, 2) == "\xFF\xFE") return from_utf16(bytes.substr(2), false);
    if (bytes.substr(0, 2) == "\xFE\xFF") return from_utf16(bytes.substr(2), true);
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    return std::string(bytes);
}

} // namespace

bool is_valid_utf8(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
        const int n = sequence_length(*p);
        if (n == 0 || end - p < n) return false;
        for (int i = 1; i < n; ++i)
            if ((p[i] & 0xC0) != 0x80) return false;
        // Reject overlong forms, UTF-16 surrogates and code points past U+10FFFF.
        if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F)))
            return false;
        if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F)))
            return false;
        p += n;
    }
    return true;
}

namespace detail {

std::string text_of(std::string_view bytes) {
    auto text = decode(bytes);
    if (is_blank(text))
        throw Error(errc::invalid_argument, "the document is empty or only white space");
    if (text.find('\0') != std::string::npos)
        throw Error(errc::invalid_argument, "the document contains NUL bytes (binary data?)");
    if (!is_valid_utf8(text))
        throw Error(errc::invalid_argument, "the document is not valid UTF-8");
    return text;
}

Document read_text(std::string_view bytes, const ReadOptions&) {
    const auto text = text_of(bytes);
    DocumentBuilder builder(DocumentFormat::text);
    // Form feeds are page breaks (as pdftotext and man write them); their pages are not cited,
    // but their running headers and footers go.
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find('\f', start), text.size());
        builder.page(std::string_view(text).substr(start, end - start), {}, false);
        start = end + 1;
    }
    return std::move(builder).finish();
}

} // namespace detail
} // namespace mcqgen
