// DOCX (WordprocessingML): the main document part's paragraphs, headings by their style,
// list paragraphs, tables; tracked deletions and field codes left out.

#include "core/text.hpp"
#include "documents/readers.hpp"
#include "documents/xml_tree.hpp"
#include "documents/zip_archive.hpp"

#include <mcqgen/errors.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

namespace mcqgen::detail {
namespace {

constexpr std::string_view w_transitional =
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view w_strict = "http://purl.oclc.org/ooxml/wordprocessingml/main";
constexpr std::string_view markup_compatibility =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr std::string_view office_math =
    "http://schemas.openxmlformats.org/officeDocument/2006/math";

bool is_w(const xmlNode* node) {
    const auto ns = xml::namespace_uri(node);
    return ns == w_transitional || ns == w_strict;
}

bool is_w(const xmlNode* node, std::string_view name) {
    return is_w(node) && xml::local_name(node) == name;
}

// A w: attribute ("w:val"), in whichever WordprocessingML namespace the document uses.
std::string w_attribute(const xmlNode* node, const char* name) {
    for (const auto ns : {w_transitional, w_strict})
        if (auto v = xml::attribute(node, name, std::string(ns).c_str())) return *v;
    return "";
}

std::string w_child_value(const xmlNode* node, std::string_view child) {
    for (xmlNode* c = node == nullptr ? nullptr : node->children; c != nullptr; c = c->next)
        if (is_w(c, child)) return w_attribute(c, "val");
    return "";
}

const xmlNode* w_child(const xmlNode* node, std::string_view name) {
    for (xmlNode* c = node == nullptr ? nullptr : node->children; c != nullptr; c = c->next)
        if (is_w(c, name)) return c;
    return nullptr;
}

// An outline level as written (0 = top, 9 = body text) to a heading level (1 = top), or 0.
int heading_from_outline(const std::string& value) {
    if (value.size() != 1 || value[0] < '0' || value[0] > '8') return 0;
    return value[0] - '0' + 1;
}

// The heading level a style name (or, lacking styles.xml, a style id) stands for, or 0:
// "heading 2", "Heading2" and "Title". Word writes the built-in names in English whatever the
// user's language; the ids are the ones that get translated ("berschrift1").
int heading_from_style_name(const std::string& name) {
    const auto n = lower(name);
    if (n == "title") return 1;
    if (n.rfind("heading", 0) != 0) return 0;
    auto rest = std::string_view(n).substr(7);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.size() != 1 || rest[0] < '1' || rest[0] > '9') return 0;
    return rest[0] - '0';
}

bool has_numbering(const xmlNode* paragraph_properties) {
    const auto* numbering = w_child(paragraph_properties, "numPr");
    if (numbering == nullptr) return false;
    const auto id = w_child_value(numbering, "numId");
    return id != "0"; // numId 0 switches numbering off
}

// ---------------------------------------------------------------------------------------------
// word/styles.xml

class Styles {
  public:
    void read(xmlDoc* doc) {
        const xmlNode* root = xmlDocGetRootElement(doc);
        for (xmlNode* s = root == nullptr ? nullptr : root->children; s != nullptr; s = s->next) {
            if (!is_w(s, "style")) continue;
            Style style;
            style.name = w_child_value(s, "name");
            style.based_on = w_child_value(s, "basedOn");
            const auto* properties = w_child(s, "pPr");
            style.outline = heading_from_outline(w_child_value(properties, "outlineLvl"));
            style.numbered = has_numbering(properties);
            styles_[w_attribute(s, "styleId")] = std::move(style);
        }
    }

    /// The heading level of a paragraph style, through the styles it is based on; 0 if none.
    int heading_level(const std::string& id) const {
        int outline = 0;
        int level = 0;
        visit(id, [&](const std::string& style_id, const Style* style) {
            level = heading_from_style_name(style ? style->name : style_id);
            if (outline == 0 && style) outline = style->outline;
            return level > 0;
        });
        return level > 0 ? level : outline;
    }

    bool numbered(const std::string& id) const {
        bool found = false;
        visit(id, [&](const std::string&, const Style* style) {
            found = style && style->numbered;
            return found;
        });
        return found;
    }

    bool code(const std::string& id) const {
        bool found = false;
        visit(id, [&](const std::string& style_id, const Style* style) {
            const auto name = lower(style ? style->name : style_id);
            found = name == "html preformatted" || name.find("code") != std::string::npos;
            return found;
        });
        return found;
    }

  private:
    struct Style {
        std::string name;
        std::string based_on;
        int outline = 0;
        bool numbered = false;
    };

    // Calls `f(id, style or null)` along the basedOn chain until it returns true.
    template <class F> void visit(std::string id, F f) const {
        for (int hops = 0; hops < 16 && !id.empty(); ++hops) {
            const auto it = styles_.find(id);
            const Style* style = it == styles_.end() ? nullptr : &it->second;
            if (f(id, style) || style == nullptr) return;
            id = style->based_on;
        }
    }

