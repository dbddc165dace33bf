// Document: reading by format, citing, and the stored layout.

#include "documents/readers.hpp"

#include <mcqgen/document.hpp>
#include <mcqgen/errors.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <fstream>
#include <sstream>

namespace mcqgen {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 6> format_names = {"text", "markdown", "html",
                                                          "pdf",  "docx",     "epub"};
constexpr std::array<std::string_view, 5> kind_names = {"prose", "heading", "list", "code",
                                                        "table"};

Document refuse_pdf(std::string_view, const ReadOptions&) {
    throw Error(errc::invalid_argument,
                "the document is a PDF, and this build of mcqgen reads no PDFs: build it with "
                "-DMCQGEN_WITH_PDF=ON (needs libpoppler-cpp-dev) and call mcqgen::enable_pdf(), "
                "or convert the PDF to text first (for example with pdftotext)");
}

// One slot per format; PDF is installed by the mcqgen::pdf component.
std::array<std::atomic<Reader>, format_names.size()>& readers() {
    static std::array<std::atomic<Reader>, format_names.size()> table{
        &detail::read_text, &detail::read_markdown, &detail::read_html,
        &refuse_pdf,        &detail::read_docx,     &detail::read_epub};
    return table;
}

template <class Enum, std::size_t N>
Enum parse(const std::array<std::string_view, N>& names, std::string_view name) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
        throw Error(errc::invalid_argument, "the stored layout names an unknown kind");
    return static_cast<Enum>(it - names.begin());
}

std::size_t offset(const json::value& v, std::size_t text_size) {
    const auto n = v.to_number<std::int64_t>();
    if (n < 0 || static_cast<std::size_t>(n) > text_size)
        throw Error(errc::invalid_argument, "the stored layout points outside its text");
    return static_cast<std::size_t>(n);
}

std::string string_of(const json::value& v) {
    return std::string(v.as_string());
}

} // namespace

std::string_view to_string(DocumentFormat format) noexcept {
    return format_names[static_cast<std::size_t>(format)];
}

std::string_view to_string(BlockKind kind) noexcept {
    return kind_names[static_cast<std::size_t>(kind)];
}

std::string Section::title() const {
    std::string out;
    for (const auto& part : path) {
        if (!out.empty()) out += " \xE2\x80\xBA "; // " › "
        out += part;
    }
    return out;
}

void install_reader(DocumentFormat format, Reader reader) {
    readers()[static_cast<std::size_t>(format)].store(reader ? reader : &refuse_pdf);
}

Document Document::from_text(std::string text) {
    return detail::read_text(text, ReadOptions{});
}

Document Document::from_bytes(std::string_view bytes, const ReadOptions& options) {
    if (bytes.size() > options.max_bytes)
        throw Error(errc::invalid_argument, "the document is " + std::to_string(bytes.size()) +
                                                " bytes, over the limit of " +
                                                std::to_string(options.max_bytes) +
                                                " (ReadOptions::max_bytes)");
    const auto format = detail::sniff_format(bytes, options.name_hint);
    return readers()[static_cast<std::size_t>(format)].load()(bytes, options);
}

Document Document::from_file(const std::filesystem::path& path, const ReadOptions& options) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > options.max_bytes)
        throw Error(errc::invalid_argument,
                    path.string() + ": the document is " + std::to_string(size) +
                        " bytes, over the limit of " + std::to_string(options.max_bytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(errc::invalid_argument, "cannot read the document file " + path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw Error(errc::invalid_argument, "error reading " + path.string());
    ReadOptions named = options;
    if (named.name_hint.empty()) named.name_hint = path.filename().string();
    try {
        return from_bytes(std::move(buffer).str(), named);
    } catch (const Error& e) {
        throw Error(e.code_value(), path.string() + ": " + e.message());
    }
}

Citation Document::cite(std::size_t begin, std::size_t end) const {
    (void)end;
    Citation c;
    const auto page = std::find_if(pages_.begin(), pages_.end(), [&](const Page& p) {
        return begin >= p.begin && begin < std::max(p.end, p.begin + 1);
    });
    if (page != pages_.end()) c.page = page->number;
    // The block holding `begin`, or the next one when it falls between blocks.
    const auto block = std::lower_bound(blocks_.begin(), blocks_.end(), begin,
                                        [](const Block& b, std::size_t at) { return b.end <= at; });
    if (block != blocks_.end() && block->section >= 0)
        c.section = sections_[static_cast<std::size_t>(block->section)].title();
    return c;
}

std::string Document::layout() const {
    json::array blocks, pages, sections, warnings;
    for (const auto& b : blocks_)
        blocks.push_back(json::array{b.begin, b.end, to_string(b.kind), b.section});
    for (const auto& p : pages_)
        pages.push_back(json::array{p.begin, p.end, p.number, p.label, p.printed});
    for (const auto& s : sections_) {
        json::array path;
        for (const auto& part : s.path)
            path.emplace_back(part);
        sections.push_back(std::move(path));
    }
    for (const auto& w : warnings_)
        warnings.emplace_back(w);
    return json::serialize(json::object{{"v", 1},
                                        {"format", to_string(format_)},
                                        {"blocks", std::move(blocks)},
                                        {"pages", std::move(pages)},
                                        {"sections", std::move(sections)},
                                        {"warnings", std::move(warnings)}});
}

Document Document::restore(std::string text, std::string_view layout) {
    if (layout.empty()) return from_text(std::move(text)); // stored before layouts existed
    Document doc;
    try {
        const auto root = json::parse(layout).as_object();
        doc.format_ = parse<DocumentFormat>(format_names, root.at("format").as_string());
        const auto n = text.size();
        const auto section_count = static_cast<std::int64_t>(root.at("sections").as_array().size());
        for (const auto& v : root.at("blocks").as_array()) {
            const auto& a = v.as_array();
            const auto section = a.at(3).to_number<std::int64_t>();
            if (section < -1 || section >= section_count)
                throw Error(errc::invalid_argument, "the stored layout names no such section");
            doc.blocks_.push_back(Block{offset(a.at(0), n), offset(a.at(1), n),
                                        parse<BlockKind>(kind_names, a.at(2).as_string()),
                                        static_cast<int>(section)});
        }
        for (const auto& v : root.at("pages").as_array()) {
            const auto& a = v.as_array();
            doc.pages_.push_back(Page{offset(a.at(0), n), offset(a.at(1), n),
                                      static_cast<int>(a.at(2).to_number<std::int64_t>()),
                                      string_of(a.at(3)), string_of(a.at(4))});
        }
        for (const auto& v : root.at("sections").as_array()) {
            Section s;
            for (const auto& part : v.as_array())
                s.path.push_back(string_of(part));
            doc.sections_.push_back(std::move(s));
        }
        for (const auto& w : root.at("warnings").as_array())
            doc.warnings_.push_back(string_of(w));
    } catch (const Error&) {
        throw;
    } catch (const std::exception&) {
        throw Error(errc::invalid_argument, "the stored document layout is not valid");
    }
    const bool ordered =
        std::is_sorted(doc.blocks_.begin(), doc.blocks_.end(),
                       [](const Block& a, const Block& b) { return a.end < b.end; });
    if (!ordered || doc.blocks_.empty())
        throw Error(errc::invalid_argument, "the stored document layout is not valid");
    doc.text_ = std::move(text);
    return doc;
}

} // namespace mcqgen
