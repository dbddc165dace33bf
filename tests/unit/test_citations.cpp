// Questions cite where they come from: generated (offline) from documents made at test time in
// each format, every question's page and section are those of its quote in the normalised text.

#include "pdf_writer.hpp"
#include "test_support.hpp"
#include "zip_writer.hpp"

#include <mcqgen/mcqgen.hpp>
#if MCQGEN_WITH_PDF
#include <mcqgen/pdf.hpp>
#endif

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mcqgen;

namespace {

// Sentences of distinct facts for chapter `c`, enough for the offline generator's terms.
std::vector<std::string> facts(int c) {
    static const char* const people[] = {"Ashoka", "Akbar", "Shivaji", "Raziya", "Krishnadeva"};
    static const char* const places[] = {"Pataliputra", "Agra", "Raigad", "Delhi", "Hampi"};
    std::vector<std::string> out;
    for (int k = 0; k < 5; ++k) {
        const int i = (c + k) % 5;
        out.push_back(std::string(people[i]) + " ruled from " + places[i] + " in the year " +
                      std::to_string(1200 + 37 * c + 11 * k) + " and built " +
                      std::to_string(3 + c + k) + " new roads.");
    }
    return out;
}

// Every stored question's citation is the one its quote has in the document.
void check_citations(const Document& doc, bool pages) {
    MemoryStorage storage;
    const auto test = Generator(test_support::offline_config(3)).generate(doc, 4, storage);
    REQUIRE(test.questions_generated > 0);
    const auto squashed = test_support::squash(doc.text());
    for (const auto& q : storage.questions(test.id)) {
        INFO("quote: ", q.source_quote);
        const auto at = doc.text().find(q.source_quote);
        REQUIRE(at != std::string::npos);
        CHECK(squashed.find(test_support::squash(q.source_quote)) != std::string::npos);
        const auto where = doc.cite(at, at + q.source_quote.size());
        CHECK(q.source_page == where.page);
        CHECK(q.source_section == where.section);
        CHECK(q.source_section.rfind("Chapter ", 0) == 0);
        CHECK(q.source_page.has_value() == pages);
        if (pages) {
            const auto& page = doc.pages()[static_cast<std::size_t>(*q.source_page - 1)];
            CHECK(at >= page.begin);
            CHECK(at < page.end);
        }
    }
}

} // namespace

TEST_SUITE("citations") {
#if MCQGEN_WITH_PDF
    TEST_CASE("questions from a PDF cite its physical page and its outline chapter") {
        enable_pdf();
        test_support::pdf::Writer pdf;
        for (int c = 1; c <= 3; ++c) {
            auto& page = pdf.add_page();
            page.line(72, 760, "History of India"); // the running header
            page.line(72, 720, "Chapter " + std::to_string(c));
            double y = 690;
            for (const auto& s : facts(c)) {
                page.line(72, y, s);
                y -= 24;
            }
            page.line(300, 40, std::to_string(100 + c)); // the folio
            pdf.outline.push_back({1, "Chapter " + std::to_string(c), c - 1});
        }
        const auto doc = Document::from_bytes(pdf.write());
        CHECK(doc.text().find("History of India") == std::string::npos);
        REQUIRE(doc.pages().size() == 3);
        CHECK(doc.pages()[1].printed == "102");
        check_citations(doc, true);
    }
#endif

    TEST_CASE("questions from a DOCX cite their heading path") {
        std::string body;
        for (int c = 1; c <= 3; ++c) {
            body += "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Chapter " +
                    std::to_string(c) + "</w:t></w:r></w:p>";
            for (const auto& s : facts(c))
                body += "<w:p><w:r><w:t>" + s + "</w:t></w:r></w:p>";
        }
        const auto doc = Document::from_bytes(test_support::docx_bytes(body));
        REQUIRE(doc.format() == DocumentFormat::docx);
        check_citations(doc, false);
    }

    TEST_CASE("questions from an EPUB and from HTML cite their chapter") {
        std::vector<std::pair<std::string, std::string>> items, files;
        std::vector<std::string> spine;
        std::string html = "<!DOCTYPE html><html><body>";
        for (int c = 1; c <= 3; ++c) {
            std::string chapter = "<h1>Chapter " + std::to_string(c) + "</h1>";
            for (const auto& s : facts(c))
                chapter += "<p>" + s + "</p>";
            const auto id = "c" + std::to_string(c);
            items.emplace_back(id, id + ".xhtml");
            spine.push_back(id);
            files.emplace_back("OEBPS/" + id + ".xhtml", test_support::xhtml(chapter));
            html += chapter;
        }
        const auto epub = Document::from_bytes(
            test_support::epub_bytes(test_support::opf_xml(items, spine), files));
        REQUIRE(epub.format() == DocumentFormat::epub);
        check_citations(epub, false);
        const auto page = Document::from_bytes(html + "</body></html>");
        REQUIRE(page.format() == DocumentFormat::html);
        check_citations(page, false);
    }

    TEST_CASE("questions from Markdown cite their nested section") {
        std::string md = "# Chapter 1\n\n## The Mauryas\n\n";
        for (const auto& s : facts(1))
            md += s + "\n\n";
        md += "# Chapter 2\n\n";
        for (const auto& s : facts(2))
            md += s + "\n\n";
        ReadOptions options;
        options.name_hint = "history.md";
        check_citations(Document::from_bytes(md, options), false);
    }
}
