// SPDX-License-Identifier: GPL-2.0-or-later
// The PDF reader, on poppler-cpp (GPL-2.0-or-later, hence this file's licence).
//
// poppler gives each page's text in reading order (non_raw_non_physical_layout: columns one
// after the other, hyphenated line ends joined within a page) and its page label; the builder
// does the rest (running headers and footers, printed folios, paragraphs and hyphenation across
// pages, ligatures). What is PDF-specific stays here: opening, passwords, the scan check, the
// outline, and keeping poppler's diagnostics off stderr.

#include "pdf/pdf_reader.hpp"

#include <mcqgen/errors.hpp>
#include <mcqgen/pdf.hpp>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>
#include <poppler-toc.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mcqgen {
namespace detail {
namespace {

// A page with fewer non-space characters than this has no text layer to speak of (a scan, a
// figure, a chapter's title page); when most pages are like that, the PDF is a scan.
constexpr std::size_t min_page_characters = 16;
constexpr std::size_t max_text_bytes = std::size_t{256} << 20;
constexpr std::size_t max_outline_entries = 10000;
constexpr int max_outline_depth = 32;
constexpr std::size_t max_poppler_messages = 50;

// ---- poppler's diagnostics --------------------------------------------------------------------

// poppler reports through one process-wide function; each read collects what its own thread
// reports (poppler works on the caller's thread) and drops the rest.
thread_local std::vector<std::string>* poppler_messages = nullptr;

void collect_poppler_message(const std::string& message, void*) {
    if (poppler_messages && poppler_messages->size() < max_poppler_messages)
        poppler_messages->push_back(message);
}

void route_poppler_messages() {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(&collect_poppler_message, {}); });
}

class MessageCollector {
  public:
    MessageCollector() : previous_(std::exchange(poppler_messages, &messages_)) {}
    ~MessageCollector() { poppler_messages = previous_; }
    MessageCollector(const MessageCollector&) = delete;
    MessageCollector& operator=(const MessageCollector&) = delete;

    const std::vector<std::string>& messages() const { return messages_; }
    /// The last message, as a quoted reason ("" when poppler said nothing).
    std::string reason() const {
        return messages_.empty() ? "" : " (poppler: \"" + messages_.back() + "\")";
    }

  private:
    std::vector<std::string> messages_;
    std::vector<std::string>* previous_;
};

// ---- text -------------------------------------------------------------------------------------

// Replaces what is not well-formed UTF-8 (poppler passes lone surrogates of broken ToUnicode
// maps through) with U+FFFD, one per byte.
std::string valid_utf8(std::string text) {
    if (is_valid_utf8(text)) return text;
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = 1;
        while (n <= 4 && i + n <= text.size() &&
               !is_valid_utf8(std::string_view(text).substr(i, n)))
            ++n;
        if (n <= 4 && i + n <= text.size()) {
            out.append(text, i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string utf8(const poppler::ustring& text) {
    const auto bytes = text.to_utf8();
    return valid_utf8(std::string(bytes.begin(), bytes.end()));
}

std::size_t visible_characters(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte > ' ' && (byte & 0xC0) != 0x80; // not space, not a UTF-8 continuation
    }));
}

// ---- opening ----------------------------------------------------------------------------------

void require_pdf_header(std::string_view bytes) {
    if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos)
        throw Error(errc::invalid_argument,
                    "the document is not a PDF (there is no %PDF- header in its first 1 KiB)");
}

[[noreturn]] void throw_locked(const ReadOptions& options) {
    if (options.password.empty())
        throw Error(errc::invalid_argument,
                    "the PDF is encrypted and needs a password to open: pass it in "
                    "ReadOptions::password, or remove the password first (for example with "
                    "qpdf --decrypt --password=PASSWORD in.pdf out.pdf)");
    throw Error(errc::invalid_argument,
                "the PDF is encrypted and the password given (ReadOptions::password) does not "
                "open it; check the password");
}

std::unique_ptr<poppler::document> open(std::string_view bytes, const ReadOptions& options,
                                        const MessageCollector& collector) {
    require_pdf_header(bytes);
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw Error(errc::invalid_argument, "the PDF is larger than 2 GiB, which poppler cannot "
                                            "read");
    // The same password serves as owner and user password: poppler tries either.
    std::unique_ptr<poppler::document> document{poppler::document::load_from_raw_data(
        bytes.data(), static_cast<int>(bytes.size()), options.password, options.password)};
    if (!document)
        throw Error(errc::invalid_argument,
                    "the PDF is damaged beyond repair" + collector.reason() +
                        "; download it again, or re-save it from a PDF viewer");
    // Checked before anything else: most of poppler's getters crash on a locked document.
    if (document->is_locked()) throw_locked(options);
    return document;
}

void check_page_count(int pages) {
    if (pages <= 0) throw Error(errc::invalid_argument, "the PDF has no pages");
    if (pages > max_pdf_pages)
        throw Error(errc::invalid_argument,
                    "the PDF has " + std::to_string(pages) + " pages, more than the " +
                        std::to_string(max_pdf_pages) +
                        " mcqgen reads; split it first (for example with qpdf --pages in.pdf "
                        "1-500 -- part1.pdf)");
}

