// The HTML reader, through Document::from_bytes / from_file: the text a reader sees, its
// headings as sections, its blocks' kinds, encodings, and refusals.

#include "documents/readers.hpp"
#include "test_support.hpp"
#include "zip_writer.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using mcqgen::BlockKind;
using mcqgen::Document;
using mcqgen::DocumentFormat;
using test_support::refusal;

namespace {

Document html(const std::string& body, const std::string& head = "") {
    return Document::from_bytes("<!DOCTYPE html><html><head>" + head + "</head><body>" + body +
                                "</body></html>");
}

bool has(const Document& doc, const std::string& text) {
    return doc.text().find(text) != std::string::npos;
}

// The kind of the block holding `text`.
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

} // namespace

TEST_SUITE("html_reader") {
    TEST_CASE("scripts styles navigation and page furniture are not text - the title is not") {
        const auto doc =
            html("<header><p>Site banner</p></header><nav><a href='/'>Home menu</a></nav>"
                 "<aside>Related links</aside><form><label>Search box</label><button>Go</button>"
                 "</form><noscript>Enable JavaScript</noscript><template><p>Template text</p>"
                 "</template><svg><text>Chart label</text></svg>"
                 "<main><article><p>The monsoon reaches Kerala in June.</p></article></main>"
                 "<script>var hidden = 'script text';</script><footer>Copyright line</footer>",
                 "<title>Page title</title><style>body { color: red }</style>");
        CHECK(doc.format() == DocumentFormat::html);
        CHECK(has(doc, "The monsoon reaches Kerala in June."));
        for (const char* absent :
             {"Site banner", "Home menu", "Related links", "Search box", "Go", "Enable JavaScript",
              "Template text", "Chart label", "script text", "color", "Copyright", "Page title"})
            CHECK_MESSAGE(!has(doc, absent), absent);
    }

    TEST_CASE("an article's own header keeps its heading") {
        const auto doc =
            html("<article><header><h1>Rivers</h1></header><p>The Ganga is long.</p></article>");
        CHECK(section_of(doc, "The Ganga") == "Rivers");
    }

    TEST_CASE("hidden elements are not text") {
        const auto doc = html("<p>Shown.</p><p hidden>Hidden one.</p>"
                              "<p style='display: none'>Hidden two.</p>");
        CHECK(has(doc, "Shown."));
        CHECK(!has(doc, "Hidden one"));
        CHECK(!has(doc, "Hidden two"));
    }

    TEST_CASE("headings give sections") {
        const auto doc = html("<h1>Chapter 1</h1><p>Intro text.</p><h2>Resources</h2>"
                              "<p>Water is a resource.</p><h1>Chapter 2</h1><p>Later text.</p>");
        CHECK(section_of(doc, "Intro text") == "Chapter 1");
        CHECK(section_of(doc, "Water is") == "Chapter 1 \xE2\x80\xBA Resources");
        CHECK(section_of(doc, "Later text") == "Chapter 2");
        CHECK(kind_of(doc, "Resources") == BlockKind::heading);
    }

    TEST_CASE("list items tables and code blocks are not prose") {
        const auto doc = html("<p>Plain prose here.</p><ul><li>First item</li><li>Second "
                              "item</li></ul><table><tr><th>State</th><th>Capital</th></tr>"
                              "<tr><td>Kerala</td><td>Thiruvananthapuram</td></tr></table>"
                              "<pre>int main() {\n    return 0;\n}</pre>");
        CHECK(kind_of(doc, "Plain prose") == BlockKind::prose);
        CHECK(kind_of(doc, "First item") == BlockKind::list);
        CHECK(kind_of(doc, "Second item") == BlockKind::list);
        CHECK(kind_of(doc, "Kerala") == BlockKind::table);
        CHECK(has(doc, "State\tCapital\nKerala\tThiruvananthapuram"));
        CHECK(kind_of(doc, "int main") == BlockKind::code);
        CHECK(has(doc, "int main() {\n    return 0;\n}"));
    }

    TEST_CASE("a table laid out with paragraphs is read as prose") {
        const auto doc = html("<table><tr><td><p>The whole article sits in a cell.</p></td>"
                              "</tr></table>");
        CHECK(kind_of(doc, "The whole article") == BlockKind::prose);
    }

    TEST_CASE("white space collapses inline elements do not split words br breaks lines") {
        const auto doc = html("<p>  one\n   <b>two</b>  th<i>r</i>ee\t </p>"
                              "<pre>keep   these\n  spaces</pre>");
        CHECK(has(doc, "one two three"));
        CHECK(has(doc, "keep   these\n  spaces"));
        const auto lines = html("<pre>a<br>b</pre>");
        CHECK(has(lines, "a\nb"));
    }

    TEST_CASE("text in windows-1252 or with a declared charset is decoded") {
        // No declaration, not UTF-8: windows-1252 (0x80 is the euro sign there).
        const auto guessed = Document::from_bytes("<html><body><p>Caf\xE9 costs \x80 5.</p>"
                                                  "</body></html>");
        CHECK(guessed.text().find("Caf\xC3\xA9 costs \xE2\x82\xAC 5.") != std::string::npos);
        // Declared KOI8-R: 0xF0 0xD2 0xC9 0xD7 0xC5 0xD4 is "Привет".
        const auto declared = Document::from_bytes(
            "<html><head><meta charset=\"koi8-r\"></head><body><p>\xF0\xD2\xC9\xD7\xC5\xD4</p>"
            "</body></html>");
        CHECK(declared.text().find("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82") !=
              std::string::npos);
        // Short enough for the converted text to sit inside its std::string (a regression).
        mcqgen::ReadOptions named;
        named.name_hint = "short.html";
        const auto short_page = Document::from_bytes("<p>\xE9t\xE9</p>", named);
        CHECK(short_page.text() == "\xC3\xA9t\xC3\xA9");
        // UTF-8 stays UTF-8.
        const auto utf8 = html("<p>\xE0\xA4\xAD\xE0\xA4\xBE\xE0\xA4\xB0\xE0\xA4\xA4</p>");
        CHECK(has(utf8, "\xE0\xA4\xAD\xE0\xA4\xBE\xE0\xA4\xB0\xE0\xA4\xA4"));
    }

    // Through the reader itself: sniffing does not yet tell UTF-16 HTML from text.
    TEST_CASE("UTF-16 with a byte-order mark is decoded") {
        const std::string ascii = "<html><body><p>Wide text.</p></body></html>";
        std::string utf16 = "\xFF\xFE";
        for (char c : ascii) {
            utf16 += c;
            utf16 += '\0';
        }
        const auto doc = mcqgen::detail::read_html(utf16, {});
        CHECK(doc.format() == DocumentFormat::html);
        CHECK(has(doc, "Wide text."));
    }

    TEST_CASE("a page of scripts with almost no text is refused saying what to do") {
        std::string shell = "<!DOCTYPE html><html><head><title>App</title></head><body>"
                            "<div id=\"root\"></div><noscript>You need JavaScript.</noscript>"
                            "<script>";
        for (int i = 0; i < 2000; ++i)
            shell += "render(component" + std::to_string(i) + ");\n";
        shell += "</script></body></html>";
        const auto message = refusal(shell);
        CHECK(message.find("almost no text outside scripts") != std::string::npos);
        CHECK(message.find("save the rendered page") != std::string::npos);
    }

    TEST_CASE("a page without text is refused") {
        const auto message = refusal("<html><body><div><img src=x.png></div></body></html>");
        CHECK(message.find("HTML page has no text") != std::string::npos);
    }

    TEST_CASE("deep nesting is refused quickly") {
        std::string deep = "<html><body>";
        for (int i = 0; i < 200000; ++i)
            deep += "<div>";
        deep += "text</body></html>";
        const auto start = std::chrono::steady_clock::now();
        const auto message = refusal(deep);
        CHECK(message.find("nests its elements more than") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    }

    TEST_CASE("a page of endless misnested tags is refused quickly") {
        std::string broken = "<html><body>";
        for (int i = 0; i < 200; ++i)
            broken += "<b>";
        broken += "text";
        for (int i = 0; i < 1100000; ++i)
            broken += "</q>";
        const auto start = std::chrono::steady_clock::now();
        CHECK(refusal(broken).find("markup errors") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    }

    TEST_CASE("broken markup is read and libxml2 prints nothing") {
        std::string text;
        const auto printed = test_support::stderr_of([&] {
            const auto doc = Document::from_bytes(
                "<html><body><p>Unclosed <b>bold <i>italic</p></div></span><p>Next &bogus; "
                "para<unknown-tag>inside</unknown-tag></p>\x01</body>");
            text = doc.text();
        });
        CHECK(printed.empty());
        CHECK(text.find("Unclosed bold italic") != std::string::npos);
        CHECK(text.find("inside") != std::string::npos);
    }

    TEST_CASE("an HTML file is read by its content whatever its name") {
        test_support::TempDir dir;
        const auto path = dir / "saved.txt";
        {
            std::ofstream out(path, std::ios::binary);
            out << "<!DOCTYPE html><html><body><h1>Title here</h1><p>Body.</p></body></html>";
        }
        const auto doc = Document::from_file(path);
        CHECK(doc.format() == DocumentFormat::html);
        CHECK(section_of(doc, "Body.") == "Title here");
    }
}
