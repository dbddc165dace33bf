#include "test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <fstream>

using namespace mcqgen;

namespace {

Test make_test(const std::string& id, const std::string& created_at) {
    Test t;
    t.id = id;
    t.target_questions = 3;
    t.seed = 0xFEDCBA9876543210ull; // does not fit in a signed 64-bit column as is
    t.provider = "offline";
    t.created_at = t.updated_at = created_at;
    t.rejections = {{"near_duplicate", 2}};
    return t;
}

Question make_question(int position) {
    Question q;
    q.position = position;
    q.stem = "Stem <b>" + std::to_string(position) + "</b>'); DROP TABLE questions; --";
    q.options = {"a", "b", "c", "d"};
    q.answer_index = position % 4;
    q.explanation = "because";
    q.source_quote = "quote";
    q.score = 0.75;
    q.style = "cloze";
    q.difficulty = "easy";
    return q;
}

// The contract every adapter keeps, run against both shipped ones.
void exercise(Storage& storage) {
    auto older = make_test("t-older", "2026-01-01T00:00:00.000Z");
    auto newer = make_test("t-newer", "2026-02-01T00:00:00.000Z");
    storage.create_test(older, Document::from_text("document one"));
    storage.create_test(newer, Document::from_text("document two"));
    CHECK_THROWS_AS(storage.create_test(older, Document::from_text("again")), Error);

    older.questions_generated = 1;
    const auto id = storage.add_question(older, make_question(0));
    CHECK(id > 0);
    CHECK_THROWS_AS(storage.add_question(older, make_question(0)), Error); // position taken

    const auto loaded = storage.find_test("t-older");
    REQUIRE(loaded);
    CHECK(loaded->questions_generated == 1);
    CHECK(loaded->seed == 0xFEDCBA9876543210ull);
    CHECK(loaded->rejections.at("near_duplicate") == 2);
    CHECK(storage.document("t-older").text() == "document one");

    const auto questions = storage.questions("t-older");
    REQUIRE(questions.size() == 1);
    CHECK(questions[0].stem == make_question(0).stem); // SQL and HTML stored unchanged
    CHECK(questions[0].id == id);

    const auto all = storage.tests();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == "t-newer"); // newest first

    older.status = Status::partial;
    older.error = errc::rate_limited;
    storage.update_test(older);
    CHECK(storage.find_test("t-older")->error == errc::rate_limited);
    CHECK_FALSE(storage.find_test("nope"));

    CallRecord call;
    call.request_id = "req_1";
    call.kind = "author";
    call.slot = 2;
    call.http_status = 429;
    call.attempts = 3;
    call.error = errc::rate_limited;
    call.usage.input_tokens = 11;
    storage.record_call("t-older", call);
    const auto calls = storage.calls("t-older");
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].request_id == "req_1");
    CHECK(calls[0].error == errc::rate_limited);
    CHECK(calls[0].usage.input_tokens == 11);
    CHECK(storage.calls("t-newer").empty());
    CHECK_THROWS_AS(storage.document("nope"), Error);
}

BatchRecord make_batch(const std::string& id, std::vector<std::string> custom_ids) {
    return {id, std::move(custom_ids), "in_progress", "2026-03-01T00:00:00.000Z",
            "2026-03-01T00:00:00.000Z"};
}

// Batches: inserted in order, updated in place by batch_id, kept apart per test.
void exercise_batches(Storage& storage) {
    REQUIRE(storage.keeps_batches());
    CHECK(storage.batches("t-older").empty());
    const auto first = make_batch("msgbatch_a", {"author-0-0", "author-1-0", "author-2-0"});
    const auto second = make_batch("msgbatch_b", {"judge-0-0"});
    storage.record_batch("t-older", first);
    storage.record_batch("t-older", second);
    auto ended = first;
    ended.status = "ended";
    ended.updated_at = "2026-03-01T00:10:00.000Z";
    storage.record_batch("t-older", ended);
    const auto kept = storage.batches("t-older");
    REQUIRE(kept.size() == 2);
    CHECK(kept[0] == ended); // updated where it was, not appended
    CHECK(kept[1] == second);
    CHECK(storage.batches("t-newer").empty());
    // The same batch id under another test is another record.
    storage.record_batch("t-newer", make_batch("msgbatch_a", {}));
    CHECK(storage.batches("t-newer").size() == 1);
    CHECK(storage.batches("t-older").size() == 2);
    try {
        storage.record_batch("nope", first);
        FAIL("a batch of an unknown test was kept");
    } catch (const Error& e) {
        CHECK(e.code_value() == errc::not_found);
    }
}

errc open_error(const std::filesystem::path& path) {
    try {
        SqliteStorage storage(path);
    } catch (const Error& e) {
        return e.code_value();
    }
    return errc::ok;
}

} // namespace