void warn_about_permissions(const poppler::document& document, const ReadOptions& options,
                            DocumentBuilder& builder) {
    if (!document.is_encrypted() || !options.password.empty()) return;
    std::string message = "the PDF is encrypted with an owner password only (it opens without "
                          "one) and was read";
    if (!document.has_permission(poppler::perm_copy))
        message += "; its author does not allow copying its text: make sure you may use it";
    builder.warn(std::move(message));
}

// ---- pages ------------------------------------------------------------------------------------

struct RawPage {
    std::string text;
    std::string label;
    bool readable = true;
};

RawPage read_page(const poppler::document& document, int index) {
    const std::unique_ptr<poppler::page> page{document.create_page(index)};
    if (!page) return {"", "", false};
    // Never the default (physical layout), which interleaves columns line by line.
    auto text = utf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
    std::replace(text.begin(), text.end(), '\f', '\n'); // poppler ends each page with one
    return {std::move(text), utf8(page->label())};
}

std::vector<RawPage> read_pages(const poppler::document& document, int count) {
    std::vector<RawPage> pages;
    std::size_t total = 0;
    for (int i = 0; i < count; ++i) {
        pages.push_back(read_page(document, i));
        total += pages.back().text.size();
        if (total > max_text_bytes)
            throw Error(errc::invalid_argument, "the PDF's text is over " +
                                                    std::to_string(max_text_bytes >> 20) +
                                                    " MiB, more than mcqgen reads");
    }
    return pages;
}

// poppler numbers the pages "1", "2", ... when the PDF has no /PageLabels: such labels say
// nothing the page number does not, so they are dropped.
void drop_implicit_labels(std::vector<RawPage>& pages) {
    for (std::size_t i = 0; i < pages.size(); ++i)
        if (pages[i].label != std::to_string(i + 1)) return;
    for (auto& page : pages)
        page.label.clear();
}

// Refuses a scan; warns about the pages without text among pages with text.
void check_text_layer(const std::vector<RawPage>& pages, DocumentBuilder& builder) {
    std::vector<std::size_t> textless;
    for (std::size_t i = 0; i < pages.size(); ++i)
        if (pages[i].readable && visible_characters(pages[i].text) < min_page_characters)
            textless.push_back(i + 1);
    if (textless.size() * 2 > pages.size())
        throw Error(errc::invalid_argument,
                    "the PDF has no text layer: " + std::to_string(textless.size()) + " of its " +
                        std::to_string(pages.size()) +
                        " pages have no text (a scanned document?); run OCR on it first, for "
                        "example with ocrmypdf (which uses tesseract): ocrmypdf in.pdf out.pdf");
    for (std::size_t number : textless)
        builder.warn("page " + std::to_string(number) +
                     " has no text (an image or a scan?); questions cannot come from it");
}

// ---- outline ----------------------------------------------------------------------------------

void add_outline(const poppler::toc_item& item, int level, std::size_t& entries,
                 DocumentBuilder& builder) {
    for (const poppler::toc_item* child : item.children()) {
        if (!child || entries >= max_outline_entries) return;
        ++entries;
        builder.outline(level, utf8(child->title()));
        if (level < max_outline_depth) add_outline(*child, level + 1, entries, builder);
    }
}

void add_outline(const poppler::document& document, DocumentBuilder& builder) {
    const std::unique_ptr<poppler::toc> toc{document.create_toc()};
    if (!toc || !toc->root()) return;
    std::size_t entries = 0;
    add_outline(*toc->root(), 1, entries, builder);
}

void warn_about_repairs(const MessageCollector& collector, DocumentBuilder& builder) {
    if (collector.messages().empty()) return;
    builder.warn("the PDF has errors that poppler worked around, so some text may be missing "
                 "or out of place (" +
                 std::to_string(collector.messages().size()) + " messages, the first: \"" +
                 collector.messages().front() + "\")");
}

} // namespace

Document read_pdf(std::string_view bytes, const ReadOptions& options) {
    route_poppler_messages();
    const MessageCollector collector;
    const auto document = open(bytes, options, collector);
    const int page_count = document->pages();
    check_page_count(page_count);

    DocumentBuilder builder(DocumentFormat::pdf);
    warn_about_permissions(*document, options, builder);
    auto pages = read_pages(*document, page_count);
    drop_implicit_labels(pages);
    check_text_layer(pages, builder);
    add_outline(*document, builder);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        if (!pages[i].readable) builder.warn("page " + std::to_string(i + 1) + " is unreadable");
        builder.page(pages[i].text, std::move(pages[i].label));
    }
    warn_about_repairs(collector, builder);
    return std::move(builder).finish();
}

} // namespace detail

void enable_pdf() {
    static std::once_flag once;
    std::call_once(once, [] { detail::route_poppler_messages(); });
    // Every time: cheap, and it undoes an install_reader(DocumentFormat::pdf, nullptr).
    install_reader(DocumentFormat::pdf, &detail::read_pdf);
}

} // namespace mcqgen