    std::map<std::string, Style> styles_;
};

// ---------------------------------------------------------------------------------------------
// word/document.xml

struct Paragraph {
    std::string text;
    std::string style;
    int outline = 0;
    bool numbered = false;
};

class DocxWalker {
  public:
    DocxWalker(const Styles& styles, DocumentBuilder& builder)
        : styles_(styles), builder_(builder) {}

    bool enter(xmlNode* node);
    void leave(xmlNode* node);
    std::size_t text_bytes() const noexcept { return text_bytes_; }

  private:
    using Cell = std::vector<Paragraph>;
    using Row = std::vector<Cell>;

    bool enter_w(xmlNode* node, std::string_view name);
    void begin_paragraph(const xmlNode* node);
    void field_char(const std::string& type);
    void append(std::string_view text);
    void emit(const Paragraph& p);
    void end_table();
    bool in_field_instruction() const {
        return std::find(fields_.begin(), fields_.end(), true) != fields_.end();
    }

    const Styles& styles_;
    DocumentBuilder& builder_;
    std::vector<Paragraph> paragraphs_; // open ones: a text box's sit inside another
    std::vector<bool> fields_;          // open fields: true until their "separate"
    int table_depth_ = 0;
    std::vector<Row> rows_; // of the outermost table; nested ones flow into its cells
    std::size_t text_bytes_ = 0;
};

bool DocxWalker::enter(xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE) return false;
    const auto name = xml::local_name(node);
    if (is_w(node)) return enter_w(node, name);
    if (xml::namespace_uri(node) == markup_compatibility)
        return name != "Fallback"; // Choice and Fallback hold the same content twice
    if (xml::namespace_uri(node) == office_math && name == "t") {
        append(xml::text_content(node));
        return false;
    }
    return true; // drawings and text boxes: their paragraphs are w: again
}

bool DocxWalker::enter_w(xmlNode* node, std::string_view name) {
    // Property elements (pPr, rPr, tblPr, sectPr, ...) hold no text.
    if ((name.size() > 2 && name.substr(name.size() - 2) == "Pr") ||
        (name.size() > 4 && name.substr(name.size() - 4) == "PrEx") || name == "tblGrid")
        return false;
    if (name == "p") {
        begin_paragraph(node);
        return true;
    }
    if (name == "t") {
        auto text = xml::text_content(node);
        if (xmlNodeGetSpacePreserve(node) != 1) { // Word ignores unpreserved edge spaces
            const auto first = text.find_first_not_of(" \t\r\n");
            const auto last = text.find_last_not_of(" \t\r\n");
            text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
        }
        append(text);
        return false;
    }
    if (name == "tab") append("\t");
    if (name == "br" || name == "cr") append("\n");
    if (name == "noBreakHyphen") append("-");
    if (name == "fldChar") field_char(w_attribute(node, "fldCharType"));
    if (name == "tbl") {
        if (table_depth_++ == 0) rows_.clear();
        return true;
    }
    if (name == "tr" && table_depth_ == 1) rows_.emplace_back();
    if (name == "tc" && table_depth_ == 1) {
        if (rows_.empty()) rows_.emplace_back();
        rows_.back().emplace_back();
    }
    // Tracked deletions and moves away, field instructions, notes' marks: not the text.
    static const std::string_view leaves[] = {"tab",
                                              "br",
                                              "cr",
                                              "noBreakHyphen",
                                              "softHyphen",
                                              "fldChar",
                                              "delText",
                                              "instrText",
                                              "del",
                                              "moveFrom",
                                              "sym",
                                              "footnoteReference",
                                              "endnoteReference",
                                              "commentReference",
                                              "delInstrText"};
    return std::find(std::begin(leaves), std::end(leaves), name) == std::end(leaves);
}

void DocxWalker::begin_paragraph(const xmlNode* node) {
    Paragraph p;
    const auto* properties = w_child(node, "pPr");
    p.style = w_child_value(properties, "pStyle");
    p.outline = heading_from_outline(w_child_value(properties, "outlineLvl"));
    p.numbered = has_numbering(properties);
    paragraphs_.push_back(std::move(p));
}

void DocxWalker::field_char(const std::string& type) {
    if (type == "begin") {
        fields_.push_back(true);
    } else if (type == "separate" && !fields_.empty()) {
        fields_.back() = false;
    } else if (type == "end" && !fields_.empty()) {
        fields_.pop_back();
    }
}

void DocxWalker::append(std::string_view text) {
    if (paragraphs_.empty() || in_field_instruction()) return;
    paragraphs_.back().text += text;
}

void DocxWalker::leave(xmlNode* node) {
    if (!is_w(node)) return;
    const auto name = xml::local_name(node);
    if (name == "p" && !paragraphs_.empty()) {
        auto p = std::move(paragraphs_.back());
        paragraphs_.pop_back();
        if (table_depth_ > 0) {
            if (rows_.empty()) rows_.emplace_back();
            if (rows_.back().empty()) rows_.back().emplace_back();
            rows_.back().back().push_back(std::move(p));
        } else {
            emit(p);
        }
    } else if (name == "tbl" && table_depth_ > 0 && --table_depth_ == 0) {
        end_table();
    }
}

