// The EPUB reader, through Document::from_bytes / from_file, on books built here with
// libzip: spine order, chapters as sections, sloppy XHTML, DRM, missing parts, zip bombs.

#include "test_support.hpp"
#include "zip_writer.hpp"

#include <doctest/doctest.h>

#include <string>

using mcqgen::BlockKind;
using mcqgen::Document;
using mcqgen::DocumentFormat;
using test_support::epub_bytes;
using test_support::opf_xml;
using test_support::refusal;
using test_support::xhtml;

namespace {

bool has(const Document& doc, const std::string& text) {
    return doc.text().find(text) != std::string::npos;
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

// Two chapters, listed in the manifest in the opposite order to the spine.
std::string two_chapter_book() {
    return epub_bytes(
        opf_xml({{"c2", "text/ch2.xhtml"}, {"c1", "text/ch1.xhtml"}}, {"c1", "c2"}),
        {{"OEBPS/text/ch2.xhtml", xhtml("<h1>Chapter 2</h1><p>The second chapter's text.</p>")},
         {"OEBPS/text/ch1.xhtml",
          xhtml("<section><header><h1>Chapter 1</h1></header><p>Opening words.</p>"
                "<h2>Resources</h2><p>Forests are a resource.</p><ul><li>Timber</li></ul>"
                "</section>")}});
}

} // namespace

TEST_SUITE("epub_reader") {
    TEST_CASE("chapters are read in spine order not manifest order") {
        const auto doc = Document::from_bytes(two_chapter_book());
        CHECK(doc.format() == DocumentFormat::epub);
        const auto first = doc.text().find("Opening words.");
        const auto second = doc.text().find("The second chapter's text.");
        REQUIRE(first != std::string::npos);
        REQUIRE(second != std::string::npos);
        CHECK(first < second);
        CHECK(!has(doc, "Chapter</title>"));
        CHECK(!has(doc, "Chapter\n")); // the <title> is not text
    }

    TEST_CASE("chapter headings become sections") {
        const auto doc = Document::from_bytes(two_chapter_book());
        CHECK(section_of(doc, "Opening words") == "Chapter 1");
        CHECK(section_of(doc, "Forests are") == "Chapter 1 \xE2\x80\xBA Resources");
        CHECK(section_of(doc, "second chapter") == "Chapter 2");
        const auto at = doc.text().find("Timber");
        REQUIRE(at != std::string::npos);
        bool list = false;
        for (const auto& b : doc.blocks())
            if (at >= b.begin && at < b.end) list = b.kind == BlockKind::list;
        CHECK(list);
    }

    TEST_CASE("XHTML with &nbsp - and no DTD is read as HTML - with the XHTML DTD as XML") {
        const std::string no_dtd =
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Ten&nbsp;kilometres "
            "&mdash; far.</p></body></html>";
        const std::string with_dtd =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD "
            "XHTML 1.1//EN\" \"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd\">\n<html "
            "xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Five&nbsp;metres&hellip;</p>"
            "</body></html>";
        const auto doc = Document::from_bytes(
            epub_bytes(opf_xml({{"a", "a.xhtml"}, {"b", "b.xhtml"}}, {"a", "b"}),
                       {{"OEBPS/a.xhtml", no_dtd}, {"OEBPS/b.xhtml", with_dtd}}));
        CHECK(has(doc, "Ten kilometres \xE2\x80\x94 far."));
        CHECK(has(doc, "Five metres\xE2\x80\xA6"));
    }

    TEST_CASE("hrefs are percent-decoded and resolved against the package's directory") {
        const auto doc = Document::from_bytes(
            epub_bytes(opf_xml({{"c", "../Text/My%20Chapter.xhtml#start"}}, {"c"}),
                       {{"Text/My Chapter.xhtml", xhtml("<p>Found through the href.</p>")}}));
        CHECK(has(doc, "Found through the href."));
    }

    TEST_CASE("the table of contents notes and page numbers are not text - sidebars are") {
        const auto doc = Document::from_bytes(epub_bytes(
            opf_xml({{"nav", "nav.xhtml"}, {"c", "c.xhtml"}}, {"nav", "c"}),
            {{"OEBPS/nav.xhtml",
              xhtml("<nav epub:type=\"toc\"><ol><li><a href=\"c.xhtml\">Contents entry</a></li>"
                    "</ol></nav>")},
             {"OEBPS/c.xhtml",
              xhtml("<p>Main text<span epub:type=\"pagebreak\" title=\"7\">7</span> goes "
                    "on.</p><aside epub:type=\"footnote\"><p>A footnote.</p></aside>"
                    "<aside><p>Did you know? A sidebar.</p></aside>")}}));
        CHECK(!has(doc, "Contents entry"));
        CHECK(!has(doc, "A footnote."));
        CHECK(has(doc, "Main text goes on."));
        CHECK(has(doc, "Did you know? A sidebar."));
    }

    TEST_CASE("a DRM-protected EPUB is refused - obfuscated fonts are fine") {
        // The font needs no manifest entry: its extension says what it is.
        const std::string opf = opf_xml({{"c", "c.xhtml"}}, {"c"});
        auto encryption = [](const std::string& uri, const std::string& algorithm) {
            return "<encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\" "
                   "xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\"><enc:EncryptedData>"
                   "<enc:EncryptionMethod Algorithm=\"" +
                   algorithm + "\"/><enc:CipherData><enc:CipherReference URI=\"" + uri +
                   "\"/></enc:CipherData></enc:EncryptedData></encryption>";
        };
        const auto drm = epub_bytes(
            opf, {{"META-INF/encryption.xml",
                   encryption("OEBPS/c.xhtml", "http://www.w3.org/2001/04/xmlenc#aes128-cbc")},
                  {"OEBPS/c.xhtml", "\x8F\x12\x99 encrypted bytes"}});
        const auto message = refusal(drm);
        CHECK(contains(message, "DRM-protected"));
        CHECK(contains(message, "use a DRM-free copy"));

        const auto fonts = epub_bytes(
            opf, {{"META-INF/encryption.xml",
                   encryption("OEBPS/fonts/serif.otf", "http://www.idpf.org/2008/embedding")},
                  {"OEBPS/fonts/serif.otf", "obfuscated font bytes"},
                  {"OEBPS/c.xhtml", xhtml("<p>Readable text.</p>")}});
        CHECK(has(Document::from_bytes(fonts), "Readable text."));
    }

    TEST_CASE("a missing chapter is a warning - all missing is an error") {
        const auto partial = Document::from_bytes(
            epub_bytes(opf_xml({{"a", "a.xhtml"}, {"b", "b.xhtml"}}, {"a", "b", "ghost"}),
                       {{"OEBPS/a.xhtml", xhtml("<p>Present chapter.</p>")}}));
        CHECK(has(partial, "Present chapter."));
        REQUIRE(partial.warnings().size() == 2);
        CHECK(contains(partial.warnings()[0], "OEBPS/b.xhtml is missing"));
        CHECK(contains(partial.warnings()[1], "\"ghost\", which its manifest does not list"));

        CHECK(contains(refusal(epub_bytes(opf_xml({{"a", "a.xhtml"}}, {"a"}), {})),
                       "none of its chapters are in the file"));
        CHECK(contains(refusal(epub_bytes(opf_xml({{"a", "a.xhtml"}}, {}),
                                          {{"OEBPS/a.xhtml", xhtml("<p>x</p>")}})),
                       "empty spine"));
    }

    TEST_CASE("an EPUB without container.xml or package or without text is refused") {
        test_support::ZipWriter bare;
        bare.add("mimetype", "application/epub+zip", test_support::ZipWriter::Method::stored);
        bare.add("OEBPS/c.xhtml", xhtml("<p>x</p>"));
        CHECK(contains(refusal(bare.bytes()), "no META-INF/container.xml"));

        test_support::ZipWriter no_package;
        no_package.add("mimetype", "application/epub+zip", test_support::ZipWriter::Method::stored);
        no_package.add("META-INF/container.xml",
                       "<container xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
                       "<rootfiles><rootfile full-path=\"missing.opf\"/></rootfiles></container>");
        CHECK(contains(refusal(no_package.bytes()), "missing.opf"));

        CHECK(
            contains(refusal(epub_bytes(opf_xml({{"a", "a.xhtml"}}, {"a"}),
                                        {{"OEBPS/a.xhtml", xhtml("<p><img src=\"x.png\"/></p>")}})),
                     "has no text"));
    }

    TEST_CASE("a damaged EPUB and a zip bomb in a chapter are refused") {
        const auto book = two_chapter_book();
        const auto directory = book.find("PK\x01\x02");
        REQUIRE(directory != std::string::npos);
        CHECK(contains(refusal(book.substr(0, directory + 4)), "damaged or truncated"));

        const auto bomb =
            epub_bytes(opf_xml({{"a", "a.xhtml"}}, {"a"}),
                       {{"OEBPS/a.xhtml", xhtml("<p>x</p>" + std::string(4u << 20, ' '))}});
        CHECK(contains(refusal(bomb), "(ReadOptions::max_ratio)"));
    }

    TEST_CASE("an EPUB is read by its content whatever its name") {
        test_support::TempDir dir;
        const auto path = dir / "book.zip";
        {
            std::ofstream out(path, std::ios::binary);
            out << two_chapter_book();
        }
        CHECK(Document::from_file(path).format() == DocumentFormat::epub);
    }
}
