// Fuzz target: the EPUB reader. The first byte chooses: even, the rest is the file's bytes (the
// zip layer); odd, the rest is fields separated by \x1f: the package document, two chapters
// (OEBPS/c1.xhtml, OEBPS/c2.xhtml) and META-INF/encryption.xml (left out when empty), zipped
// here, so the mutations reach the XML.

#include "reader_checks.hpp"

#include "../support/zip_writer.hpp"
#include "documents/readers.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    if (in.byte() % 2 == 0) {
        fuzz::check_reader(&mcqgen::detail::read_epub, in.rest());
        return 0;
    }
    const auto opf = in.field();
    std::vector<std::pair<std::string, std::string>> files;
    files.emplace_back("OEBPS/c1.xhtml", in.field());
    files.emplace_back("OEBPS/c2.xhtml", in.field());
    if (auto encryption = in.field(); !encryption.empty())
        files.emplace_back("META-INF/encryption.xml", std::move(encryption));
    fuzz::check_reader(&mcqgen::detail::read_epub, test_support::epub_bytes(opf, files));
    return 0;
}
