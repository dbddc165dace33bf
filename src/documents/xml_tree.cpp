// libxml2 with safe options and no output of its own (see xml_tree.hpp).

#include "documents/xml_tree.hpp"

#include "core/text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <cstring>
#include <mutex>

namespace mcqgen::detail::xml {
namespace {

// No XML_PARSE_NOENT (entity substitution: billion laughs, XXE), no XML_PARSE_DTDLOAD (external
// DTDs), no XML_PARSE_HUGE (it lifts the limits on text size and depth).
constexpr int xml_options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
// No HTML_PARSE_NOBLANKS: it would drop the spaces between inline elements.
constexpr int html_options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC;

void init_once() {
    // xmlInitParser is not reentrant: call it once before any thread parses.
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
}

void ignore_generic(void*, const char*, ...) {}

struct ParserFree {
    void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};
using ParserPtr = std::unique_ptr<xmlParserCtxt, ParserFree>;

std::string reason(const xmlError* error) {
    if (error == nullptr || error->message == nullptr) return "";
    std::string message = error->message;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return "line " + std::to_string(error->line) + ": " + message;
}

std::string too_deep_message() {
    return "elements are nested more than " + std::to_string(max_depth) + " deep";
}

} // namespace

ErrorTrap::ErrorTrap()
    : previous_structured_(xmlStructuredError),
      previous_structured_context_(xmlStructuredErrorContext), previous_generic_(xmlGenericError),
      previous_generic_context_(xmlGenericErrorContext) {
    init_once();
    xmlSetStructuredErrorFunc(this, &ErrorTrap::on_structured);
    xmlSetGenericErrorFunc(nullptr, &ignore_generic);
}

ErrorTrap::~ErrorTrap() {
    xmlSetStructuredErrorFunc(previous_structured_context_, previous_structured_);
    xmlSetGenericErrorFunc(previous_generic_context_, previous_generic_);
}

void ErrorTrap::on_structured(void* self, xmlError* error) {
    auto* trap = static_cast<ErrorTrap*>(self);
    if (trap->first_error_.empty()) trap->first_error_ = reason(error);
    // libxml2 stops at xmlParserMaxDepth, HTML too, and reports it only as this message.
    if (error != nullptr && error->message != nullptr &&
        std::strstr(error->message, "Excessive depth") != nullptr)
        trap->too_deep_ = true;
    if (trap->limit_ > 0 && ++trap->errors_ > trap->limit_ && !trap->stopped_ && error != nullptr &&
        error->ctxt != nullptr &&
        (error->domain == XML_FROM_HTML || error->domain == XML_FROM_PARSER)) {
        trap->stopped_ = true;
        xmlStopParser(static_cast<xmlParserCtxt*>(error->ctxt));
    }
}

Parsed parse_xml(std::string_view bytes) {
    ErrorTrap trap;
    Parsed out;
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        out.error = "the file is too large for the XML parser";
        return out;
    }
    ParserPtr ctxt(xmlNewParserCtxt());
    if (!ctxt) {
        out.error = "out of memory";
        return out;
    }
    out.doc.reset(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()),
                                    nullptr, nullptr, xml_options));
    if (!out.doc) {
        out.error = reason(xmlCtxtGetLastError(ctxt.get()));
        if (out.error.empty()) out.error = trap.first_error();
    }
    if (trap.too_deep()) {
        out.doc.reset();
        out.too_deep = true;
        out.error = too_deep_message();
    }
    return out;
}

