// The DOCX reader, through Document::from_bytes / from_file, on Word files built here with
// libzip: runs, headings by style, lists, tables, tracked changes, fields, and refusals of
// damaged files and zip bombs.

#include "test_support.hpp"
#include "zip_writer.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using mcqgen::BlockKind;
using mcqgen::Document;
using mcqgen::DocumentFormat;
using test_support::docx_bytes;
using test_support::refusal;
using test_support::ZipWriter;

namespace {

std::string para(const std::string& runs, const std::string& properties = "") {
    return "<w:p>" + (properties.empty() ? "" : "<w:pPr>" + properties + "</w:pPr>") + runs +
           "</w:p>";
}

std::string run(const std::string& text) {
    return "<w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r>";
}

std::string styled(const std::string& style, const std::string& text) {
    return para(run(text), "<w:pStyle w:val=\"" + style + "\"/>");
}

// Styles as Word writes them: ids may be translated, names are the English built-in ones.
const std::string styles =
    R"(<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="heading 2"/></w:style>
<w:style w:type="paragraph" w:styleId="Kapitel"><w:name w:val="Kapitel"/><w:basedOn w:val="berschrift1"/></w:style>
<w:style w:type="paragraph" w:styleId="Titel"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Listenabsatz"><w:name w:val="List Paragraph"/></w:style>)";

Document docx(const std::string& body, const std::string& style_xml = styles) {
    return Document::from_bytes(docx_bytes(body, style_xml));
}

bool has(const Document& doc, const std::string& text) {
    return doc.text().find(text) != std::string::npos;
}

BlockKind kind_of(const Document& doc, const std::string& text) {
    const auto at = doc.text().find(text);
    REQUIRE(at != std::string::npos);
    for (const auto& b : doc.blocks())
        if (at >= b.begin && at < b.end) return b.kind;
    FAIL("no block holds " << text);
    return BlockKind::prose;
}

std::string section_of(const Document& doc, const std::string& text) {
    const auto at = doc.text().find(text);
    REQUIRE(at != std::string::npos);
    return doc.cite(at, at + 1).section;
}

bool contains(const std::string& message, const std::string& part) {
    const bool found = message.find(part) != std::string::npos;
    if (!found) MESSAGE("message: " << message);
    return found;
}

} // namespace

