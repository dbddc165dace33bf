#include "pipeline/context.hpp"

#include <algorithm>

namespace mcqgen::detail {
namespace {

// The last white space at or before `limit` in text[begin, limit), else `limit` moved back to
// a UTF-8 character boundary: where an over-long block is cut.
std::size_t cut_point(const std::string& text, std::size_t begin, std::size_t limit) {
    for (std::size_t i = limit; i > begin + (limit - begin) / 2; --i)
        if (text[i - 1] == ' ' || text[i - 1] == '\n') return i;
    while (limit > begin + 1 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80)
        --limit;
    return limit;
}

class Cutter {
  public:
    Cutter(const Document& document, std::size_t max_bytes)
        : doc_(document), max_(std::max<std::size_t>(max_bytes, 64)) {}

    std::vector<Context> cut() && {
        for (const auto& block : doc_.blocks())
            add(block);
        close();
        return std::move(out_);
    }

  private:
    void add(const Block& block) {
        const bool top_heading =
            block.kind == BlockKind::heading && block.section >= 0 &&
            doc_.sections()[static_cast<std::size_t>(block.section)].path.size() == 1;
        if (open_ && (block.end - begin_ > max_ || (top_heading && end_ - begin_ >= max_ / 2)))
            close();
        std::size_t from = block.begin;
        while (block.end - from > max_) { // a block too long for any context on its own
            close();
            const auto cut = cut_point(doc_.text(), from, from + max_);
            start(from, block.section, from == block.begin && block.kind == BlockKind::heading);
            end_ = cut;
            close();
            from = cut;
        }
        if (!open_)
            start(from, block.section, from == block.begin && block.kind == BlockKind::heading);
        end_ = block.end;
    }

    void start(std::size_t begin, int section, bool at_heading) {
        open_ = true;
        begin_ = end_ = begin;
        section_ = section;
        at_heading_ = at_heading;
    }

    void close() {
        if (!open_ || end_ <= begin_) {
            open_ = false;
            return;
        }
        // A context that starts inside a section says which, as a reader turning to it would
        // see the chapter's running head.
        std::string text;
        if (section_ >= 0 && !at_heading_)
            text = "[" + doc_.sections()[static_cast<std::size_t>(section_)].title() + "]\n\n";
        text += doc_.text().substr(begin_, end_ - begin_);
        out_.push_back(Context{begin_, end_, std::make_shared<const std::string>(std::move(text))});
        open_ = false;
    }

    const Document& doc_;
    std::size_t max_;
    std::vector<Context> out_;
    bool open_ = false;
    std::size_t begin_ = 0, end_ = 0;
    int section_ = -1;
    bool at_heading_ = false;
};

} // namespace

std::vector<Context> make_contexts(const Document& document, std::size_t max_bytes) {
    return Cutter(document, max_bytes).cut();
}

std::size_t context_of(const std::vector<Context>& contexts, std::size_t offset) {
    const auto it = std::upper_bound(contexts.begin(), contexts.end(), offset,
                                     [](std::size_t at, const Context& c) { return at < c.begin; });
    return it == contexts.begin() ? 0 : static_cast<std::size_t>(it - contexts.begin()) - 1;
}

} // namespace mcqgen::detail