TEST_SUITE("storage") {
    TEST_CASE("MemoryStorage keeps the storage contract") {
        MemoryStorage storage;
        exercise(storage);
        exercise_batches(storage);
    }

    TEST_CASE("the base adapter keeps no batches and says so") {
        // An adapter that overrides only what it must, as an application's own would.
        class Bare : public Storage {
          public:
            void create_test(const Test&, const Document&) override {}
            std::int64_t add_question(const Test&, const Question&) override { return 1; }
            void update_test(const Test&) override {}
            std::optional<Test> find_test(std::string_view) override { return std::nullopt; }
            std::vector<Question> questions(std::string_view) override { return {}; }
            Document document(std::string_view) override { return Document::from_text("x"); }
            std::vector<Test> tests() override { return {}; }
        } bare;
        CHECK_FALSE(bare.keeps_batches());
        CHECK(bare.batches("t").empty());
        CHECK_THROWS_AS(bare.record_batch("t", make_batch("msgbatch_x", {})), Error);
    }

    TEST_CASE("SqliteStorage keeps the storage contract and survives reopening") {
        test_support::TempDir dir;
        {
            SqliteStorage storage(dir / "t.db");
            exercise(storage);
            exercise_batches(storage);
        }
        SqliteStorage reopened(dir / "t.db");
        CHECK(reopened.questions("t-older").size() == 1);
        const auto batches = reopened.batches("t-older");
        REQUIRE(batches.size() == 2);
        CHECK(batches[0].custom_ids ==
              std::vector<std::string>{"author-0-0", "author-1-0", "author-2-0"});
        CHECK(batches[0].status == "ended");
        SQLite::Database raw((dir / "t.db").string());
        CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
        CHECK(raw.execAndGet("PRAGMA user_version").getInt() == SqliteStorage::schema_version);
    }

    TEST_CASE("a database written by schema version 1 is upgraded without losing rows") {
        test_support::TempDir dir;
        {
            // What mcqgen's first schema wrote.
            SQLite::Database old((dir / "old.db").string(),
                                 SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            old.exec(R"sql(
                CREATE TABLE tests (id TEXT PRIMARY KEY, status TEXT NOT NULL,
                    target_questions INTEGER NOT NULL, questions_generated INTEGER NOT NULL DEFAULT 0,
                    progress REAL NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
                    input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
                    document TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
                CREATE TABLE questions (id INTEGER PRIMARY KEY,
                    test_id TEXT NOT NULL REFERENCES tests(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL, stem TEXT NOT NULL,
                    option_a TEXT NOT NULL, option_b TEXT NOT NULL, option_c TEXT NOT NULL,
                    option_d TEXT NOT NULL,
                    answer_index INTEGER NOT NULL CHECK (answer_index BETWEEN 0 AND 3),
                    explanation TEXT NOT NULL, source_quote TEXT NOT NULL,
                    score REAL NOT NULL DEFAULT 0, UNIQUE (test_id, position));
                INSERT INTO tests VALUES ('legacy', 'partial', 3, 1, 0.333, '1 of 3 questions created',
                    120, 80, 'old document', '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z');
                INSERT INTO questions VALUES (7, 'legacy', 0, 'Old stem?', 'w', 'x', 'y', 'z', 2,
                    'old explanation', 'old quote', 0.9);
                PRAGMA application_id = 1296257351;
                PRAGMA user_version = 1;
            )sql");
        }
        SqliteStorage storage(dir / "old.db");
        const auto test = storage.find_test("legacy");
        REQUIRE(test);
        CHECK(test->status == Status::partial);
        CHECK(test->usage.input_tokens == 120);
        CHECK(test->error == errc::ok);
        const auto questions = storage.questions("legacy");
        REQUIRE(questions.size() == 1);
        CHECK(questions[0].id == 7);
        CHECK(questions[0].options[2] == "y");
        CHECK(questions[0].difficulty.empty());
        CHECK(storage.calls("legacy").empty());
        CHECK(storage.batches("legacy").empty());
        storage.record_batch("legacy", make_batch("msgbatch_new", {"author-1-0"}));
        CHECK(storage.batches("legacy").size() == 1);
        CHECK(storage.document("legacy").text() == "old document");
        SQLite::Database raw((dir / "old.db").string());
        CHECK(raw.execAndGet("PRAGMA user_version").getInt() == SqliteStorage::schema_version);
    }

    TEST_CASE("a damaged batch record is refused rather than read as no requests") {
        test_support::TempDir dir;
        {
            SqliteStorage storage(dir / "t.db");
            storage.create_test(make_test("t", "2026-01-01T00:00:00.000Z"),
                                Document::from_text("document"));
            storage.record_batch("t", make_batch("msgbatch_ok", {"author-0-0"}));
        }
        for (const char* damage : {"'not json'", "'{\"a\": 1}'", "'[\"author-0-0\", 7]'"}) {
            CAPTURE(damage);
            {
                SQLite::Database raw((dir / "t.db").string(), SQLite::OPEN_READWRITE);
                raw.exec(std::string("UPDATE batches SET custom_ids = ") + damage);
            }
            SqliteStorage storage(dir / "t.db");
            try {
                storage.batches("t");
                FAIL("a damaged record was read");
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::storage);
                CHECK(std::string(e.what()).find("msgbatch_ok") != std::string::npos);
            }
            CHECK(storage.find_test("t")); // the rest of the test still reads
        }
    }

    TEST_CASE("refuses another program's database a newer schema garbage and unwritable paths") {
        test_support::TempDir dir;
        {
            SQLite::Database other((dir / "other.db").string(),
                                   SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            other.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)");
        }
        CHECK(open_error(dir / "other.db") == errc::storage);
        { SqliteStorage storage(dir / "future.db"); }
        {
            SQLite::Database raw((dir / "future.db").string(), SQLite::OPEN_READWRITE);
            raw.exec("PRAGMA user_version = 99");
        }
        CHECK(open_error(dir / "future.db") == errc::storage);
        std::ofstream(dir / "garbage.db") << std::string(4096, 'x');
        CHECK(open_error(dir / "garbage.db") == errc::storage);
        CHECK(open_error("/nonexistent-dir/mcqgen/t.db") == errc::storage);
        // The refused files were not altered.
        SQLite::Database check((dir / "other.db").string());
        CHECK(check.execAndGet("PRAGMA user_version").getInt() == 0);
    }
}