TEST_SUITE("docx_reader") {
    TEST_CASE("a word split across runs reads whole - runs join without spaces") {
        const auto doc = docx(para("<w:r><w:t>Photo</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>"
                                   "<w:t>syn</w:t></w:r><w:r><w:t>thesis makes food.</w:t></w:r>"));
        CHECK(doc.format() == DocumentFormat::docx);
        CHECK(doc.text() == "Photosynthesis makes food.");
    }

    TEST_CASE("tabs breaks and hyphens become characters - soft hyphens vanish") {
        const auto doc =
            docx(para("<w:r><w:t>Name</w:t><w:tab/><w:t>Value</w:t></w:r>") +
                     para("<w:r><w:t>well</w:t><w:noBreakHyphen/><w:t>known co</w:t><w:softHyphen/>"
                          "<w:t>operation</w:t></w:r>") +
                     para("<w:r><w:t>first line</w:t><w:br/><w:t>second line</w:t></w:r>",
                          "<w:pStyle w:val=\"HTMLPreformatted\"/>"),
                 styles + R"(<w:style w:type="paragraph" w:styleId="HTMLPreformatted">
<w:name w:val="HTML Preformatted"/></w:style>)");
        CHECK((has(doc, "Name\tValue") || has(doc, "Name Value"))); // prose joins white space
        CHECK(has(doc, "well-known cooperation"));
        CHECK(has(doc, "first line\nsecond line"));
        CHECK(kind_of(doc, "first line") == BlockKind::code);
    }

    TEST_CASE("spaces at the edges of a run are kept only when preserved") {
        const auto doc = docx(para("<w:r><w:t>one</w:t></w:r><w:r><w:t xml:space=\"preserve\"> "
                                   "two </w:t></w:r><w:r><w:t>  three  </w:t></w:r>"));
        CHECK(doc.text() == "one two three");
    }

    TEST_CASE("headings by style name give sections whatever the style ids") {
        const auto doc = docx(styled("Titel", "The Book") + styled("berschrift1", "Chapter 1") +
                              para(run("Intro text.")) + styled("berschrift2", "Resources") +
                              para(run("Water is a resource.")) + styled("Kapitel", "Chapter 2") +
                              para(run("Later text.")));
        CHECK(section_of(doc, "Intro text") == "Chapter 1");
        CHECK(section_of(doc, "Water is") == "Chapter 1 \xE2\x80\xBA Resources");
        CHECK(section_of(doc, "Later text") == "Chapter 2"); // based on heading 1
        CHECK(kind_of(doc, "Resources") == BlockKind::heading);
        CHECK(kind_of(doc, "The Book") == BlockKind::heading);
    }

    TEST_CASE("without styles.xml style ids and outline levels still give headings") {
        const auto doc =
            docx(styled("Heading1", "Part A") + para(run("Alpha text.")) +
                     para(run("Part B"), "<w:outlineLvl w:val=\"0\"/>") + para(run("Beta text.")),
                 "");
        CHECK(section_of(doc, "Alpha text") == "Part A");
        CHECK(section_of(doc, "Beta text") == "Part B");
    }

    TEST_CASE("list paragraphs are lists - tables are tables one row a line") {
        const auto doc =
            docx(para(run("Plain prose here.")) +
                 para(run("First item"),
                      "<w:pStyle w:val=\"Listenabsatz\"/><w:numPr><w:ilvl w:val=\"0\"/>"
                      "<w:numId w:val=\"3\"/></w:numPr>") +
                 "<w:tbl><w:tblPr/><w:tblGrid/><w:tr><w:tc><w:tcPr/>" + para(run("State")) +
                 "</w:tc><w:tc>" + para(run("Capital")) + "</w:tc></w:tr><w:tr><w:tc>" +
                 para(run("Kerala")) + "</w:tc><w:tc>" + para(run("Thiruvananthapuram")) +
                 "</w:tc></w:tr></w:tbl>");
        CHECK(kind_of(doc, "Plain prose") == BlockKind::prose);
        CHECK(kind_of(doc, "First item") == BlockKind::list);
        CHECK(kind_of(doc, "Kerala") == BlockKind::table);
        CHECK(has(doc, "State\tCapital\nKerala\tThiruvananthapuram"));
    }

    TEST_CASE("a one-cell table is a box around paragraphs") {
        const auto doc =
            docx("<w:tbl><w:tr><w:tc>" + para(run("Boxed prose.")) + "</w:tc></w:tr></w:tbl>");
        CHECK(kind_of(doc, "Boxed prose") == BlockKind::prose);
    }

    TEST_CASE("tracked deletions and field codes are not text - insertions and results are") {
        const auto doc = docx(
            para(run("Rivers ") +
                 "<w:del w:id=\"1\" w:author=\"A\"><w:r><w:delText>never </w:delText>"
                 "</w:r></w:del><w:ins w:id=\"2\" w:author=\"A\">" +
                 run("often ") + "</w:ins>" + run("flood. See page ") +
                 "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGEREF _Toc1 "
                 "\\h </w:instrText></w:r><w:r><w:t>hidden-instruction</w:t></w:r>"
                 "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>" +
                 run("12") + "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>" + run(".")));
        CHECK(doc.text() == "Rivers often flood. See page 12.");
    }

    TEST_CASE("content that Word writes twice (a choice and its fallback) reads once") {
        const auto doc =
            docx(para(run("Before. ") +
                      "<w:r><mc:AlternateContent "
                      "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\">"
                      "<mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent>" +
                      para(run("Box text.")) +
                      "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>"
                      "<w:txbxContent>" +
                      para(run("Box text.")) +
                      "</w:txbxContent></w:pict></mc:Fallback>"
                      "</mc:AlternateContent></w:r>"));
        const auto first = doc.text().find("Box text.");
        REQUIRE(first != std::string::npos);
        CHECK(doc.text().find("Box text.", first + 1) == std::string::npos);
        CHECK(has(doc, "Before."));
    }

    TEST_CASE("a DOCX is read by its content even named .txt") {
        test_support::TempDir dir;
        const auto path = dir / "notes.txt";
        ZipWriter zip;
        {
            std::ofstream out(path, std::ios::binary);
            out << docx_bytes(para(run("Read as Word.")));
        }
        const auto doc = Document::from_file(path);
        CHECK(doc.format() == DocumentFormat::docx);
        CHECK(doc.text() == "Read as Word.");
    }

    TEST_CASE("a damaged or truncated DOCX is refused") {
        const auto good = docx_bytes(para(run("Some text that fills the document up.")));
        const auto directory = good.find("PK\x01\x02"); // the central directory: cut there
        REQUIRE(directory != std::string::npos);
        CHECK(contains(refusal(good.substr(0, directory + 10)), "damaged or truncated"));

        // Flip bytes inside word/document.xml's compressed data.
        auto corrupt = good;
        const auto at = corrupt.find("word/document.xml");
        REQUIRE(at != std::string::npos);
        for (std::size_t i = at + 40; i < at + 60; ++i)
            corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
        CHECK(contains(refusal(corrupt), "damaged"));
    }

    TEST_CASE("a zip without word/document.xml or with broken XML in it is refused") {
        ZipWriter other;
        other.add("word/document.xml.bak", "<w:document/>");
        CHECK(contains(refusal(other.bytes()), "no word/document.xml"));

        ZipWriter broken;
        broken.add("word/document.xml", "<w:document><w:body><w:p>unclosed</w:body>");
        CHECK(contains(refusal(broken.bytes()), "not well-formed XML"));

        ZipWriter latin1;
        latin1.add("word/document.xml",
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\""
                   "http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p>"
                   "<w:r><w:t>caf\xE9</w:t></w:r></w:p></w:body></w:document>");
        CHECK(contains(refusal(latin1.bytes()), "UTF-8"));
    }

    TEST_CASE("a DOCX with no text is refused") {
        CHECK(contains(refusal(docx_bytes(para("")), {}), "has no text"));
    }

    TEST_CASE("an entry declaring a huge size is refused before it is read") {
        const auto zip = test_support::with_declared_size(docx_bytes(para(run("Small."))),
                                                          "word/document.xml", 0x7FFFFFF0u);
        CHECK(contains(refusal(zip), "over the limit of 64 MiB (ReadOptions::max_entry_bytes)"));
    }

    TEST_CASE("an entry compressed far beyond the ratio limit is refused") {
        const std::string padding(3u << 20, ' ');
        const auto zip = docx_bytes(para(run("Small.")) + padding);
        CHECK(contains(refusal(zip), ":1 (ReadOptions::max_ratio)"));
    }

    TEST_CASE("an entry holding more than its header declares is refused") {
        const auto zip = test_support::with_declared_size(
            docx_bytes(para(run("A paragraph long enough to be more than the lie."))),
            "word/document.xml", 40);
        CHECK(contains(refusal(zip), "holding more than the 40 bytes its header declares"));
    }

    TEST_CASE("an archive with too many entries is refused") {
        ZipWriter zip;
        zip.add("word/document.xml", "<w:document/>");
        for (int i = 0; i < 10001; ++i)
            zip.add("word/media/f" + std::to_string(i), "", ZipWriter::Method::stored);
        CHECK(contains(refusal(zip.bytes()), "holds 10002 files, more than the limit of 10000"));
    }

    TEST_CASE("more than the total limit unpacked is refused") {
        mcqgen::ReadOptions options;
        options.max_total_bytes = 200;
        const auto zip = docx_bytes(para(run(std::string(300, 'a'))));
        CHECK(contains(refusal(zip, options), "in all (ReadOptions::max_total_bytes)"));
    }

    TEST_CASE("entity bombs and external entities are not expanded") {
        const std::string w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/"
                              "2006/main\"";
        std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY a0 "
                           "\"lollollollollollollollollollol\">";
        for (int i = 1; i <= 12; ++i) {
            bomb += "<!ENTITY a" + std::to_string(i) + " \"";
            for (int k = 0; k < 10; ++k)
                bomb += "&a" + std::to_string(i - 1) + ";";
            bomb += "\">";
        }
        bomb += "]><w:document " + w +
                "><w:body><w:p><w:r><w:t>Bomb &a12;</w:t></w:r></w:p>"
                "</w:body></w:document>";
        ZipWriter bombed;
        bombed.add("word/document.xml", bomb);
        const auto start = std::chrono::steady_clock::now();
        const auto message = refusal(bombed.bytes());
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
        if (message.empty()) {
            const auto doc = Document::from_bytes(bombed.bytes());
            CHECK(doc.text().size() < 1000);
        }

        test_support::TempDir dir;
        {
            std::ofstream secret(dir / "secret.txt");
            secret << "TOP-SECRET-CONTENT";
        }
        const std::string xxe = "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "
                                "\"file://" +
                                (dir / "secret.txt").string() + "\">]><w:document " + w +
                                "><w:body><w:p><w:r><w:t>Visible &x; text</w:t></w:r></w:p>"
                                "</w:body></w:document>";
        ZipWriter external;
        external.add("word/document.xml", xxe);
        const auto doc = Document::from_bytes(external.bytes());
        CHECK(has(doc, "Visible"));
        CHECK(!has(doc, "TOP-SECRET"));
    }

    TEST_CASE("deep nesting is refused and bad input prints nothing") {
        std::string deep;
        for (int i = 0; i < 400; ++i)
            deep += "<w:sdt><w:sdtContent>";
        deep += para(run("Deep."));
        for (int i = 0; i < 400; ++i)
            deep += "</w:sdtContent></w:sdt>";
        std::string message;
        const auto printed = test_support::stderr_of([&] {
            message = refusal(docx_bytes(deep));
            (void)refusal(docx_bytes("<w:p><w:r>broken"));
        });
        CHECK(contains(message, "nest more than 256 deep"));
        CHECK(printed.empty());
    }
}
