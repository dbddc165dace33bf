#include "test_support.hpp"

#include <doctest/doctest.h>

using mcqgen::Document;
using mcqgen::errc;

namespace {
errc code_of(const std::string& text) {
    try {
        (void)Document::from_text(text);
    } catch (const mcqgen::Error& e) {
        return e.code_value();
    }
    return errc::ok;
}
} // namespace

TEST_SUITE("document") {
    TEST_CASE("accepts UTF-8 text and drops a byte-order mark") {
        const auto doc = Document::from_text(
            "\xEF\xBB\xBFNamaste, \xE0\xA4\xAD\xE0\xA4\xBE\xE0\xA4\xB0\xE0\xA4\xA4.");
        CHECK(doc.text().rfind("Namaste", 0) == 0);
    }

    TEST_CASE("rejects empty blank binary and invalid UTF-8 documents") {
        CHECK(code_of("") == errc::invalid_argument);
        CHECK(code_of(" \n\t\r\n ") == errc::invalid_argument);
        CHECK(code_of(std::string("abc\0def", 7)) == errc::invalid_argument);
        CHECK(code_of("caf\xE9") == errc::invalid_argument);          // Latin-1, not UTF-8
        CHECK(code_of("\xC0\xAF") == errc::invalid_argument);         // overlong '/'
        CHECK(code_of("\xED\xA0\x80") == errc::invalid_argument);     // UTF-16 surrogate
        CHECK(code_of("\xF4\x90\x80\x80") == errc::invalid_argument); // past U+10FFFF
        CHECK(code_of("truncated \xE2\x82") == errc::invalid_argument);
        CHECK(code_of("fine \xE2\x82\xAC") == errc::ok);
    }

    TEST_CASE("a missing file is an invalid_argument error naming the path") {
        try {
            (void)Document::from_file("/nonexistent/mcqgen/doc.txt");
            FAIL("no exception");
        } catch (const mcqgen::Error& e) {
            CHECK(e.code_value() == errc::invalid_argument);
            CHECK(std::string(e.what()).find("/nonexistent/mcqgen/doc.txt") != std::string::npos);
        }
    }
}
