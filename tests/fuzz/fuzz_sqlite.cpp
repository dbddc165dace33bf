// Fuzz target: opening a database file of arbitrary bytes with SqliteStorage (and so the schema
// check and the migrations), reading everything back, writing to it, and resuming its tests.
//
// The bytes are the database file; the seed corpus holds valid mcqgen databases (schema 1 and
// 2, small pages), so most mutations are corrupted or truncated databases. Whatever the bytes,
// every call must either work or throw mcqgen::Error with errc::storage (errc::not_found for a
// test that is not there); any other exception, a crash or a sanitizer report is a bug.

#include "fuzz_input.hpp"

#include <mcqgen/mcqgen.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using namespace mcqgen;
namespace fs = std::filesystem;

const fs::path& scratch_dir() {
    static const fs::path dir = [] {
        auto path = fs::temp_directory_path() /
                    ("mcqgen-fuzz-sqlite-" + std::to_string(static_cast<long>(getpid())));
        fs::create_directories(path);
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(scratch_dir(), ignored);
        });
        return path;
    }();
    return dir;
}

bool expected(const Error& e) {
    return e.code_value() == errc::storage || e.code_value() == errc::not_found;
}

// Everything the CLI's list/show/status/resume would do with the file.
void exercise(const fs::path& path) {
    SqliteStorage storage(path);
    const auto tests = storage.tests();
    int visited = 0;
    for (const auto& listed : tests) {
        if (++visited > 8) break;
        try {
            const auto test = storage.find_test(listed.id);
            const auto questions = storage.questions(listed.id);
            (void)to_json(test.value_or(listed), questions);
            const auto document = storage.document(listed.id);
            // Resume as after a crash, offline, when the test is small enough to finish fast
            // (a corrupt record must be refused with errc::storage, whatever its numbers).
            if (listed.target_questions <= 5 && listed.status != Status::completed &&
                document.text().size() <= 4096) {
                Config config;
                config.pipeline.offline = true;
                (void)Generator(config).resume(listed.id, storage);
            }
        } catch (const Error& e) {
            FUZZ_CHECK(expected(e));
        }
    }
    (void)to_json(tests);

    Test fresh;
    fresh.id = "fuzz-test";
    fresh.target_questions = 1;
    fresh.created_at = fresh.updated_at = "2026-01-01T00:00:00Z";
    storage.create_test(fresh, Document::from_text("A short document."));
    Question q;
    q.stem = "Which?";
    q.options = {"a", "b", "c", "d"};
    q.source_quote = "A short document.";
    fresh.questions_generated = 1;
    storage.add_question(fresh, q);
    const auto back = storage.questions(fresh.id);
    FUZZ_CHECK(back.size() == 1 && back[0].options == q.options);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path path = scratch_dir() / "t.db";
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        fs::remove(path.string() + suffix, ignored);
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        exercise(path);
    } catch (const Error& e) {
        FUZZ_CHECK(expected(e));
    }
    return 0;
}
