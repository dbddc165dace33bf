// SPDX-License-Identifier: GPL-2.0-or-later
// The PDF reader (mcqgen::pdf, poppler-cpp), through Document::from_bytes and from_file after
// enable_pdf(). Every PDF is written by tests/support/pdf_writer.hpp at test time; encrypted
// ones by the qpdf program, and those cases are skipped when it is not installed.
#if MCQGEN_WITH_PDF

#include "pdf_writer.hpp"
#include "test_support.hpp"

#include "pdf/pdf_reader.hpp"

#include <mcqgen/pdf.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>

using mcqgen::Document;
using mcqgen::errc;
using mcqgen::ReadOptions;
namespace pdf = test_support::pdf;

namespace {

Document read(const std::string& bytes, const ReadOptions& options = {}) {
    mcqgen::enable_pdf();
    return Document::from_bytes(bytes, options);
}

// The message of the error reading `bytes` gives ("" when it reads).
std::string error_of(const std::string& bytes, const ReadOptions& options = {}) {
    try {
        (void)read(bytes, options);
    } catch (const mcqgen::Error& e) {
        CHECK(e.code_value() == errc::invalid_argument);
        return e.message();
    }
    return "";
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

bool any_warning(const Document& doc, std::string_view part) {
    return std::any_of(doc.warnings().begin(), doc.warnings().end(),
                       [&](const std::string& w) { return contains(w, part); });
}

std::size_t find(const Document& doc, std::string_view part) {
    const auto at = doc.text().find(part);
    REQUIRE_MESSAGE(at != std::string::npos, "\"" << part << "\" not in:\n" << doc.text());
    return at;
}

// Two columns on one page: the same baselines at x = 72 and x = 320.
pdf::Writer two_columns() {
    pdf::Writer writer;
    auto& page = writer.add_page();
    const char* left[] = {"Plants make their food by photosynthesis,", "using sunlight, water and",
                          "carbon dioxide from the air."};
    const char* right[] = {"Animals cannot make food and", "depend on plants for it, directly",
                           "or by eating other animals."};
    for (int i = 0; i < 3; ++i) {
        page.line(72, 700 - 14 * i, left[i]);
        page.line(320, 700 - 14 * i, right[i]);
    }
    return writer;
}

// A word hyphenated at a line end within a page and another across the page break.
pdf::Writer hyphenated() {
    pdf::Writer writer;
    writer.add_page()
        .line(72, 700, "Water boils at one hundred degrees at sea level, and its temper-")
        .line(72, 686, "ature stays the same until all of it has turned into steam; the state")
        .line(72, 672, "of a substance depends on the pressure and the temperature it is deter-");
    writer.add_page().line(72, 700, "mined by, as the next chapter shows with many examples.");
    return writer;
}

// A heading that the outline names, on the second page, with body text under it.
pdf::Writer with_outline() {
    pdf::Writer writer;
    writer.add_page()
        .line(72, 720, "Chapter 8 Motion")
        .line(72, 680, "We see objects around us at rest or in motion every day of our lives.");
    writer.add_page()
        .line(72, 720, "Uniform Motion")
        .line(72, 680, "An object covering equal distances in equal intervals of time is in")
        .line(72, 666, "uniform motion along a straight line, like a train on a straight track.");
    writer.outline = {{1, "Chapter 8 Motion", 0}, {2, "Uniform Motion", 1}};
    return writer;
}

pdf::Writer scanned(int pages) {
    pdf::Writer writer;
    for (int i = 0; i < pages; ++i)
        writer.add_page().scan();
    return writer;
}

// Captures what is written to the process's stderr (file descriptor 2) while it lives.
class StderrCapture {
  public:
    explicit StderrCapture(const std::filesystem::path& file) : path_(file) {
        std::fflush(stderr);
        saved_ = ::dup(2);
        std::FILE* sink = std::fopen(file.c_str(), "wb");
        ::dup2(::fileno(sink), 2);
        std::fclose(sink);
    }
    ~StderrCapture() { restore(); }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    std::string finish() {
        restore();
        return test_support::read_file(path_);
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::filesystem::path path_;
    int saved_ = -1;
};

} // namespace

TEST_SUITE("pdf_reader") {
    TEST_CASE("pages have their numbers and printed folios and lose running headers and footers") {
        const auto doc = read(pdf::book(4, 11).write());
        CHECK(doc.format() == mcqgen::DocumentFormat::pdf);
        REQUIRE(doc.pages().size() == 4);
        for (int i = 0; i < 4; ++i) {
            const auto& page = doc.pages()[static_cast<std::size_t>(i)];
            CHECK(page.number == i + 1);
            CHECK(page.label == ""); // no /PageLabels: poppler's "1", "2", ... are dropped
            CHECK(page.printed == std::to_string(11 + i));
        }
        const char* topics[] = {"solids", "liquids", "gases", "plasma"};
        for (int i = 0; i < 4; ++i) {
            const auto body = find(doc, std::string("This page is about ") + topics[i]);
            CHECK(doc.cite(body, body + 10).page == i + 1);
        }
        CHECK_FALSE(contains(doc.text(), "Matter in Our Surroundings"));
        CHECK_FALSE(contains(doc.text(), "\n11\n"));
        CHECK_FALSE(contains(doc.text(), "\f"));
    }

    // A class or chapter number in the running header must not pass for the page number.
    TEST_CASE("a number in the running header is not the printed page number") {
        const auto doc = read(pdf::book(4, 41, "Science for Class 9").write());
        REQUIRE(doc.pages().size() == 4);
        CHECK_FALSE(contains(doc.text(), "Science for Class 9"));
        for (int i = 0; i < 4; ++i)
            CHECK(doc.pages()[static_cast<std::size_t>(i)].printed == std::to_string(41 + i));
    }

    TEST_CASE("page labels come from /PageLabels (roman front matter)") {
        auto writer = pdf::book(5);
        writer.page_labels = "<< /Nums [0 << /S /r >> 2 << /S /D >>] >>";
        const auto doc = read(writer.write());
        std::vector<std::string> labels;
        for (const auto& page : doc.pages())
            labels.push_back(page.label);
        CHECK(labels == std::vector<std::string>{"i", "ii", "1", "2", "3"});
    }

    TEST_CASE("two columns read the left column first and then the right one") {
        const auto doc = read(two_columns().write());
        const auto left_end = find(doc, "carbon dioxide from the air.");
        const auto right_start = find(doc, "Animals cannot make food");
        CHECK(find(doc, "Plants make their food") < left_end);
        CHECK(left_end < right_start);
        CHECK(right_start < find(doc, "or by eating other animals."));
    }

    TEST_CASE("hyphenated words are joined within a page and across a page break") {
        const auto doc = read(hyphenated().write());
        CHECK(contains(doc.text(), "its temperature stays"));
        CHECK(contains(doc.text(), "it is determined by"));
        CHECK_FALSE(contains(doc.text(), "deter-"));
        REQUIRE(doc.pages().size() == 2);
        CHECK(doc.cite(find(doc, "as the next chapter"), doc.text().size()).page == 2);
    }

    TEST_CASE("a ligature mapped to U+FB01 by /ToUnicode comes out as the letters f and i") {
        pdf::Writer writer;
        writer.add_page().ligature_line(72, 700,
                                        std::string("The de") + pdf::fi_ligature +
                                            "nition of a magnetic " + pdf::fi_ligature +
                                            "eld was given by Faraday.");
        const auto doc = read(writer.write());
        CHECK(contains(doc.text(), "The definition of a magnetic field was given by Faraday."));
        CHECK_FALSE(contains(doc.text(), "\xEF\xAC\x81")); // U+FB01
    }

    TEST_CASE("the outline gives the sections a passage is cited by") {
        const auto doc = read(with_outline().write());
        REQUIRE(doc.sections().size() == 2);
        CHECK(doc.sections()[1].title() == "Chapter 8 Motion \xE2\x80\xBA Uniform Motion");
        const auto at = find(doc, "An object covering equal distances");
        const auto citation = doc.cite(at, at + 20);
        CHECK(citation.section == "Chapter 8 Motion \xE2\x80\xBA Uniform Motion");
        CHECK(citation.page == 2);
        const auto first = find(doc, "We see objects around us");
        CHECK(doc.cite(first, first + 10).section == "Chapter 8 Motion");
    }

    TEST_CASE("each kind of bad PDF has its own clear error") {
        const auto good = pdf::book(3).write();
        SUBCASE("not a PDF at all (the reader itself)") {
            try {
                (void)mcqgen::detail::read_pdf("Dear student, the file you asked for...", {});
                FAIL("no exception");
            } catch (const mcqgen::Error& e) {
                CHECK(e.code_value() == errc::invalid_argument);
                CHECK(contains(e.message(), "is not a PDF"));
            }
        }
        SUBCASE("damaged beyond repair: truncated, or noise after the header") {
            for (const auto& bad : {pdf::truncated(good, good.size() / 2),
                                    pdf::garbage_after_header(), pdf::truncated(good, 12)}) {
                const auto message = error_of(bad);
                CHECK_MESSAGE(contains(message, "damaged beyond repair"), message);
                CHECK_MESSAGE(contains(message, "download it again"), message);
            }
        }
        SUBCASE("a scan: no text layer, so OCR first") {
            const auto message = error_of(scanned(3).write());
            CHECK_MESSAGE(contains(message, "no text layer"), message);
            CHECK_MESSAGE(contains(message, "OCR"), message);
            CHECK_MESSAGE(contains(message, "3 of its 3 pages"), message);
        }
        SUBCASE("more pages than the limit") {
            pdf::Writer writer;
            for (int i = 0; i <= mcqgen::detail::max_pdf_pages; ++i)
                writer.add_page();
            const auto message = error_of(writer.write());
            CHECK_MESSAGE(contains(message, "5001 pages, more than the 5000"), message);
        }
    }

    TEST_CASE("the error messages differ from each other") {
        const auto good = pdf::book(3).write();
        const std::set<std::string> messages{error_of(pdf::truncated(good, good.size() / 2)),
                                             error_of(scanned(2).write()),
                                             error_of(pdf::book(0).write())};
        CHECK(messages.size() == 3);
        CHECK(error_of(pdf::book(0).write()) == "the PDF has no pages");
    }

    TEST_CASE("a corrupt startxref is repaired and the PDF reads") {
        const auto doc = read(pdf::corrupt_startxref(pdf::book(3).write()));
        CHECK(doc.pages().size() == 3);
        CHECK(contains(doc.text(), "This page is about gases"));
    }

    TEST_CASE("an image-only page among text pages is only a warning") {
        auto writer = pdf::book(3);
        writer.pages.insert(writer.pages.begin() + 1, pdf::Page{}.scan());
        const auto doc = read(writer.write());
        REQUIRE(doc.pages().size() == 4);
        CHECK(any_warning(doc, "page 2 has no text"));
        CHECK(doc.cite(find(doc, "This page is about gases"), doc.text().size()).page == 4);
    }

    TEST_CASE("encrypted PDFs need a user password but not an owner password") {
        if (!pdf::have_qpdf()) {
            MESSAGE("skipped: the qpdf program is not installed (Debian: qpdf)");
            return;
        }
        test_support::TempDir dir;
        const auto plain = pdf::book(3).write();
        const auto locked = pdf::encrypted(plain, "user-secret", "owner-secret", dir.path());
        REQUIRE(locked);

        const auto message = error_of(*locked);
        CHECK_MESSAGE(contains(message, "needs a password"), message);
        CHECK_MESSAGE(contains(message, "ReadOptions::password"), message);

        ReadOptions wrong;
        wrong.password = "guess";
        CHECK(contains(error_of(*locked, wrong), "does not open it"));

        for (const char* password : {"user-secret", "owner-secret"}) {
            ReadOptions options;
            options.password = password;
            const auto doc = read(*locked, options);
            CHECK(contains(doc.text(), "This page is about liquids"));
            CHECK(doc.pages().size() == 3);
            CHECK_MESSAGE(doc.warnings().empty(), doc.warnings().front());
        }

        const auto restricted =
            pdf::encrypted(plain, "", "owner-secret", dir.path(), "--extract=n");
        REQUIRE(restricted);
        const auto doc = read(*restricted);
        CHECK(contains(doc.text(), "This page is about liquids"));
        CHECK(any_warning(doc, "owner password only"));
        CHECK(any_warning(doc, "does not allow copying"));
    }

    TEST_CASE("Document::from_file reads a .pdf") {
        test_support::TempDir dir;
        const auto path = dir / "chapter.pdf";
        std::ofstream(path, std::ios::binary) << two_columns().write();
        mcqgen::enable_pdf();
        const auto doc = Document::from_file(path);
        CHECK(doc.format() == mcqgen::DocumentFormat::pdf);
        CHECK(contains(doc.text(), "Plants make their food by photosynthesis"));
    }

    TEST_CASE("nothing reaches stderr even from damaged files") {
        test_support::TempDir dir;
        const auto good = pdf::book(3).write();
        StderrCapture capture(dir / "stderr.txt");
        for (const auto& bytes :
             {pdf::garbage_after_header(), pdf::truncated(good, good.size() / 2),
              pdf::corrupt_startxref(good), scanned(1).write(), good})
            (void)error_of(bytes);
        CHECK(capture.finish() == "");
    }

    TEST_CASE("enable_pdf and reading are safe from several threads at once") {
        const auto bytes = with_outline().write();
        std::vector<std::thread> threads;
        std::atomic<int> read_well{0};
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 5; ++i) {
                    const auto doc = read(bytes);
                    if (doc.sections().size() == 2) ++read_well;
                }
            });
        for (auto& thread : threads)
            thread.join();
        CHECK(read_well == 20);
    }
}