Parsed parse_html(std::string_view bytes, const char* encoding) {
    ErrorTrap trap;
    Parsed out;
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        out.error = "the file is too large for the HTML parser";
        return out;
    }
    ParserPtr ctxt(htmlNewParserCtxt());
    if (!ctxt || ctxt->sax == nullptr) {
        out.error = "out of memory";
        return out;
    }
    trap.stop_after(max_html_errors);
    out.doc.reset(htmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()),
                                     nullptr, encoding, html_options));
    if (trap.stopped()) {
        out.doc.reset();
        out.too_broken = true;
        out.error = "more than " + std::to_string(max_html_errors) + " markup errors";
    } else if (trap.too_deep()) { // the parser stopped there: what it kept is not the document
        out.doc.reset();
        out.too_deep = true;
        out.error = too_deep_message();
    } else if (!out.doc) {
        out.error = trap.first_error();
    }
    return out;
}

bool known_encoding(const std::string& encoding) {
    ErrorTrap trap;
    xmlCharEncodingHandler* handler = xmlFindCharEncodingHandler(encoding.c_str());
    if (handler == nullptr) return false;
    xmlCharEncCloseFunc(handler);
    return true;
}

std::string_view local_name(const xmlNode* node) noexcept {
    if (node == nullptr || node->type != XML_ELEMENT_NODE || node->name == nullptr) return {};
    return reinterpret_cast<const char*>(node->name);
}

std::string_view namespace_uri(const xmlNode* node) noexcept {
    if (node == nullptr || node->ns == nullptr || node->ns->href == nullptr) return {};
    return reinterpret_cast<const char*>(node->ns->href);
}

std::optional<std::string> attribute(const xmlNode* node, const char* name, const char* ns) {
    if (node == nullptr || node->type != XML_ELEMENT_NODE) return std::nullopt;
    const auto* n = reinterpret_cast<const xmlChar*>(name);
    xmlChar* value = ns == nullptr ? xmlGetNoNsProp(node, n)
                                   : xmlGetNsProp(node, n, reinterpret_cast<const xmlChar*>(ns));
    if (value == nullptr) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return out;
}

xmlNode* child(const xmlNode* node, std::string_view name) noexcept {
    if (node == nullptr) return nullptr;
    for (xmlNode* c = node->children; c != nullptr; c = c->next)
        if (local_name(c) == name) return c;
    return nullptr;
}

xmlNode* find(xmlNode* node, std::string_view name) noexcept {
    if (node == nullptr) return nullptr;
    if (local_name(node) == name) return node;
    struct Finder {
        std::string_view name;
        xmlNode* found = nullptr;
        bool enter(xmlNode* n) {
            if (found == nullptr && local_name(n) == name) found = n;
            return found == nullptr && n->type == XML_ELEMENT_NODE;
        }
        void leave(xmlNode*) {}
    } finder{name};
    walk(node, finder);
    return finder.found;
}

std::string text_content(const xmlNode* node) {
    struct Collector {
        std::string text;
        bool enter(xmlNode* n) {
            if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                if (n->content != nullptr) text += reinterpret_cast<const char*>(n->content);
            } else if (n->type == XML_ENTITY_REF_NODE) {
                text += entity_text(n);
            }
            return n->type == XML_ELEMENT_NODE;
        }
        void leave(xmlNode*) {}
    } collector;
    walk(const_cast<xmlNode*>(node), collector);
    return collector.text;
}

std::string entity_text(const xmlNode* reference) {
    if (reference == nullptr || reference->type != XML_ENTITY_REF_NODE) return "";
    // A declared entity: its replacement text, unless that holds markup or more references
    // (which is how entity bombs multiply; those stay unexpanded).
    const auto* declared = reinterpret_cast<const xmlEntity*>(reference->children);
    if (declared != nullptr && declared->type == XML_ENTITY_DECL &&
        declared->etype == XML_INTERNAL_GENERAL_ENTITY && declared->content != nullptr) {
        const std::string_view content(reinterpret_cast<const char*>(declared->content));
        if (content.find_first_of("<&") == std::string_view::npos) return std::string(content);
        return "";
    }
    const htmlEntityDesc* html = htmlEntityLookup(reference->name);
    std::string out;
    if (html != nullptr) append_utf8(html->value, out);
    return out;
}

} // namespace mcqgen::detail::xml
