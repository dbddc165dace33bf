#include <mcqgen/document.hpp>
#include <mcqgen/errors.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>

namespace mcqgen {
namespace {

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

// Length of the UTF-8 sequence starting at `lead`, or 0 for a byte that cannot start one.
int sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
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

Document Document::from_text(std::string text) {
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    if (is_blank(text))
        throw Error(errc::invalid_argument, "the document is empty or only white space");
    if (text.find('\0') != std::string::npos)
        throw Error(errc::invalid_argument, "the document contains NUL bytes (binary data?)");
    if (!is_valid_utf8(text))
        throw Error(errc::invalid_argument, "the document is not valid UTF-8");
    return Document(std::move(text));
}

Document Document::from_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(errc::invalid_argument, "cannot read the document file " + path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw Error(errc::invalid_argument, "error reading " + path.string());
    try {
        return from_text(std::move(buffer).str());
    } catch (const Error& e) {
        throw Error(e.code_value(), path.string() + ": " + e.message());
    }
}

} // namespace mcqgen