void DocxWalker::emit(const Paragraph& p) {
    if (p.text.find_first_not_of(" \t\n") == std::string::npos) return;
    text_bytes_ += p.text.size();
    int level = styles_.heading_level(p.style);
    if (level == 0) level = p.outline;
    if (level > 0) {
        builder_.heading(level, p.text);
    } else if (styles_.code(p.style)) {
        builder_.block(BlockKind::code, p.text);
    } else if (p.numbered || styles_.numbered(p.style)) {
        builder_.block(BlockKind::list, p.text);
    } else {
        builder_.block(BlockKind::prose, p.text);
    }
}

// A one-cell table is a box around paragraphs; any other is a table, one line per row.
void DocxWalker::end_table() {
    auto rows = std::exchange(rows_, {});
    if (rows.size() == 1 && rows[0].size() == 1) {
        for (const auto& p : rows[0][0])
            emit(p);
        return;
    }
    std::string table;
    for (const auto& row : rows) {
        std::vector<std::string> cells;
        for (const auto& cell : row) {
            std::string text;
            for (const auto& p : cell) {
                if (!text.empty()) text += ' ';
                text += p.text;
            }
            std::replace(text.begin(), text.end(), '\t', ' ');
            std::replace(text.begin(), text.end(), '\n', ' ');
            cells.push_back(std::move(text));
        }
        while (!cells.empty() && cells.back().find_first_not_of(' ') == std::string::npos)
            cells.pop_back();
        if (cells.empty()) continue;
        if (!table.empty()) table += '\n';
        for (std::size_t i = 0; i < cells.size(); ++i)
            table += (i > 0 ? "\t" : "") + cells[i];
    }
    if (table.find_first_not_of(" \t\n") == std::string::npos) return;
    text_bytes_ += table.size();
    builder_.block(BlockKind::table, table);
}

// ---------------------------------------------------------------------------------------------
// The package

[[noreturn]] void refuse(const std::string& why) {
    throw Error(errc::invalid_argument, "the DOCX file " + why);
}

// The target of the first relationship of `type` in a .rels part, as an archive path.
std::string relationship(ZipArchive& zip, const std::string& rels_path, std::string_view type,
                         const std::string& base_dir) {
    const auto rels = zip.read(rels_path);
    if (!rels) return "";
    const auto parsed = xml::parse_xml(*rels);
    const xmlNode* root = parsed.doc ? xmlDocGetRootElement(parsed.doc.get()) : nullptr;
    for (xmlNode* r = root == nullptr ? nullptr : root->children; r != nullptr; r = r->next) {
        if (xml::local_name(r) != "Relationship") continue;
        const auto t = xml::attribute(r, "Type").value_or("");
        if (t.size() >= type.size() && t.compare(t.size() - type.size(), type.size(), type) == 0)
            return resolve_path(base_dir, xml::attribute(r, "Target").value_or(""));
    }
    return "";
}

std::string rels_of(const std::string& part) {
    return directory_of(part) + "_rels/" + part.substr(directory_of(part).size()) + ".rels";
}

xml::DocPtr parse_part(const std::string& name, const std::string& bytes) {
    auto parsed = xml::parse_xml(bytes);
    if (parsed.too_deep)
        refuse("is damaged: the elements of " + name + " nest more than " +
               std::to_string(xml::max_depth) + " deep");
    if (!parsed.doc)
        refuse("is damaged: " + name + " is not well-formed XML" +
               (parsed.error.empty() ? std::string() : " (" + parsed.error + ")"));
    return std::move(parsed.doc);
}

Styles read_styles(ZipArchive& zip, const std::string& main_part, DocumentBuilder& builder) {
    Styles styles;
    auto path = relationship(zip, rels_of(main_part), "/styles", directory_of(main_part));
    if (path.empty()) path = "word/styles.xml";
    const auto bytes = zip.read(path);
    if (!bytes) return styles;
    const auto parsed = xml::parse_xml(*bytes);
    if (parsed.doc) {
        styles.read(parsed.doc.get());
    } else {
        builder.warn("the DOCX's " + path + " cannot be read (" + parsed.error +
                     "); headings are found by style ids only");
    }
    return styles;
}

} // namespace

Document read_docx(std::string_view bytes, const ReadOptions& options) {
    ZipArchive zip(bytes, options, "DOCX");
    auto main_part = relationship(zip, "_rels/.rels", "/officeDocument", "");
    if (main_part.empty() || !zip.contains(main_part)) main_part = "word/document.xml";
    const auto main_bytes = zip.read(main_part);
    if (!main_bytes)
        refuse("has no word/document.xml: it is not a Word document, or it is damaged");

    DocumentBuilder builder(DocumentFormat::docx);
    const auto styles = read_styles(zip, main_part, builder);
    const auto doc = parse_part(main_part, *main_bytes);
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    xmlNode* body = root != nullptr && is_w(root, "document") ? xml::child(root, "body") : nullptr;
    if (body == nullptr) refuse("is damaged: " + main_part + " has no document body");

    DocxWalker walker(styles, builder);
    xml::walk(body, walker);
    if (walker.text_bytes() == 0) refuse("has no text");
    return std::move(builder).finish();
}

} // namespace mcqgen::detail
