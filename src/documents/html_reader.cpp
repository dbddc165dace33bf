// HTML pages: libxml2's lenient HTML parser, then the shared walk of html_text.cpp.

#include "documents/html_text.hpp"
#include "documents/readers.hpp"

#include <mcqgen/errors.hpp>

namespace mcqgen::detail {
namespace {

// A page is a script's shell when it has scripts and almost no text of its own: less than
// this much, and less than 1/50 of the file.
constexpr std::size_t shell_text_bytes = 1024;
constexpr std::size_t shell_text_share = 50;

bool script_shell(const HtmlTextStats& stats, std::size_t file_size) {
    return stats.scripts > 0 && stats.text_bytes < shell_text_bytes &&
           stats.text_bytes * shell_text_share < file_size;
}

} // namespace

Document read_html(std::string_view bytes, const ReadOptions&) {
    DocumentBuilder builder(DocumentFormat::html);
    const auto doc = parse_html_bytes(bytes, "the HTML page", builder);
    const auto stats = add_html_text(doc.get(), builder, HtmlWalkOptions{true});
    if (script_shell(stats, bytes.size()))
        throw Error(errc::invalid_argument,
                    "the HTML page has almost no text outside scripts (it is built by JavaScript "
                    "in the browser); save the rendered page or its article text");
    if (stats.text_bytes == 0)
        throw Error(errc::invalid_argument,
                    "the HTML page has no text (outside scripts, styles and navigation)");
    return std::move(builder).finish();
}

} // namespace mcqgen::detail
