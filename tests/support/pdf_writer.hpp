#pragma once
// A small PDF writer for test fixtures: pages of Helvetica text lines at given positions, an
// inline-image "scan" page, a ligature glyph mapped to U+FB01 by a /ToUnicode CMap, /PageLabels
// and an outline; the cross-reference table is computed, so the files are valid. Plus damaged
// variants of a file and encryption through the qpdf program when it is installed.
//
// Everything is made at test time from code; nothing here reads a binary fixture.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace test_support::pdf {

/// In the ligature font, this byte draws the "fi" glyph and maps to U+FB01.
inline constexpr char fi_ligature = '\x01';

/// One line of text, drawn from (x, y) in points from the page's bottom-left corner (the page is
/// 612 x 792, US Letter). Bytes are WinAnsi; with `ligature` the line uses the font in which
/// `fi_ligature` is the "fi" ligature.
struct Line {
    double x = 72;
    double y = 720;
    std::string text;
    bool ligature = false;
};

struct Page {
    std::vector<Line> lines;
    bool image = false; ///< a grey inline image covering most of the page, as a scan has

    Page& line(double x, double y, std::string text) {
        lines.push_back({x, y, std::move(text), false});
        return *this;
    }
    Page& ligature_line(double x, double y, std::string text) {
        lines.push_back({x, y, std::move(text), true});
        return *this;
    }
    Page& scan() {
        image = true;
        return *this;
    }
};

/// A bookmark: `level` 1 is the top, `page` is 0-based.
struct OutlineEntry {
    int level = 1;
    std::string title;
    int page = 0;
};

class Writer {
  public:
    std::vector<Page> pages;
    /// The catalog's /PageLabels number tree, e.g. "<< /Nums [0 << /S /r >> 2 << /S /D >>] >>".
    std::string page_labels;
    std::vector<OutlineEntry> outline;

    Page& add_page() { return pages.emplace_back(); }

    /// The PDF file.
    std::string write() const {
        Objects objects;
        const int catalog = objects.reserve();
        const int page_tree = objects.reserve();
        const int font = objects.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                                     "/Encoding /WinAnsiEncoding >>");
        const int cmap = objects.add(stream(ligature_cmap()));
        const int ligature_font = objects.add(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
            "/BaseEncoding /WinAnsiEncoding /Differences [1 /fi] >> /ToUnicode " +
            ref(cmap) + " >>");
        const std::string resources =
            "<< /Font << /F1 " + ref(font) + " /F2 " + ref(ligature_font) + " >> >>";

        std::vector<int> page_ids;
        for (const auto& page : pages) {
            const int content = objects.add(stream(content_of(page)));
            page_ids.push_back(objects.add("<< /Type /Page /Parent " + ref(page_tree) +
                                           " /MediaBox [0 0 612 792] /Resources " + resources +
                                           " /Contents " + ref(content) + " >>"));
        }
        std::string kids;
        for (int id : page_ids)
            kids += ref(id) + " ";
        objects.set(page_tree, "<< /Type /Pages /Kids [" + kids + "] /Count " +
                                   std::to_string(page_ids.size()) + " >>");

        std::string catalog_dict = "<< /Type /Catalog /Pages " + ref(page_tree);
        if (!page_labels.empty()) catalog_dict += " /PageLabels " + page_labels;
        if (!outline.empty())
            catalog_dict +=
                " /Outlines " + ref(write_outline(objects, page_ids)) + " /PageMode /UseOutlines";
        objects.set(catalog, catalog_dict + " >>");
        return objects.file(catalog);
    }

    /// A PDF literal string: ( ) and \ escaped.
    static std::string literal(std::string_view text) {
        std::string out = "(";
        for (char c : text) {
            if (c == '(' || c == ')' || c == '\\') out += '\\';
            out += c;
        }
        return out + ")";
    }

  private:
    class Objects {
      public:
        int reserve() {
            bodies_.emplace_back();
            return static_cast<int>(bodies_.size());
        }
        int add(std::string body) {
            bodies_.push_back(std::move(body));
            return static_cast<int>(bodies_.size());
        }
        void set(int id, std::string body) { bodies_[static_cast<std::size_t>(id - 1)] = body; }

        std::string file(int root) const {
            std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
            std::vector<std::size_t> offsets;
            for (std::size_t i = 0; i < bodies_.size(); ++i) {
                offsets.push_back(out.size());
                out += std::to_string(i + 1) + " 0 obj\n" + bodies_[i] + "\nendobj\n";
            }
            const std::size_t xref = out.size();
            out += "xref\n0 " + std::to_string(bodies_.size() + 1) + "\n0000000000 65535 f \n";
            char entry[32];
            for (std::size_t offset : offsets) {
                std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
                out += entry;
            }
            out += "trailer\n<< /Size " + std::to_string(bodies_.size() + 1) + " /Root " +
                   ref(root) + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
            return out;
        }

      private:
        std::vector<std::string> bodies_;
    };

    static std::string ref(int id) { return std::to_string(id) + " 0 R"; }

    static std::string stream(const std::string& data) {
        return "<< /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
    }

    static std::string content_of(const Page& page) {
        std::ostringstream out;
        if (page.image) // 4x4 grey pixels, hex-encoded, scaled to 468 x 648 points
            out << "q 468 0 0 648 72 72 cm BI /W 4 /H 4 /CS /G /BPC 8 /F /AHx ID\n"
                   "10204060 80A0C0E0 F0D0B090 70503010> EI Q\n";
        for (const auto& line : page.lines)
            out << "BT /" << (line.ligature ? "F2" : "F1") << " 11 Tf " << line.x << ' ' << line.y
                << " Td " << literal(line.text) << " Tj ET\n";
        return out.str();
    }

    static std::string ligature_cmap() {
        return "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
               "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
               "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
               "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
               "1 beginbfchar\n<01> <FB01>\nendbfchar\n"
               "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
    }

    // The outline as a tree of items under one /Outlines dictionary; returns its id.
    int write_outline(Objects& objects, const std::vector<int>& page_ids) const {
        struct Item {
            int id, parent, level;
            std::vector<int> children; // indexes into items
        };
        std::vector<Item> items;
        const int root = objects.reserve();
        items.push_back({root, -1, 0, {}});
        std::vector<int> open{0}; // the chain of items the next one may nest under
        for (const auto& entry : outline) {
            while (items[static_cast<std::size_t>(open.back())].level >= entry.level)
                open.pop_back();
            const int index = static_cast<int>(items.size());
            items.push_back({objects.reserve(), open.back(), entry.level, {}});
            items[static_cast<std::size_t>(open.back())].children.push_back(index);
            open.push_back(index);
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
            const auto& item = items[i];
            std::string dict =
                i == 0 ? "<< /Type /Outlines" : "<< /Title " + literal(outline[i - 1].title);
            if (i > 0) {
                const auto& parent = items[static_cast<std::size_t>(item.parent)];
                dict += " /Parent " + ref(parent.id);
                const auto& siblings = parent.children;
                for (std::size_t s = 0; s < siblings.size(); ++s) {
                    if (siblings[s] != static_cast<int>(i)) continue;
                    if (s > 0) dict += " /Prev " + ref(items[siblings[s - 1]].id);
                    if (s + 1 < siblings.size()) dict += " /Next " + ref(items[siblings[s + 1]].id);
                }
                const auto page = static_cast<std::size_t>(outline[i - 1].page);
                dict += " /Dest [" + ref(page_ids.at(page)) + " /XYZ 0 792 0]";
            }
            if (!item.children.empty())
                dict += " /First " + ref(items[item.children.front()].id) + " /Last " +
                        ref(items[item.children.back()].id) + " /Count " +
                        std::to_string(item.children.size());
            objects.set(item.id, dict + " >>");
        }
        return root;
    }
};

