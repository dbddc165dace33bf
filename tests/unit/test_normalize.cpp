// The normalised document model: normalize_text, DocumentBuilder, the plain-text and Markdown
// readers, sniffing, citations and the stored layout.

#include <mcqgen/document.hpp>
#include <mcqgen/errors.hpp>
#if MCQGEN_WITH_PDF
#include <mcqgen/pdf.hpp>
#endif

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

using namespace mcqgen;

namespace {

std::string page_text(int number, const std::string& body) {
    return "A Textbook of Civics    Chapter 3\n\n" + body + "\n\n" + std::to_string(number) + "\n";
}

const Block& block_at(const Document& doc, std::string_view needle) {
    const auto at = doc.text().find(needle);
    REQUIRE(at != std::string::npos);
    for (const auto& b : doc.blocks())
        if (at >= b.begin && at < b.end) return b;
    FAIL("no block holds the text");
    return doc.blocks().front();
}

ReadOptions named(std::string name) {
    ReadOptions options;
    options.name_hint = std::move(name);
    return options;
}

} // namespace

TEST_SUITE("normalize") {
    TEST_CASE("ligatures and soft hyphens and zero-width characters and exotic spaces and CR go") {
        CHECK(normalize_text("e\xEF\xAC\x83"
                             "cient de\xEF\xAC\x81nition") == "efficient definition");
        CHECK(normalize_text("co\xC2\xAD"
                             "operation") == "cooperation");
        CHECK(normalize_text("zero\xE2\x80\x8Bwidth\xEF\xBB\xBF") == "zerowidth");
        CHECK(normalize_text("a\xC2\xA0"
                             "b\xE2\x80\x89"
                             "c") == "a b c");
        CHECK(normalize_text("one\r\ntwo\rthree") == "one\ntwo\nthree");
        CHECK(normalize_text("bell\x07 and tab\t") == "bell and tab\t");
        CHECK(normalize_text("bad \xC3 byte") == "bad \xEF\xBF\xBD byte");
        CHECK(normalize_text("Hindi \xE0\xA4\xAD\xE0\xA4\xBE\xE0\xA4\xB0\xE0\xA4\xA4 stays") ==
              "Hindi \xE0\xA4\xAD\xE0\xA4\xBE\xE0\xA4\xB0\xE0\xA4\xA4 stays");
    }

    TEST_CASE("plain text: hard-wrapped lines join and hyphenation is undone but paragraphs stay") {
        const auto doc = Document::from_text("The Parliament of India has two\n"
                                             "houses, the Lok Sabha and the Rajya Sa-\n"
                                             "bha, which meet in New Delhi.\n\n"
                                             "The President summons both houses.\n");
        CHECK(doc.text() == "The Parliament of India has two houses, the Lok Sabha and the Rajya "
                            "Sabha, which meet in New Delhi.\n\nThe President summons both "
                            "houses.");
        REQUIRE(doc.blocks().size() == 2);
        CHECK(doc.blocks()[0].kind == BlockKind::prose);
        CHECK(doc.pages().empty()); // plain text cites no pages
    }

    TEST_CASE("a short line that ends with an initial does not end its paragraph") {
        const std::string rest =
            "Later editions came from Eric Raymond, who kept the file online.\n"
            "It is still read today, and it has been printed as a book.\n";
        const auto with_initial = Document::from_text("It was edited by Guy L.\nSteele. " + rest);
        CHECK(with_initial.text().find("Guy L. Steele. Later") != std::string::npos);
        CHECK(with_initial.blocks().size() == 1);
        const auto with_word = Document::from_text("It was edited by Guy.\nSteele. " + rest);
        CHECK(with_word.blocks().size() == 2); // a short line that ends a sentence ends it
    }

    TEST_CASE("lists and code and tables are marked as such and not as prose") {
        const auto doc = Document::from_text("Rivers of India flow to two seas.\n\n"
                                             "- The Ganga flows east.\n"
                                             "- The Narmada flows west.\n\n"
                                             "    $ make install\n"
                                             "    $ make check\n\n"
                                             "State\tCapital\nKerala\tThiruvananthapuram\n"
                                             "Bihar\tPatna\n");
        CHECK(block_at(doc, "Rivers").kind == BlockKind::prose);
        CHECK(block_at(doc, "The Ganga").kind == BlockKind::list);
        CHECK(block_at(doc, "The Narmada").kind == BlockKind::list);
        CHECK(doc.text().find("- The Ganga") == std::string::npos); // the bullet goes
        CHECK(block_at(doc, "make install").kind == BlockKind::code);
        CHECK(block_at(doc, "Patna").kind == BlockKind::table);
    }

    TEST_CASE("form-fed pages lose their running header and page number") {
        std::string text;
        const char* bodies[] = {"Rivers carry silt to the plains.", "Monsoon winds bring rain.",
                                "Forests cover a fifth of the land.", "Deserts lie to the west."};
        for (int p = 1; p <= 4; ++p)
            text += page_text(p, bodies[p - 1]) + "\f";
        const auto doc = Document::from_text(text);
        CHECK(doc.text().find("Textbook of Civics") == std::string::npos);
        CHECK(doc.text().find("Forests cover a fifth of the land.") != std::string::npos);
        for (const char* folio : {"\n1\n", "\n2\n", "\n3\n"})
            CHECK(doc.text().find(folio) == std::string::npos);
    }

    TEST_CASE(
        "the builder cites pages with printed folios and labels and joins across page breaks") {
        DocumentBuilder builder(DocumentFormat::pdf);
        builder.outline(1, "Chapter 3");
        builder.page("Header line\nChapter 3\nThe Constitution came into force on 26 January "
                     "1950, and it estab-\n",
                     "iii");
        builder.page("Header line\nlished a republic. Dr B. R. Ambedkar chaired the Drafting "
                     "Committee.\n\n41\n",
                     "iv");
        builder.page("Header line\nThe Preamble begins with the words We the people.\n\n42\n");
        builder.page("Header line\nFundamental rights are listed in Part III.\n\n43\n");
        const auto doc = std::move(builder).finish();
        CHECK(doc.text().find("Header line") == std::string::npos);
        CHECK(doc.text().find("it established a republic.") != std::string::npos);
        REQUIRE(doc.pages().size() == 4);
        CHECK(doc.pages()[0].label == "iii");
        CHECK(doc.pages()[1].printed == "41");
        CHECK(doc.pages()[2].printed == "42");

        const auto at = doc.text().find("Ambedkar");
        const auto second = doc.cite(at, at + 8);
        CHECK(second.page == 2);
        CHECK(second.section == "Chapter 3");
        const auto first = doc.cite(doc.text().find("came into force"), 0);
        CHECK(first.page == 1);
        CHECK(block_at(doc, "Chapter 3").kind == BlockKind::heading);
    }

    TEST_CASE("Markdown: headings nest into sections and fences and lists and tables are marked") {
        const auto doc = Document::from_bytes("# Chapter 3\n\nIntro text is here.\n\n"
                                              "## Resources\n\nCoal is a *fossil* fuel found in "
                                              "[Jharkhand](https://example.org).\n\n"
                                              "```\nint main() {}\n```\n\n"
                                              "* soil\n* water\n\n"
                                              "| a | b |\n|---|---|\n| 1 | 2 |\n",
                                              named("notes.md"));
        CHECK(doc.format() == DocumentFormat::markdown);
        const auto at = doc.text().find("Coal is a fossil fuel found in Jharkhand.");
        REQUIRE(at != std::string::npos);
        CHECK(doc.cite(at, at + 4).section == "Chapter 3 \xE2\x80\xBA Resources");
        CHECK(block_at(doc, "int main").kind == BlockKind::code);
        CHECK(block_at(doc, "soil").kind == BlockKind::list);
        CHECK(block_at(doc, "Resources").kind == BlockKind::heading);
        CHECK(doc.text().find("https://") == std::string::npos);
    }

    TEST_CASE("sniffing goes by content and a name decides only text against Markdown") {
        CHECK(Document::from_bytes("<!DOCTYPE html><html><body><p>Hello there, reader of "
                                   "pages.</p></body></html>")
                  .format() == DocumentFormat::html);
        CHECK(Document::from_bytes("# One\n\nText.\n\n# Two\n\nMore text.\n").format() ==
              DocumentFormat::markdown);
        CHECK(Document::from_bytes("# One\n\nText.\n\n# Two\n\nMore.\n", named("a.txt")).format() ==
              DocumentFormat::text);
        CHECK_THROWS_WITH_AS(Document::from_bytes("\x89PNG\r\n\x1a\n...."),
                             doctest::Contains("OCR"), Error);
        CHECK_THROWS_WITH_AS(Document::from_bytes("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest"),
                             doctest::Contains("DOCX"), Error);
        CHECK_THROWS_WITH_AS(Document::from_bytes("PK\x03\x04 not an office file"),
                             doctest::Contains("neither DOCX nor EPUB"), Error);
        CHECK_THROWS_WITH_AS(Document::from_bytes("plain words", named("scan.pdf")),
                             doctest::Contains("not a PDF"), Error);
        CHECK(Document::from_bytes("<div><p>A fragment of a page with a paragraph.</p></div>")
                  .format() == DocumentFormat::html);
        const std::string utf16_html("\xFF\xFE<\0p\0>\0H\0i\0 \0t\0h\0e\0r\0e\0<\0/\0p\0>\0", 30);
        CHECK(Document::from_bytes(utf16_html).format() == DocumentFormat::html);
    }

    TEST_CASE("UTF-16 with a byte-order mark is decoded") {
        const std::string le("\xFF\xFE"
                             "H\0i\0 \0t\0h\0e\0r\0e\0",
                             18);
        CHECK(Document::from_bytes(le).text() == "Hi there");
        const std::string be("\xFE\xFF\0O\0k", 6);
        CHECK(Document::from_bytes(be).text() == "Ok");
        CHECK_THROWS_AS(Document::from_bytes(std::string("\xFF\xFE\x00\xD8", 4)), Error);
    }

    TEST_CASE("a document over the size limit is refused before it is read") {
        ReadOptions small;
        small.max_bytes = 10;
        CHECK_THROWS_WITH_AS(Document::from_bytes("more than ten bytes here", small),
                             doctest::Contains("over the limit"), Error);
    }

    TEST_CASE("layout() and restore() give back the same document") {
        const auto doc =
            Document::from_bytes("# Title\n\nSome prose is here.\n\n- an item\n", named("x.md"));
        const auto back = Document::restore(doc.text(), doc.layout());
        CHECK(back.text() == doc.text());
        CHECK(back.layout() == doc.layout());
        CHECK(back.cite(doc.text().find("prose"), 0).section == "Title");
        CHECK_THROWS_AS(Document::restore("short", doc.layout()), Error);
        CHECK_THROWS_AS(Document::restore(doc.text(), "{not json"), Error);
    }

    TEST_CASE("without a PDF reader installed a PDF is refused with how to enable one") {
        install_reader(DocumentFormat::pdf, nullptr); // as in a build without mcqgen::pdf
        CHECK_THROWS_WITH_AS(Document::from_bytes("%PDF-1.4\n1 0 obj <<>> endobj\n"),
                             doctest::Contains("-DMCQGEN_WITH_PDF=ON"), Error);
#if MCQGEN_WITH_PDF
        enable_pdf(); // as it was, for the PDF tests later in this process
#endif
    }

    TEST_CASE("a document with no text once read is refused") {
        CHECK_THROWS_AS(Document::from_bytes("\xE2\x80\x8B\xE2\x80\x8B\n"), Error);
    }
}
