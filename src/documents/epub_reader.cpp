// EPUB 2 and 3: container.xml names the package (OPF), whose spine orders the chapters; each
// chapter is XHTML, read with the same walk as an HTML page.

#include "core/text.hpp"
#include "documents/html_text.hpp"
#include "documents/readers.hpp"
#include "documents/xml_tree.hpp"
#include "documents/zip_archive.hpp"

#include <mcqgen/errors.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

namespace mcqgen::detail {
namespace {

[[noreturn]] void refuse(const std::string& why) {
    throw Error(errc::invalid_argument, "the EPUB file " + why);
}

struct Item {
    std::string path; // in the archive
    std::string media_type;
};

struct Package {
    std::map<std::string, Item> manifest; // by id
    struct Chapter {
        std::string idref;
        bool linear = true;
    };
    std::vector<Chapter> spine;
};

template <class F> void for_each_element(xmlNode* root, std::string_view name, F f) {
    struct Visitor {
        std::string_view name;
        F& f;
        bool enter(xmlNode* n) {
            if (xml::local_name(n) == name) f(n);
            return n->type == XML_ELEMENT_NODE;
        }
        void leave(xmlNode*) {}
    } visitor{name, f};
    xml::walk(root, visitor);
}

xml::DocPtr parse_required(const std::string& name, const std::optional<std::string>& bytes,
                           const std::string& missing) {
    if (!bytes) refuse(missing);
    auto parsed = xml::parse_xml(*bytes);
    if (!parsed.doc)
        refuse("is damaged: " + name + " is not well-formed XML" +
               (parsed.error.empty() ? std::string() : " (" + parsed.error + ")"));
    return std::move(parsed.doc);
}

std::string package_path(ZipArchive& zip) {
    const auto container =
        parse_required("META-INF/container.xml", zip.read("META-INF/container.xml"),
                       "has no META-INF/container.xml: it is not an EPUB, or it is damaged");
    std::string path;
    for_each_element(reinterpret_cast<xmlNode*>(container.get()), "rootfile", [&](xmlNode* n) {
        const auto type = xml::attribute(n, "media-type").value_or("");
        if (path.empty() && (type.empty() || type == "application/oebps-package+xml"))
            path = resolve_path("", xml::attribute(n, "full-path").value_or(""));
    });
    if (path.empty()) refuse("is damaged: META-INF/container.xml names no package document");
    return path;
}

Package read_package(ZipArchive& zip, const std::string& path) {
    const auto opf = parse_required(path, zip.read(path),
                                    "is damaged: its package document " + path +
                                        " (named in META-INF/container.xml) is missing");
    Package package;
    const auto dir = directory_of(path);
    auto* root = reinterpret_cast<xmlNode*>(opf.get());
    for_each_element(root, "item", [&](xmlNode* n) {
        const auto id = xml::attribute(n, "id").value_or("");
        const auto href = xml::attribute(n, "href").value_or("");
        package.manifest.emplace(
            id, Item{resolve_path(dir, href), xml::attribute(n, "media-type").value_or("")});
    });
    for_each_element(root, "itemref", [&](xmlNode* n) {
        package.spine.push_back({xml::attribute(n, "idref").value_or(""),
                                 xml::attribute(n, "linear").value_or("yes") != "no"});
    });
    if (package.spine.empty())
        refuse("has no chapters: its package document " + path + " has an empty spine");
    if (package.spine.size() > ZipArchive::max_entries)
        refuse("is damaged: its spine lists " + std::to_string(package.spine.size()) +
               " chapters, more than the limit of " + std::to_string(ZipArchive::max_entries));
    return package;
}

bool is_font(const std::string& path, const std::map<std::string, std::string>& media_types) {
    const auto it = media_types.find(path);
    const auto type = it == media_types.end() ? "" : lower(it->second);
    if (type.find("font") != std::string::npos || type.find("opentype") != std::string::npos)
        return true;
    const auto dot = path.rfind('.');
    const auto ext = dot == std::string::npos ? "" : lower(path.substr(dot + 1));
    return ext == "ttf" || ext == "otf" || ext == "woff" || ext == "woff2" || ext == "eot" ||
           ext == "ttc";
}

// Font obfuscation (IDPF, Adobe) lists fonts only and is harmless; DRM encrypts the content.
void refuse_drm(ZipArchive& zip, const Package& package, DocumentBuilder& builder) {
    const auto bytes = zip.read("META-INF/encryption.xml");
    if (!bytes) return;
    const auto parsed = xml::parse_xml(*bytes);
    if (!parsed.doc) {
        builder.warn("the EPUB's META-INF/encryption.xml cannot be read (" + parsed.error + ")");
        return;
    }
    std::map<std::string, std::string> media_types;
    for (const auto& [id, item] : package.manifest)
        media_types.emplace(item.path, item.media_type);
    std::string encrypted;
    for_each_element(reinterpret_cast<xmlNode*>(parsed.doc.get()), "CipherReference",
                     [&](xmlNode* n) {
                         const auto path = resolve_path("", xml::attribute(n, "URI").value_or(""));
                         if (encrypted.empty() && !is_font(path, media_types)) encrypted = path;
                     });
    if (!encrypted.empty())
        throw Error(errc::invalid_argument,
                    "the EPUB is DRM-protected (META-INF/encryption.xml lists its content, such "
                    "as " +
                        encrypted +
                        "); remove the DRM with the publisher's tools or use a "
                        "DRM-free copy");
}

bool is_content_document(const Item& item) {
    const auto type = lower(item.media_type);
    if (type == "application/xhtml+xml" || type == "text/html") return true;
    const auto ext = lower(item.path.substr(item.path.rfind('.') + 1));
    return type.empty() && (ext == "xhtml" || ext == "html" || ext == "htm");
}

// A chapter's text; XHTML that is not well-formed (&nbsp; without a DTD is common) is read
// as HTML.
void add_chapter(const std::string& path, const std::string& bytes, DocumentBuilder& builder,
                 HtmlTextStats& total) {
    auto parsed = xml::parse_xml(bytes);
    auto doc = parsed.doc ? std::move(parsed.doc)
                          : parse_html_bytes(bytes, "the EPUB's chapter " + path, builder);
    const auto stats = add_html_text(doc.get(), builder, HtmlWalkOptions{false});
    total.text_bytes += stats.text_bytes;
}

} // namespace

Document read_epub(std::string_view bytes, const ReadOptions& options) {
    ZipArchive zip(bytes, options, "EPUB");
    const auto package = read_package(zip, package_path(zip));
    DocumentBuilder builder(DocumentFormat::epub);
    refuse_drm(zip, package, builder);

    HtmlTextStats total;
    std::size_t found = 0, listed = 0;
    for (const auto& chapter : package.spine) {
        if (!chapter.linear) continue; // outside the reading order (notes, pop-ups)
        const auto item = package.manifest.find(chapter.idref);
        if (item == package.manifest.end()) {
            builder.warn("the EPUB's spine names \"" + chapter.idref +
                         "\", which its manifest does not list");
            continue;
        }
        if (!is_content_document(item->second)) continue; // images, SVG
        ++listed;
        const auto content = zip.read(item->second.path);
        if (!content) {
            builder.warn("the EPUB's chapter " + item->second.path + " is missing from the file");
            continue;
        }
        ++found;
        try {
            add_chapter(item->second.path, *content, builder, total);
        } catch (const Error& e) {
            builder.warn(e.message() + "; the chapter was left out");
        }
    }
    if (listed > 0 && found == 0) refuse("is damaged: none of its chapters are in the file");
    if (total.text_bytes == 0) refuse("has no text (its chapters are empty or only images)");
    return std::move(builder).finish();
}

} // namespace mcqgen::detail
