// The visible text of HTML and XHTML, block by block (see html_text.hpp).

#include "documents/html_text.hpp"

#include "core/text.hpp"

#include <mcqgen/errors.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace mcqgen::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// Encoding

// The value after `key` ("charset", "encoding") in `tag`: `key = "value"`, quotes optional.
std::string value_after(std::string_view tag, std::string_view key) {
    const auto at = tag.find(key);
    if (at == std::string_view::npos) return "";
    auto rest = tag.substr(at + key.size());
    const auto skip_spaces = [&] {
        while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())))
            rest.remove_prefix(1);
    };
    skip_spaces();
    if (rest.empty() || rest.front() != '=') return "";
    rest.remove_prefix(1);
    skip_spaces();
    while (!rest.empty() && (rest.front() == '"' || rest.front() == '\''))
        rest.remove_prefix(1);
    std::string label;
    for (char c : rest) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != ':' &&
            c != '.')
            break;
        label += c;
    }
    return label;
}

// The charset a <meta> tag or the XML declaration names in the first bytes, lower case.
std::string declared_charset(std::string_view bytes) {
    const auto head = lower(bytes.substr(0, 4096));
    if (head.rfind("<?xml", 0) == 0) {
        const auto end = head.find("?>");
        const auto label = value_after(std::string_view(head).substr(0, end), "encoding");
        if (!label.empty()) return label;
    }
    for (auto at = head.find("<meta"); at != std::string::npos; at = head.find("<meta", at + 5)) {
        const auto end = head.find('>', at);
        const auto label = value_after(std::string_view(head).substr(at, end - at), "charset");
        if (!label.empty()) return label;
    }
    return "";
}

bool is_windows_1252_label(const std::string& label) {
    // What browsers read these labels as (WHATWG Encoding: they all mean windows-1252).
    static const std::array<std::string_view, 9> labels = {"windows-1252", "cp1252", "iso-8859-1",
                                                           "iso8859-1",    "latin1", "l1",
                                                           "us-ascii",     "ascii",  "x-cp1252"};
    return std::find(labels.begin(), labels.end(), label) != labels.end();
}

// windows-1252 to UTF-8; the five bytes it leaves undefined map to the C1 controls, as browsers
// do, which normalisation then drops.
std::string windows_1252_to_utf8(std::string_view bytes) {
    static const std::array<char16_t, 32> high = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 8);
    for (const char byte : bytes) {
        const auto c = static_cast<unsigned char>(byte);
        append_utf8(c >= 0x80 && c < 0xA0 ? high[c - 0x80] : c, out);
    }
    return out;
}

// `bytes` with each byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string repaired_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        // The longest valid prefix from i, found by growing a candidate up to 4 bytes.
        std::size_t n = 0;
        for (std::size_t len = 1; len <= 4 && i + len <= bytes.size(); ++len)
            if (is_valid_utf8(bytes.substr(i, len))) {
                n = len;
                break;
            }
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(bytes.substr(i, n));
            i += n;
        }
    }
    return out;
}

// The bytes to parse and the encoding libxml2 is to read them in.
struct Decoded {
    std::string_view original; // parsed as they are, unless converted here
    std::string encoding;
    std::optional<std::string> converted;
    std::string_view bytes() const { return converted ? std::string_view(*converted) : original; }
};

Decoded decode(std::string_view bytes, const std::string& what, DocumentBuilder& builder) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") { // libxml2 lets invalid UTF-8 through then
        const auto rest = bytes.substr(3);
        if (is_valid_utf8(rest)) return {rest, "UTF-8", {}};
        return {rest, "UTF-8", repaired_utf8(rest)};
    }
    if (bytes.substr(0, 2) == "\xFF\xFE") return {bytes.substr(2), "UTF-16LE", {}};
    if (bytes.substr(0, 2) == "\xFE\xFF") return {bytes.substr(2), "UTF-16BE", {}};
    const auto label = declared_charset(bytes);
    const bool utf8 = is_valid_utf8(bytes);
    const bool unicode_label = label.empty() || label == "utf-8" || label == "utf8" ||
                               label.rfind("utf-16", 0) == 0; // UTF-16 without a BOM: as UTF-8
    const bool latin_label = is_windows_1252_label(label);
    if (!unicode_label && !latin_label) {
        if (xml::known_encoding(label)) return {bytes, label, {}};
        builder.warn(what + " declares the unknown character set \"" + label + "\"; it was read " +
                     (utf8 ? "as UTF-8" : "as windows-1252"));
    }
    // Pages labelled Latin-1 whose bytes are valid UTF-8 are UTF-8 pages mislabelled (a
    // windows-1252 text is almost never valid UTF-8 by chance).
    if (utf8) return {bytes, "UTF-8", {}};
    return {bytes, "UTF-8", windows_1252_to_utf8(bytes)};
}

