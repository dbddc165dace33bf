// The one character-level normalisation every reader and the quote check share.
//
// No ICU here: NFC/NFKC in full would need it. The explicit table below covers what real
// documents bring (PDF ligatures, soft hyphens, zero-width joiners, exotic spaces).

#include "core/text.hpp"

#include <mcqgen/document.hpp>

#include <cstdint>

namespace mcqgen {
namespace {

// Decodes one UTF-8 sequence at `i` (advancing it). A malformed one decodes as U+FFFD and
// advances by one byte, so whatever a reader passes in, the text that comes out is valid UTF-8.
char32_t decode(std::string_view s, std::size_t& i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const int n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > s.size() || !is_valid_utf8(s.substr(i, static_cast<std::size_t>(n)))) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = n == 1 ? lead : lead & (0x7F >> n);
    for (int k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    return cp;
}

// The Alphabetic Presentation Forms ligatures, U+FB00..U+FB06.
const char* ligature(char32_t cp) {
    static const char* const letters[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};
    return cp >= 0xFB00 && cp <= 0xFB06 ? letters[cp - 0xFB00] : nullptr;
}

bool invisible(char32_t cp) {
    return cp == 0x00AD                      // soft hyphen
           || (cp >= 0x200B && cp <= 0x200D) // zero-width space, non-joiner, joiner
           || cp == 0x2060 || cp == 0xFEFF   // word joiner, byte-order mark
           || (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F);
}

bool exotic_space(char32_t cp) {
    return cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

} // namespace

std::string normalize_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '\r') { // CRLF and lone CR both end a line
            out += '\n';
            i += i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
            continue;
        }
        const auto start = i;
        const char32_t cp = decode(text, i);
        if (const char* letters = ligature(cp)) {
            out += letters;
        } else if (cp == 0x2028 || cp == 0x2029) {
            out += '\n';
        } else if (exotic_space(cp)) {
            out += ' ';
        } else if (cp == 0xFFFD) {
            detail::append_utf8(cp, out); // also stands for a malformed sequence
        } else if (!invisible(cp)) {
            out.append(text.substr(start, i - start));
        }
    }
    return out;
}

} // namespace mcqgen