// ---- Damaged variants -------------------------------------------------------------------------

/// The first `keep` bytes of a file, as an interrupted download leaves it.
inline std::string truncated(const std::string& pdf, std::size_t keep) {
    return pdf.substr(0, keep);
}

/// The file with its startxref offset pointing at nothing (poppler then rebuilds the xref).
inline std::string corrupt_startxref(std::string pdf) {
    const auto at = pdf.rfind("startxref\n");
    if (at == std::string::npos) return pdf;
    const auto begin = at + 10;
    const auto end = pdf.find('\n', begin);
    return pdf.replace(begin, end - begin, "999999");
}

/// A PDF header followed by deterministic noise: no object, no catalog, nothing to repair.
inline std::string garbage_after_header(std::size_t size = 2048, std::uint32_t seed = 7) {
    std::string out = "%PDF-1.7\n";
    while (out.size() < size) {
        seed = seed * 1103515245u + 12345u;
        out += static_cast<char>((seed >> 16) & 0xFF);
    }
    return out;
}

// ---- Encryption through qpdf ------------------------------------------------------------------

inline bool have_qpdf() {
    return std::system("qpdf --version >/dev/null 2>&1") == 0;
}

/// `pdf` encrypted with AES-256 by qpdf (an empty user password gives an owner-password-only
/// file, which opens without a password); nullopt when qpdf is missing or fails.
inline std::optional<std::string> encrypted(const std::string& pdf, const std::string& user,
                                            const std::string& owner,
                                            const std::filesystem::path& work_dir,
                                            const std::string& extra_options = "") {
    const auto in = work_dir / "plain.pdf";
    const auto out = work_dir / "encrypted.pdf";
    std::ofstream(in, std::ios::binary) << pdf;
    const std::string command = "qpdf --encrypt '" + user + "' '" + owner + "' 256 " +
                                extra_options + " -- '" + in.string() + "' '" + out.string() +
                                "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return std::nullopt;
    std::ifstream file(out, std::ios::binary);
    return std::string{std::istreambuf_iterator<char>(file), {}};
}

// ---- Sample documents -------------------------------------------------------------------------

/// A small book: `count` pages, each with the running header `header`, three lines of body
/// text of its own and a footer with the page's printed number, `first_folio` on the first page.
inline Writer book(int count, int first_folio = 1,
                   const std::string& header = "Matter in Our "
                                               "Surroundings") {
    static const char* const topics[] = {"solids",      "liquids",  "gases",     "plasma",
                                         "evaporation", "melting",  "diffusion", "sublimation",
                                         "boiling",     "freezing", "pressure",  "density"};
    Writer writer;
    for (int i = 0; i < count; ++i) {
        const std::string topic = topics[i % 12];
        auto& page = writer.add_page();
        page.line(72, 750, header);
        page.line(72, 690, "This page is about " + topic + ", one of the ways matter behaves,");
        page.line(72, 676, "and the examples of " + topic + " below come from everyday life at");
        page.line(72, 662, "home and in the laboratory, where " + topic + " can be measured.");
        page.line(300, 40, std::to_string(first_folio + i));
    }
    return writer;
}

} // namespace test_support::pdf
