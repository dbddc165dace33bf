#pragma once
// The text of an HTML or XHTML tree as a reader sees it, shared by the HTML and EPUB readers:
// headings, prose, list items, code and tables go to a DocumentBuilder; scripts, styles,
// navigation and other page furniture are left out.

#include "documents/xml_tree.hpp"

#include <mcqgen/document.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace mcqgen::detail {

struct HtmlWalkOptions {
    /// A web page's own furniture is left out: nav, aside, and header and footer outside an
    /// article, main or section. An EPUB chapter keeps its header (its title is there) and its
    /// asides (sidebars), but not its footnotes or its table of contents.
    bool web_page = true;
};

/// What the walk found besides the text, to tell a page of text from a script's shell.
struct HtmlTextStats {
    std::size_t text_bytes = 0;   ///< text given to the builder
    std::size_t scripts = 0;      ///< script elements
    std::size_t script_bytes = 0; ///< their inline code
};

/// Parses HTML bytes in the encoding their byte-order mark, <meta charset> or XML declaration
/// names, else UTF-8 when they are valid UTF-8, else windows-1252. `what` names the document in
/// messages ("the HTML page").
/// @throws Error(errc::invalid_argument) when elements nest too deep, or it cannot be parsed.
xml::DocPtr parse_html_bytes(std::string_view bytes, const std::string& what,
                             DocumentBuilder& builder);

/// Gives the visible text of `doc` to `builder`, block by block, h1–h6 as headings.
HtmlTextStats add_html_text(xmlDoc* doc, DocumentBuilder& builder,
                            const HtmlWalkOptions& options = {});

} // namespace mcqgen::detail