// ---------------------------------------------------------------------------------------------
// Elements

enum class Role : unsigned char {
    inline_text, // text flows through (spans, links, unknown elements)
    block,       // ends the text before and after it (p, div, section, ...)
    soft_block,  // a block where blocks cannot end (inside a heading, pre or table): a space
    heading,
    list_item,
    pre,
    table,
    row,
    cell,
    caption,
    line_break,
    rule,
};

bool in(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

int heading_level(std::string_view name) {
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6')
        return name[1] - '0';
    return 0;
}

Role role_of(std::string_view name) {
    if (heading_level(name) > 0) return Role::heading;
    if (name == "li") return Role::list_item;
    if (in(name, {"pre", "listing", "xmp", "plaintext"})) return Role::pre;
    if (name == "table") return Role::table;
    if (name == "tr") return Role::row;
    if (in(name, {"td", "th"})) return Role::cell;
    if (name == "caption") return Role::caption;
    if (name == "br") return Role::line_break;
    if (name == "hr") return Role::rule;
    if (in(name, {"address",    "article", "aside",  "blockquote", "body",    "center",  "dd",
                  "details",    "dialog",  "dir",    "div",        "dl",      "dt",      "fieldset",
                  "figcaption", "figure",  "footer", "header",     "hgroup",  "html",    "legend",
                  "main",       "menu",    "ol",     "p",          "section", "summary", "ul",
                  "thead",      "tbody",   "tfoot",  "colgroup"}))
        return Role::block;
    return Role::inline_text;
}

bool never_text(std::string_view name) {
    return in(name, {"script", "style",  "noscript", "template", "svg",    "head",   "title",
                     "form",   "button", "select",   "textarea", "iframe", "object", "embed",
                     "canvas", "audio",  "video",    "map",      "rp",     "rt",     "nav"});
}

bool has_ancestor(const xmlNode* node, std::initializer_list<std::string_view> names) {
    for (const xmlNode* p = node->parent; p != nullptr; p = p->parent)
        if (in(lower(xml::local_name(p)), names)) return true;
    return false;
}

// An attribute by its qualified name, whether parsed as XML ("epub" namespace prefix) or as
// HTML (the name "epub:type" as it stands).
std::string prefixed_attribute(const xmlNode* node, std::string_view prefix,
                               std::string_view name) {
    for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        const std::string_view local(reinterpret_cast<const char*>(a->name));
        const bool match =
            (a->ns != nullptr && a->ns->prefix != nullptr &&
             reinterpret_cast<const char*>(a->ns->prefix) == prefix && local == name) ||
            (a->ns == nullptr && local.size() == prefix.size() + 1 + name.size() &&
             local.substr(0, prefix.size()) == prefix && local[prefix.size()] == ':' &&
             local.substr(prefix.size() + 1) == name);
        if (!match) continue;
        xmlChar* value = xmlNodeListGetString(node->doc, a->children, 1);
        std::string out = value != nullptr ? lower(reinterpret_cast<const char*>(value)) : "";
        xmlFree(value);
        return out;
    }
    return "";
}

bool hidden(const xmlNode* node) {
    if (xml::attribute(node, "hidden")) return true;
    if (xml::attribute(node, "aria-hidden").value_or("") == "true") return true;
    auto style = lower(xml::attribute(node, "style").value_or(""));
    style.erase(std::remove(style.begin(), style.end(), ' '), style.end());
    return style.find("display:none") != std::string::npos;
}

bool is_page_break(const xmlNode* node) {
    const auto type = prefixed_attribute(node, "epub", "type");
    return type.find("pagebreak") != std::string::npos ||
           xml::attribute(node, "role").value_or("") == "doc-pagebreak";
}

bool is_note(const xmlNode* node) {
    const auto type = prefixed_attribute(node, "epub", "type");
    return type.find("footnote") != std::string::npos ||
           type.find("endnote") != std::string::npos ||
           type.find("rearnote") != std::string::npos || type.find("toc") != std::string::npos;
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\n\r\f\v");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\n\r\f\v") - first + 1);
}

