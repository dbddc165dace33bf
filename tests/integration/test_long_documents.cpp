// Documents longer than the model's context window through the Claude path, against a fake
// server that refuses a prompt over its window as the real API does.
#include "fake_claude_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mcqgen;
using namespace std::chrono_literals;

namespace {

const std::string key = "test-key-long-documents-41c9";

// A Markdown book of `chapters` chapters of distinct facts, about 25 KB each.
std::string book(int chapters) {
    static const char* const rivers[] = {"Kaveri",  "Godavari", "Mahanadi", "Tapti",  "Sabarmati",
                                         "Chambal", "Betwa",    "Sone",     "Teesta", "Luni"};
    static const char* const crops[] = {"rice",  "wheat",  "millet", "cotton", "jute",
                                        "maize", "pulses", "tea",    "coffee", "sugarcane"};
    std::string text;
    for (int c = 1; c <= chapters; ++c) {
        text += "# Chapter " + std::to_string(c) + ": Region " + std::to_string(c) + "\n\n";
        for (int s = 1; s <= 3; ++s) {
            text += "## Section " + std::to_string(c) + "." + std::to_string(s) + "\n\n";
            for (int p = 0; p < 12; ++p) {
                for (int k = 0; k < 4; ++k) {
                    const int n = ((c * 31 + s * 7 + p) * 13 + k * 101) % 9973;
                    text += std::string("The ") + rivers[(c + p + k) % 10] + " basin of district " +
                            std::to_string(c) + "-" + std::to_string(s) + "-" + std::to_string(p) +
                            " grew " + std::to_string(n) + " tonnes of " + crops[(s + k + p) % 10] +
                            " in the year " + std::to_string(1900 + (n % 120)) + ". ";
                }
                text += "\n\n";
            }
        }
    }
    return text;
}

Config config_for(const fake_claude::Server& server) {
    auto config = test_support::fake_claude_config(server, key);
    config.pipeline.seed = 5;
    config.http.request_timeout = 10s;
    config.http.max_concurrency = 8;
    return config;
}

fake_claude::Options window_of(std::int64_t tokens) {
    auto options = test_support::fake_server_options(key);
    options.context_window = tokens;
    return options;
}

} // namespace

TEST_SUITE("long_documents") {
    TEST_CASE("a 1 MB book stays under a 200000-token window and questions cite its chapters") {
        fake_claude::Server server(window_of(200'000));
        const auto document = Document::from_bytes(book(90), [] {
            ReadOptions o;
            o.name_hint = "book.md";
            return o;
        }());
        REQUIRE(document.text().size() > 900'000);
        MemoryStorage storage;
        const auto test = Generator(config_for(server)).generate(document, 5, storage);
        CHECK(test.status == Status::completed);
        CHECK(server.stats().responses_400 == 0);
        for (const auto& call : storage.calls(test.id)) {
            const auto prompt = call.usage.input_tokens + call.usage.cache_creation_input_tokens +
                                call.usage.cache_read_input_tokens;
            CHECK(prompt < 4 * Config{}.claude.section_tokens); // a section, not the book
        }
        for (const auto& q : storage.questions(test.id)) {
            CHECK(q.source_section.rfind("Chapter ", 0) == 0);
            CHECK(q.source_section.find("\xE2\x80\xBA Section ") != std::string::npos);
            CHECK(!q.source_page); // Markdown has no pages
        }
    }

    TEST_CASE("sent whole the same book is refused by the window as Claude would refuse it") {
        fake_claude::Server server(window_of(200'000));
        auto config = config_for(server);
        config.claude.document_tokens = 900'000; // sonnet-4-6 has a 1M window: allowed locally
        config.claude.section_tokens = 8'000;
        MemoryStorage storage;
        const auto test = Generator(config).generate(Document::from_text(book(90)), 2, storage);
        CHECK(test.status == Status::failed);
        CHECK(server.stats().responses_400 > 0);
        CHECK(test.message.find("prompt is too long") != std::string::npos);
    }

    TEST_CASE("a short document is sent whole in every call so calls share one cache entry") {
        fake_claude::Server server(window_of(200'000));
        MemoryStorage storage;
        const auto test =
            Generator(config_for(server)).generate(test_support::sample_document(), 4, storage);
        CHECK(test.status == Status::completed);
        CHECK(test.usage.cache_read_input_tokens > 0);
    }

    TEST_CASE("a configuration whose whole-document budget cannot fit the window is refused") {
        Config config;
        config.http.api_key = key;
        config.claude.model = "claude-haiku-4-5"; // 200,000 tokens
        config.claude.document_tokens = 199'000;
        CHECK_THROWS_WITH_AS(config.validate(), doctest::Contains("context window"), Error);
        config.claude.document_tokens = 190'000;
        config.claude.max_tokens = 64'000;
        CHECK_THROWS_WITH_AS(config.validate(), doctest::Contains("max_tokens"), Error);
        config.claude.document_tokens = 100'000;
        CHECK_NOTHROW(config.validate());
    }
}
