#pragma once
// A source document: normalised UTF-8 text, with where its pages and sections are and which of
// its blocks are prose (the only text questions are asked about).
//
// Every reader (plain text, Markdown, HTML, DOCX, EPUB, and PDF when the mcqgen::pdf component
// is linked and enabled) returns the same Document; offsets always refer to text().

#include <mcqgen/export.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen {

namespace detail {
struct Line; // a line of raw text and the page it is on (src/documents/layout_text.hpp)
}

/// What a document was read from. Chosen by content (magic bytes); a file name is only a hint.
enum class DocumentFormat { text, markdown, html, pdf, docx, epub };

MCQGEN_API std::string_view to_string(DocumentFormat format) noexcept;

/// What a block of the text is; questions are only asked about prose.
enum class BlockKind { prose, heading, list, code, table };

MCQGEN_API std::string_view to_string(BlockKind kind) noexcept;

/// A paragraph-like run of the text, [begin, end) in bytes of Document::text().
struct Block {
    std::size_t begin = 0;
    std::size_t end = 0;
    BlockKind kind = BlockKind::prose;
    int section = -1; ///< index into Document::sections(), -1 before the first heading
};

/// A physical page (PDF; plain text pages split by form feeds).
struct Page {
    std::size_t begin = 0;
    std::size_t end = 0;
    int number = 0;      ///< 1-based physical page
    std::string label;   ///< the PDF's own page label ("xii", "12"), "" when it has none
    std::string printed; ///< the folio printed in its running header or footer, "" when none
};

/// A heading and the headings above it, e.g. {"Chapter 3", "Resources"}.
struct Section {
    std::vector<std::string> path;
    /// The path as a reader would cite it: "Chapter 3 › Resources".
    MCQGEN_API std::string title() const;
};

/// Limits and hints for reading a document.
struct ReadOptions {
    /// A file name or extension ("notes.md"); used only when the content itself does not say.
    std::string name_hint;
    std::size_t max_bytes = 64u << 20; ///< the input file's size limit
    /// Zip containers (DOCX, EPUB): limits on what they unpack to, against zip bombs.
    std::size_t max_entry_bytes = 64u << 20;
    std::size_t max_total_bytes = 256u << 20;
    std::size_t max_ratio = 100; ///< uncompressed / compressed size of any one entry
    std::string password;        ///< for an encrypted PDF
};

/// Where a byte range of the text comes from.
struct Citation {
    std::optional<int> page; ///< physical page (PDF only), the first when it spans pages
    std::string section;     ///< Section::title() of the enclosing section, "" when none
};

class MCQGEN_API Document {
  public:
    /// Takes plain text (UTF-8, or UTF-16 with a byte-order mark) and normalises it.
    /// @throws Error(errc::invalid_argument) when the text is empty or only white space, is not
    ///         valid UTF-8, or contains NUL bytes (binary data).
    static Document from_text(std::string text);

    /// Reads a document of any supported format from its bytes, chosen by content.
    /// @throws Error(errc::invalid_argument) for unsupported, damaged, encrypted or empty input,
    ///         input over the limits, or a PDF when PDF support is not enabled; the message
    ///         says which and what to do.
    static Document from_bytes(std::string_view bytes, const ReadOptions& options = {});

    /// Reads a file (the file name serves as the format hint), as from_bytes.
    static Document from_file(const std::filesystem::path& path, const ReadOptions& options = {});

    /// A document as stored: its text and layout() exactly as they were returned.
    /// @throws Error(errc::invalid_argument) when they do not fit together.
    static Document restore(std::string text, std::string_view layout);

    const std::string& text() const noexcept { return text_; }
    DocumentFormat format() const noexcept { return format_; }
    const std::vector<Block>& blocks() const noexcept { return blocks_; }
    const std::vector<Page>& pages() const noexcept { return pages_; }
    const std::vector<Section>& sections() const noexcept { return sections_; }
    /// What the reader noticed but could read past ("page 3 has no text").
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    /// The page and section of the text at [begin, end).
    Citation cite(std::size_t begin, std::size_t end) const;

    /// Everything but the text, as compact JSON, for storage adapters to keep beside it.
    std::string layout() const;

  private:
    friend class DocumentBuilder;
    Document() = default;
    std::string text_;
    DocumentFormat format_ = DocumentFormat::text;
    std::vector<Block> blocks_;
    std::vector<Page> pages_;
    std::vector<Section> sections_;
    std::vector<std::string> warnings_;
};

/// Builds a Document from what a reader finds, normalising as it goes (see normalize_text).
/// Structured readers add blocks; paginated ones add pages of raw lines, whose running headers
/// and footers are removed by their repetition across pages and whose paragraphs are joined
/// across page breaks.
class MCQGEN_API DocumentBuilder {
  public:
    explicit DocumentBuilder(DocumentFormat format);

    /// A heading at `level` (1 = top). It becomes a heading block and the current section.
    void heading(int level, std::string_view text);
    /// A block of text. Prose and list items have their hard-wrapped lines joined; code and
    /// tables keep their lines.
    void block(BlockKind kind, std::string_view text);
    /// One page of raw text, lines separated by '\n', paragraphs by blank lines.
    /// `cite` is false for pages a reader should not be cited by (form feeds in plain text).
    void page(std::string_view text, std::string label = {}, bool cite = true);
    /// An outline entry (a PDF bookmark): a paragraph of the pages equal to `title` (white space
    /// aside) becomes a heading at `level`.
    void outline(int level, std::string title);
    void warn(std::string message);

    /// The normalised document.
    /// @throws Error(errc::invalid_argument) when it has no text at all.
    Document finish() &&;

  private:
    struct RawPage {
        std::string text;
        std::string label;
        bool cite = true;
    };
    void flush_pages();
    /// Appends one paragraph of the pages as its blocks, noting where each page begins.
    void emit(const std::vector<detail::Line>& paragraph, std::vector<std::size_t>& page_starts);
    /// The level of the outline entry whose title `text` is (then used up), if any.
    std::optional<int> outline_level(const std::string& text);
    void append(BlockKind kind, std::string text);

    Document doc_;
    std::vector<RawPage> raw_pages_;
    std::vector<std::pair<int, std::string>> outline_;
    std::vector<std::string> heading_path_;
    std::vector<int> heading_levels_;
};

/// A reader for one format: the document's bytes in, a Document out (built with
/// DocumentBuilder), Error(errc::invalid_argument) with an actionable message on bad input.
using Reader = Document (*)(std::string_view bytes, const ReadOptions& options);

/// Installs the reader of a format, replacing any before it. The mcqgen::pdf component installs
/// the PDF reader this way (mcqgen::enable_pdf()); without one, PDFs are refused with a message
/// saying how to enable them. Thread-safe.
MCQGEN_API void install_reader(DocumentFormat format, Reader reader);

/// The one normalisation used by every reader and by the quote check: ligatures expanded, soft
/// hyphens and zero-width characters dropped, exotic spaces made plain, CR/CRLF made LF, control
/// characters other than tab and newline dropped, malformed UTF-8 replaced by U+FFFD (so the
/// result is always valid UTF-8). Keeps line structure; never case-folds. No NFC/NFKC: that
/// would need ICU; the table covers what documents actually bring.
MCQGEN_API std::string normalize_text(std::string_view text);

/// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
MCQGEN_API bool is_valid_utf8(std::string_view bytes) noexcept;

} // namespace mcqgen