// Old pages lay themselves out with tables: a table holding paragraphs, headings, lists or
// another table is read as blocks, not as a table of data.
bool is_layout_table(xmlNode* table) {
    if (xml::attribute(table, "role").value_or("") == "presentation") return true;
    return xml::any_below(
        table,
        [](const xmlNode* n) {
            const auto name = lower(xml::local_name(n));
            return heading_level(name) > 0 || in(name, {"table", "p", "div", "ul", "ol", "pre",
                                                        "blockquote", "section", "article"});
        },
        20000);
}

// Appends `text` with white space collapsed to single spaces; `pending` carries a space
// across calls, dropped at the start of the text and of a line.
void append_collapsed(std::string& out, std::string_view text, bool& pending) {
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            pending = true;
            continue;
        }
        if (pending && !out.empty() && out.back() != '\n') out += ' ';
        pending = false;
        out += c;
    }
}

// ---------------------------------------------------------------------------------------------
// The walk

class HtmlWalker {
  public:
    HtmlWalker(DocumentBuilder& builder, const HtmlWalkOptions& options)
        : builder_(builder), options_(options) {}

    bool enter(xmlNode* node);
    void leave(xmlNode* node);
    void end() { flush(); }
    const HtmlTextStats& stats() const noexcept { return stats_; }

  private:
    struct Frame {
        Role role;
        BlockKind kind; // what text directly inside it is
    };

    bool skipped(xmlNode* node, const std::string& name);
    Role enter_in_table(Role role);
    Role enter_block(xmlNode* node, const std::string& name, Role role, BlockKind& kind);
    void leave_in_table(Role role);
    void text(std::string_view content);
    void space();
    void line_break();
    void flush();
    void end_table();
    BlockKind kind() const { return frames_.empty() ? BlockKind::prose : frames_.back().kind; }

    DocumentBuilder& builder_;
    HtmlWalkOptions options_;
    HtmlTextStats stats_;
    std::vector<Frame> frames_;
    std::string text_;
    bool space_pending_ = false;
    int heading_level_ = 0;
    int pre_depth_ = 0;
    int table_depth_ = 0; // data tables, the outermost one collecting rows_
    std::vector<std::vector<std::string>> rows_;
    bool cell_space_pending_ = false;
};

bool HtmlWalker::skipped(xmlNode* node, const std::string& name) {
    if (name == "script") {
        ++stats_.scripts;
        stats_.script_bytes += xml::text_content(node).size();
        return true;
    }
    if (never_text(name) || hidden(node) || is_page_break(node)) return true;
    if (options_.web_page) {
        if (name == "aside") return true;
        if (name == "header" || name == "footer")
            return !has_ancestor(node, {"article", "main", "section"});
        return false;
    }
    return name == "aside" && is_note(node);
}

bool HtmlWalker::enter(xmlNode* node) {
    switch (node->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (node->content != nullptr) text(reinterpret_cast<const char*>(node->content));
        return false;
    case XML_ENTITY_REF_NODE:
        text(xml::entity_text(node));
        return false;
    case XML_ELEMENT_NODE:
        break;
    default:
        return false;
    }
    const auto name = lower(xml::local_name(node));
    if (skipped(node, name)) return false;
    Role role = role_of(name);
    BlockKind block_kind = kind();
    if (table_depth_ > 0) {
        role = enter_in_table(role);
    } else {
        role = enter_block(node, name, role, block_kind);
    }
    if (role == Role::line_break || role == Role::rule) return false;
    frames_.push_back(Frame{role, block_kind});
    return true;
}

Role HtmlWalker::enter_in_table(Role role) {
    switch (role) {
    case Role::table:
        ++table_depth_;
        space();
        return Role::table;
    case Role::row:
        if (table_depth_ > 1) break;
        rows_.emplace_back();
        return Role::row;
    case Role::cell:
    case Role::caption:
        if (table_depth_ > 1) break;
        if (rows_.empty() || role == Role::caption) rows_.emplace_back();
        rows_.back().emplace_back();
        cell_space_pending_ = false;
        return role;
    case Role::inline_text:
        return role;
    case Role::line_break:
    case Role::rule:
        space();
        return role;
    default:
        break;
    }
    space();
    return Role::soft_block;
}