// The seeds of the PDF fuzz target (tests/fuzz/corpus/pdf), written by the fixtures above.
// Skipped unless asked for: with MCQGEN_WRITE_PDF_SEEDS=tests/fuzz/corpus/pdf in the
// environment, run mcqgen_unit_tests -ts=pdf_reader -tc='*seeds*' --no-skip.
TEST_CASE("writes the fuzz seeds" * doctest::test_suite("pdf_reader") * doctest::skip()) {
    const char* dir = std::getenv("MCQGEN_WRITE_PDF_SEEDS");
    REQUIRE_MESSAGE(dir, "set MCQGEN_WRITE_PDF_SEEDS to the corpus directory");
    const std::filesystem::path out(dir);
    std::filesystem::create_directories(out);
    auto write = [&](const std::string& name, const std::string& bytes) {
        std::ofstream(out / name, std::ios::binary) << bytes;
    };
    auto labelled = two_columns();
    labelled.page_labels = "<< /Nums [0 << /S /r >> 1 << /S /D /St 7 >>] >>";
    for (auto& page : with_outline().pages)
        labelled.pages.push_back(page);
    labelled.outline = {{1, "Chapter 8 Motion", 1}, {2, "Uniform Motion", 2}};
    auto ligature = hyphenated();
    ligature.add_page().ligature_line(72, 700,
                                      std::string("A magnetic ") + pdf::fi_ligature +
                                          "eld has a de" + pdf::fi_ligature + "nite shape.");
    ligature.add_page().scan();
    const auto book = pdf::book(3).write();
    write("book.pdf", book);
    write("columns_labels_outline.pdf", labelled.write());
    write("hyphen_ligature_scan.pdf", ligature.write());
    write("scan.pdf", scanned(1).write());
    write("truncated.pdf", pdf::truncated(book, book.size() * 2 / 3));
    write("corrupt_startxref.pdf", pdf::corrupt_startxref(book));
    write("garbage.pdf", pdf::garbage_after_header(512));
    if (!pdf::have_qpdf()) return;
    test_support::TempDir work;
    write("encrypted_user.pdf", pdf::encrypted(book, "user", "owner", work.path()).value());
    write("encrypted_owner_only.pdf",
          pdf::encrypted(book, "", "owner", work.path(), "--extract=n").value());
}

#endif // MCQGEN_WITH_PDF
