#pragma once
// libxml2, used safely: parsers that never touch the network, never substitute entities, never
// load external DTDs and keep libxml2's default size limits; a guard that keeps libxml2 silent
// on the calling thread; and a depth-first walk of a tree without recursion.

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mcqgen::detail::xml {

struct DocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

/// libxml2's own limit on element nesting (xmlParserMaxDepth without XML_PARSE_HUGE), for XML
/// and HTML alike; deeper documents are refused. No real document comes near it, and it keeps
/// the HTML parser's work per misnested end tag small.
inline constexpr int max_depth = 256;

/// More markup errors than this stop the HTML parser: each misnested end tag costs it work in
/// proportion to the depth, and a page this broken is no longer a page.
inline constexpr std::size_t max_html_errors = 1000000;

/// While it lives, libxml2 reports nothing on this thread (no stderr); it keeps the first
/// error instead. libxml2's error handlers are per thread; the previous ones are restored.
class ErrorTrap {
  public:
    ErrorTrap();
    ~ErrorTrap();
    ErrorTrap(const ErrorTrap&) = delete;
    ErrorTrap& operator=(const ErrorTrap&) = delete;

    /// "line 3: Opening and ending tag mismatch: p and div", or "" when there was none.
    const std::string& first_error() const noexcept { return first_error_; }
    /// True when the parser stopped at max_depth.
    bool too_deep() const noexcept { return too_deep_; }
    /// Stops the parser reporting more than `limit` errors (0: never).
    void stop_after(std::size_t limit) noexcept { limit_ = limit; }
    bool stopped() const noexcept { return stopped_; }

  private:
    static void on_structured(void* self, xmlError* error);
    xmlStructuredErrorFunc previous_structured_;
    void* previous_structured_context_;
    xmlGenericErrorFunc previous_generic_;
    void* previous_generic_context_;
    std::string first_error_;
    bool too_deep_ = false;
    std::size_t errors_ = 0;
    std::size_t limit_ = 0;
    bool stopped_ = false;
};

/// The result of parsing: a tree, or why there is none.
struct Parsed {
    DocPtr doc;
    std::string error; ///< libxml2's reason when `doc` is null, or max-depth's
    bool too_deep = false;
    bool too_broken = false; ///< HTML: stopped after max_html_errors
};

/// Well-formed XML nested at most max_depth deep, or nothing.
Parsed parse_xml(std::string_view bytes);

/// HTML, leniently (as browsers do), the bytes being in `encoding` (a libxml2/iconv name);
/// the document's own charset declarations are ignored. Null only when nesting passes
/// max_depth or the input is too large for libxml2.
Parsed parse_html(std::string_view bytes, const char* encoding);

/// True when `encoding` is a character set libxml2 can convert from.
bool known_encoding(const std::string& encoding);

/// The element's name without prefix ("" for other nodes).
std::string_view local_name(const xmlNode* node) noexcept;

/// The element's namespace URI ("" when it has none).
std::string_view namespace_uri(const xmlNode* node) noexcept;

/// The attribute `name` (without namespace) or, given `ns`, `name` in that namespace.
std::optional<std::string> attribute(const xmlNode* node, const char* name,
                                     const char* ns = nullptr);

/// The first child element of `node` with local name `name`, or null.
xmlNode* child(const xmlNode* node, std::string_view name) noexcept;

/// The first element below `node` (itself included) with local name `name`, or null.
xmlNode* find(xmlNode* node, std::string_view name) noexcept;

/// The text of all text nodes below `node`.
std::string text_content(const xmlNode* node);

/// What an entity reference left in the tree stands for: a declared entity's plain text, or
/// an HTML entity (&nbsp; in XHTML whose DTD is not loaded); "" otherwise.
std::string entity_text(const xmlNode* reference);

/// Visits the nodes below `root` in document order without recursion. `visitor.enter(node)`
/// returns true to descend into an element; then `visitor.leave(node)` follows its children.
/// Only elements are descended into (entity references share their content elsewhere).
template <class Visitor> void walk(xmlNode* root, Visitor& visitor) {
    if (root == nullptr) return;
    xmlNode* node = root->children;
    while (node != nullptr) {
        const bool open = visitor.enter(node);
        if (open && node->type == XML_ELEMENT_NODE && node->children != nullptr) {
            node = node->children;
            continue;
        }
        if (open) visitor.leave(node);
        while (node->next == nullptr) {
            node = node->parent;
            if (node == nullptr || node == root) return;
            visitor.leave(node); // every ancestor below root was entered and opened
        }
        node = node->next;
    }
}

/// True when `predicate(node)` holds for some node below `root`, looking at no more than
/// `budget` nodes (false when the budget runs out first).
template <class Predicate> bool any_below(xmlNode* root, Predicate predicate, std::size_t budget) {
    if (root == nullptr) return false;
    xmlNode* node = root->children;
    while (node != nullptr && budget-- > 0) {
        if (predicate(node)) return true;
        if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
            node = node->children;
            continue;
        }
        while (node->next == nullptr) {
            node = node->parent;
            if (node == nullptr || node == root) return false;
        }
        node = node->next;
    }
    return false;
}

} // namespace mcqgen::detail::xml