Role HtmlWalker::enter_block(xmlNode* node, const std::string& name, Role role, BlockKind& kind) {
    const bool inline_only = heading_level_ > 0 || pre_depth_ > 0;
    if (role == Role::line_break) {
        line_break();
        return role;
    }
    if (role == Role::inline_text) {
        // A <code> standing alone with lines of its own is a code block without its <pre>.
        if (name != "code" || inline_only || !is_blank(text_) ||
            xml::text_content(node).find('\n') == std::string::npos)
            return role;
        role = Role::pre;
    }
    if (inline_only) {
        space();
        return role == Role::rule ? role : Role::soft_block;
    }
    flush();
    switch (role) {
    case Role::heading:
        heading_level_ = heading_level(name);
        return role;
    case Role::pre:
        ++pre_depth_;
        kind = BlockKind::code;
        return role;
    case Role::list_item:
        kind = BlockKind::list;
        return role;
    case Role::table:
        if (is_layout_table(node)) return Role::block;
        table_depth_ = 1;
        rows_.clear();
        return role;
    case Role::rule:
        return role;
    default:
        return Role::block;
    }
}

void HtmlWalker::leave(xmlNode*) {
    const Role role = frames_.back().role;
    if (table_depth_ > 0) {
        leave_in_table(role);
    } else {
        switch (role) {
        case Role::heading:
            flush();
            heading_level_ = 0;
            break;
        case Role::pre:
            flush();
            --pre_depth_;
            break;
        case Role::block:
        case Role::list_item:
            flush();
            break;
        case Role::soft_block:
            space();
            break;
        default:
            break;
        }
    }
    frames_.pop_back();
}

void HtmlWalker::leave_in_table(Role role) {
    if (role == Role::table) {
        if (--table_depth_ == 0) end_table();
    } else if (role == Role::soft_block) {
        space();
    }
}

void HtmlWalker::text(std::string_view content) {
    if (table_depth_ > 0) {
        if (rows_.empty()) rows_.emplace_back();
        if (rows_.back().empty()) rows_.back().emplace_back();
        append_collapsed(rows_.back().back(), content, cell_space_pending_);
    } else if (pre_depth_ > 0) {
        text_ += content;
    } else {
        append_collapsed(text_, content, space_pending_);
    }
}

void HtmlWalker::space() {
    if (table_depth_ > 0) {
        cell_space_pending_ = true;
    } else if (pre_depth_ == 0) {
        space_pending_ = true;
    }
}

void HtmlWalker::line_break() {
    if (pre_depth_ > 0) {
        text_ += '\n';
    } else if (heading_level_ > 0) {
        space_pending_ = true;
    } else {
        text_ += '\n';
        space_pending_ = false;
    }
}

void HtmlWalker::flush() {
    if (!is_valid_utf8(text_)) text_ = repaired_utf8(text_); // libxml2 may pass bad bytes
    if (!is_blank(text_)) {
        if (heading_level_ > 0) {
            builder_.heading(heading_level_, text_);
        } else {
            builder_.block(kind(), text_);
        }
        stats_.text_bytes += trim(text_).size();
    }
    text_.clear();
    space_pending_ = false;
}

void HtmlWalker::end_table() {
    std::string table;
    for (auto& row : rows_) {
        while (!row.empty() && is_blank(row.back()))
            row.pop_back();
        if (row.empty()) continue;
        if (!table.empty()) table += '\n';
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) table += '\t';
            table += trim(row[i]);
        }
    }
    rows_.clear();
    if (is_blank(table)) return;
    if (!is_valid_utf8(table)) table = repaired_utf8(table);
    builder_.block(BlockKind::table, table);
    stats_.text_bytes += table.size();
}

} // namespace

xml::DocPtr parse_html_bytes(std::string_view bytes, const std::string& what,
                             DocumentBuilder& builder) {
    const auto decoded = decode(bytes, what, builder);
    auto parsed = xml::parse_html(decoded.bytes(), decoded.encoding.c_str());
    if (parsed.too_deep)
        throw Error(errc::invalid_argument,
                    what + " nests its elements more than " + std::to_string(xml::max_depth) +
                        " deep; it is damaged or machine-made, and cannot be read");
    if (parsed.too_broken)
        throw Error(errc::invalid_argument,
                    what + " has more than " + std::to_string(xml::max_html_errors) +
                        " markup errors; it is damaged or not HTML, and cannot be read");
    if (!parsed.doc)
        throw Error(errc::invalid_argument,
                    what + " cannot be parsed as HTML" +
                        (parsed.error.empty() ? std::string() : " (" + parsed.error + ")"));
    return std::move(parsed.doc);
}

HtmlTextStats add_html_text(xmlDoc* doc, DocumentBuilder& builder, const HtmlWalkOptions& options) {
    HtmlWalker walker(builder, options);
    xml::walk(reinterpret_cast<xmlNode*>(doc), walker);
    walker.end();
    return walker.stats();
}

} // namespace mcqgen::detail
