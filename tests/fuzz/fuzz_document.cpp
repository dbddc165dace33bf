// Fuzz target: a document from arbitrary bytes (as text, and through the Markdown reader), its
// passages, and the offline author and judge.
//
// Document::from_text must accept the NUL-free, valid UTF-8 texts that keep some text once
// normalised, keep every invariant of a normalised document, and refuse
// the rest with errc::invalid_argument. An accepted document is split into passages (which must
// tile it in order), planned for a few slots, written from by the offline author and judged by
// the offline judge; a small one also goes through a whole offline run into MemoryStorage.

#include "fuzz_input.hpp"

#include "core/random.hpp"
#include "offline/offline_provider.hpp"
#include "pipeline/passages.hpp"
#include "pipeline/selection.hpp"
#include "pipeline/validation.hpp"

#include <mcqgen/mcqgen.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace {

using namespace mcqgen;
using namespace mcqgen::detail;

bool blank(std::string_view text) {
    return text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
}

// What every normalised document satisfies, whatever it was read from.
void check_document(const Document& document) {
    const auto& text = document.text();
    FUZZ_CHECK(!blank(text) && is_valid_utf8(text));
    FUZZ_CHECK(text.find('\r') == std::string::npos && text.find('\0') == std::string::npos);
    FUZZ_CHECK(text.find("\xC2\xAD") == std::string::npos); // soft hyphens are gone
    FUZZ_CHECK(normalize_text(text) == text);               // normalising is idempotent
    std::size_t previous_end = 0;
    for (const auto& b : document.blocks()) {
        FUZZ_CHECK(b.begin >= previous_end && b.begin < b.end && b.end <= text.size());
        FUZZ_CHECK(b.section < static_cast<int>(document.sections().size()));
        previous_end = b.end;
    }
    const auto back = Document::restore(text, document.layout());
    FUZZ_CHECK(back.layout() == document.layout());
}

// The Markdown reader on the same bytes: a Document with every invariant, or a clean refusal.
void markdown(const std::string& bytes) {
    ReadOptions options;
    options.name_hint = "notes.md";
    try {
        const auto document = Document::from_bytes(bytes, options);
        check_document(document);
    } catch (const Error& e) {
        FUZZ_CHECK(e.code_value() == errc::invalid_argument);
    }
}

std::optional<Document> accept(std::string text) {
    std::string expected = text;
    if (expected.rfind("\xEF\xBB\xBF", 0) == 0) expected.erase(0, 3);
    // UTF-16 (a BOM of its own) is decoded first; everything else must be clean UTF-8.
    const bool utf16 = text.rfind("\xFF\xFE", 0) == 0 || text.rfind("\xFE\xFF", 0) == 0;
    const bool acceptable = expected.find('\0') == std::string::npos && is_valid_utf8(expected);
    try {
        auto document = Document::from_text(std::move(text));
        FUZZ_CHECK(acceptable || utf16);
        check_document(document);
        return document;
    } catch (const Error& e) {
        FUZZ_CHECK(e.code_value() == errc::invalid_argument);
        // Good text is refused only when nothing is left of it once normalised.
        if (acceptable && !utf16)
            FUZZ_CHECK(e.message().find("empty") != std::string::npos ||
                       e.message().find("no text") != std::string::npos);
        return std::nullopt;
    }
}

void check_passages(const std::string& text, const std::vector<Passage>& passages) {
    std::size_t previous_end = 0;
    for (std::size_t i = 0; i < passages.size(); ++i) {
        const auto& p = passages[i];
        FUZZ_CHECK(p.index == static_cast<int>(i));
        FUZZ_CHECK(p.begin >= previous_end);
        FUZZ_CHECK(p.begin < p.end && p.end <= text.size());
        FUZZ_CHECK(p.text == text.substr(p.begin, p.end - p.begin));
        for (const auto& s : p.sentences)
            FUZZ_CHECK(s.begin >= p.begin && s.end <= p.end);
        previous_end = p.end;
    }
}

void offline_calls(const std::shared_ptr<const std::string>& text,
                   const std::vector<Passage>& passages, fuzz::Input& in) {
    offline::OfflineProvider provider;
    const QuoteIndex quotes(*text);
    for (std::size_t p = 0; p < passages.size() && p < 6; ++p) {
        AuthorRequest request;
        request.slot = in.integer(0, 20);
        request.document = text;
        request.attempt = in.integer(0, 3);
        request.passage = &passages[p];
        request.count = in.integer(1, 6);
        request.seed = in.u64();
        const auto written = provider.author(request);
        FUZZ_CHECK(static_cast<int>(written.candidates.size()) <= request.count);

        JudgeRequest judge;
        judge.document = text;
        judge.passage = &passages[p];
        for (const auto& c : written.candidates) {
            if (check_candidate(c, quotes)) continue;
            JudgeItem item;
            item.id = static_cast<int>(judge.items.size()) + 1;
            item.stem = c.stem;
            const auto order = seeded_permutation(request.seed + judge.items.size());
            for (std::size_t k = 0; k < 4; ++k)
                item.options[k] = c.options[static_cast<std::size_t>(order[k])];
            judge.items.push_back(std::move(item));
        }
        const auto verdicts = provider.verdicts(judge);
        FUZZ_CHECK(verdicts.verdicts.size() == judge.items.size());
        for (const auto& v : verdicts.verdicts) {
            FUZZ_CHECK(v.chosen >= -1 && v.chosen <= 3);
            FUZZ_CHECK(v.score >= 0 && v.score <= 1);
        }
    }
}

void whole_run(const Document& document, int count, std::uint64_t seed) {
    Config config;
    config.pipeline.offline = true;
    config.pipeline.seed = seed | 1;
    MemoryStorage storage;
    const auto test = Generator(config).generate(document, count, storage);
    const auto questions = storage.questions(test.id);
    FUZZ_CHECK(static_cast<int>(questions.size()) == test.questions_generated);
    FUZZ_CHECK(test.status != Status::generating);
    FUZZ_CHECK((test.status == Status::completed) == (test.questions_generated == count));
    const auto squashed = normalize_whitespace(document.text());
    std::set<std::string> stems;
    for (const auto& q : questions) {
        FUZZ_CHECK(q.answer_index >= 0 && q.answer_index <= 3);
        FUZZ_CHECK(std::set<std::string>(q.options.begin(), q.options.end()).size() == 4);
        FUZZ_CHECK(squashed.find(normalize_whitespace(q.source_quote)) != std::string::npos);
        FUZZ_CHECK(stems.insert(q.stem).second);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first 16 bytes steer the calls; the rest is the document.
    const std::size_t skip = std::min<std::size_t>(size, 16);
    fuzz::Input steering(data, skip);
    const std::string bytes(reinterpret_cast<const char*>(data) + skip, size - skip);
    markdown(bytes);
    auto document = accept(bytes);
    if (!document) return 0;

    const auto text = std::make_shared<const std::string>(document->text());
    const auto passages = make_passages(*document);
    check_passages(*text, passages);
    const int slots = steering.integer(1, 40);
    for (int index : plan_passages(passages, slots))
        FUZZ_CHECK(index >= 0 && index < static_cast<int>(passages.size()));
    offline_calls(text, passages, steering);
    if (text->size() <= 4096) whole_run(*document, steering.integer(1, 4), steering.u64());
    return 0;
}
