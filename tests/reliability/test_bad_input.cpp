// Bad input through the C++ API: documents, counts, database paths and contents. Each must give
// its documented error code and a message that says what is wrong, and never lose what was
// stored before. (The CLI gets the same matrix in test_cli_bad_input.py.)

#include "reliability_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json/parse.hpp>

#include <climits>
#include <csignal>
#include <cstdio>
#include <cxxabi.h>
#include <fstream>
#include <sys/wait.h>
#include <typeinfo>
#include <unistd.h>

using namespace mcqgen;
using reliability::Child;
using test_support::offline_config;

using test_support::error_of;

namespace {

struct Rows {
    long long tests = 0, questions = 0;
    bool operator==(const Rows&) const = default;
};

Rows count_rows(const std::filesystem::path& db) {
    SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
    return {raw.execAndGet("SELECT count(*) FROM tests").getInt64(),
            raw.execAndGet("SELECT count(*) FROM questions").getInt64()};
}

// A database that already holds one complete test of 4 questions.
std::string seed_database(const std::filesystem::path& db) {
    SqliteStorage storage(db);
    return Generator(offline_config(3)).generate(test_support::sample_document(), 4, storage).id;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

} // namespace

TEST_SUITE("reliability_bad_input") {
    TEST_CASE("empty blank binary and invalid UTF-8 documents are refused as invalid_argument") {
        test_support::TempDir dir;
        struct Case {
            const char* name;
            std::string bytes;
            const char* says;
        };
        const Case cases[] = {
            {"empty", "", "empty"},
            {"byte-order mark only", "\xEF\xBB\xBF", "empty"},
            {"white space", " \t\r\n\f\v \n", "empty"},
            {"NUL bytes", std::string("The Council met.\0\0\0", 19), "NUL"},
            {"binary",
             std::string("\x7f"
                         "ELF\x02\x01\x01\x00\x00\x00",
                         10),
             "NUL"},
            {"lone continuation byte", "The Council \x80 met in 1950.", "UTF-8"},
            {"Latin-1", "Caf\xe9 society met in 1950.", "UTF-8"},
            {"overlong slash", "a \xc0\xaf b c d e f", "UTF-8"},
            {"surrogate", "a \xed\xa0\x80 b", "UTF-8"},
            {"past U+10FFFF", "a \xf4\x90\x80\x80 b", "UTF-8"},
            {"truncated sequence", "The euro sign \xe2\x82", "UTF-8"},
            {"UTF-16 without a BOM", std::string("T\0h\0e\0", 6), "NUL"},
            {"UTF-16 with a lone surrogate", std::string("\xff\xfeT\0\x00\xd8", 6), "surrogate"},
        };
        const auto db = dir / "t.db";
        seed_database(db);
        const Rows before = count_rows(db);
        for (const auto& c : cases) {
            INFO("case: ", c.name);
            std::string message;
            CHECK(error_of([&] { Document::from_text(c.bytes); }, &message) ==
                  errc::invalid_argument);
            CHECK(message.find(c.says) != std::string::npos);
            const auto file = dir / "doc.txt";
            write_file(file, c.bytes);
            CHECK(error_of([&] { Document::from_file(file); }, &message) == errc::invalid_argument);
            CHECK(message.find(file.string()) != std::string::npos);
        }
        std::string message;
        CHECK(error_of([&] { Document::from_file(dir / "missing.txt"); }, &message) ==
              errc::invalid_argument);
        CHECK(message.find("missing.txt") != std::string::npos);
        CHECK(error_of([&] { Document::from_file(dir.path()); }) == errc::invalid_argument);
        CHECK(count_rows(db) == before);
    }

    TEST_CASE("counts of 0 -1 max+1 and huge are refused before anything is stored") {
        test_support::TempDir dir;
        const auto db = dir / "t.db";
        seed_database(db);
        const Rows before = count_rows(db);
        SqliteStorage storage(db);
        for (int max : {20, 1000}) {
            auto config = offline_config();
            config.pipeline.max_questions = max;
            Generator generator(config);
            for (int count : {0, -1, max + 1, 100000, INT_MAX, INT_MIN}) {
                CAPTURE(max);
                CAPTURE(count);
                std::string message;
                CHECK(error_of(
                          [&] {
                              generator.generate(test_support::sample_document(), count, storage);
                          },
                          &message) == errc::invalid_argument);
                CHECK(message.find("between 1 and " + std::to_string(max)) != std::string::npos);
                CHECK(message.find(std::to_string(count)) != std::string::npos);
            }
        }
        for (int max : {0, -1, 1001, INT_MAX}) {
            auto config = offline_config();
            config.pipeline.max_questions = max;
            std::string message;
            CHECK(error_of([&] { Generator{config}; }, &message) == errc::invalid_argument);
            CHECK(message.find("max_questions") != std::string::npos);
        }
        CHECK(count_rows(db) == before);
    }

    TEST_CASE("unwritable directory locked corrupt and foreign database paths are storage "
              "errors that keep what was stored") {
        test_support::TempDir dir;
        const auto document = test_support::sample_document();
        const auto refuses = [&](const std::filesystem::path& path) {
            std::string message;
            const auto code = error_of(
                [&] {
                    SqliteStorage storage(path);
                    Generator(offline_config()).generate(document, 2, storage);
                },
                &message);
            CHECK(message.find(path.string()) != std::string::npos);
            return code;
        };

        SUBCASE("a path under a regular file, and a directory") {
            write_file(dir / "plain", "not a directory");
            CHECK(refuses(dir / "plain" / "t.db") == errc::storage);
            std::filesystem::create_directories(dir / "folder.db");
            CHECK(refuses(dir / "folder.db") == errc::storage);
        }

        SUBCASE("a read-only database file") {
            const auto db = dir / "t.db";
            seed_database(db);
            const Rows before = count_rows(db);
            std::filesystem::permissions(db, std::filesystem::perms::owner_read |
                                                 std::filesystem::perms::group_read);
            if (geteuid() != 0) CHECK(refuses(db) == errc::storage); // root writes anyway
            std::filesystem::permissions(db, std::filesystem::perms::owner_all);
            CHECK(count_rows(db) == before);
        }

        SUBCASE("a database another process holds an exclusive transaction on") {
            const auto db = dir / "t.db";
            const auto id = seed_database(db);
            const Rows before = count_rows(db);
            Child locker({MCQGEN_CHILD_PATH, "lock", db.string()}, {});
            REQUIRE(locker.wait_for_line("locked"));
            // SQLite's busy timeout (5 s) passes, then the write fails; reads still work in WAL.
            CHECK(refuses(db) == errc::storage);
            {
                SqliteStorage storage(db);
                CHECK(storage.questions(id).size() == 4);
            }
            kill(locker.pid(), SIGKILL);
            locker.wait();
            CHECK(count_rows(db) == before);
            SqliteStorage storage(db);
            CHECK(Generator(offline_config()).generate(document, 2, storage).status ==
                  Status::completed);
        }

        SUBCASE("a database in rollback mode locked by another process") {
            const auto db = dir / "other-mode.db";
            { SQLite::Database create(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
            Child locker({MCQGEN_CHILD_PATH, "lock", db.string()}, {});
            REQUIRE(locker.wait_for_line("locked"));
            CHECK(refuses(db) == errc::storage);
        }

        SUBCASE("corrupt and truncated database files") {
            const auto db = dir / "t.db";
            seed_database(db);
            const std::string good = test_support::read_file(db);
            REQUIRE(good.size() >= 4096);
            struct Variant {
                const char* name;
                std::string bytes;
            };
            std::string bad_header = good;
            bad_header.replace(0, 16, "SQLite format 2\0", 16);
            std::string bad_page_size = good;
            bad_page_size[16] = '\x03'; // page size 0x0300: not a power of two
            std::string zeroed_schema = good;
            std::fill(zeroed_schema.begin() + 100, zeroed_schema.begin() + 4096, '\0');
            const Variant variants[] = {
                {"garbage", std::string(8192, '\x5a')},
                {"header only", good.substr(0, 100)},
                {"half a page", good.substr(0, 2048)},
                {"truncated to one page", good.substr(0, 4096)},
                {"wrong magic", bad_header},
                {"bad page size", bad_page_size},
                {"zeroed schema page", zeroed_schema},
            };
            for (const auto& v : variants) {
                CAPTURE(v.name);
                const auto path = dir / (std::string("corrupt-") + v.name + ".db");
                write_file(path, v.bytes);
                // Opening may succeed on a damaged file; using it must then fail cleanly.
                std::string message;
                const auto code = error_of(
                    [&] {
                        SqliteStorage storage(path);
                        for (const auto& t : storage.tests())
                            storage.questions(t.id);
                        Generator(offline_config()).generate(document, 2, storage);
                    },
                    &message);
                CHECK(code == errc::storage);
                CHECK_FALSE(message.empty());
            }
        }

        SUBCASE("a database of ours with damaged b-trees is refused on open and left as it was") {
            // Found by fuzz_sqlite: SQLite opens this file without error, and a question written
            // to it reads back as something else. The integrity check on open refuses it.
            const auto damaged = dir / "damaged.db";
            std::filesystem::copy_file(std::filesystem::path(MCQGEN_TEST_DATA_DIR) / ".." / "fuzz" /
                                           "regressions" / "sqlite" /
                                           "damaged_btree_reads_back_wrong_rows.sqlite",
                                       damaged);
            const std::string before = test_support::read_file(damaged);
            CHECK(refuses(damaged) == errc::storage);
            std::string message;
            error_of([&] { SqliteStorage storage(damaged); }, &message);
            CHECK(message.find("damaged") != std::string::npos);
            CHECK(test_support::read_file(damaged) == before);
        }

        SUBCASE("another program's database, even one that looks like ours, is left untouched") {
            const auto foreign = dir / "foreign.db";
            {
                SQLite::Database other(foreign.string(),
                                       SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
                other.exec("CREATE TABLE tests (id TEXT PRIMARY KEY, status TEXT);"
                           "CREATE TABLE questions (id INTEGER PRIMARY KEY, stem TEXT);"
                           "INSERT INTO tests VALUES ('x', 'mine');"
                           "PRAGMA user_version = 2; PRAGMA application_id = 1234;");
            }
            const std::string before = test_support::read_file(foreign);
            CHECK(refuses(foreign) == errc::storage);
            std::string message;
            error_of([&] { SqliteStorage storage(foreign); }, &message);
            CHECK(message.find("another program") != std::string::npos);
            CHECK(test_support::read_file(foreign) == before);
        }
    }

    TEST_CASE("stems options and documents with SQL or HTML in them are stored and returned "
              "unchanged") {
        test_support::TempDir dir;
        const std::string nasty[] = {
            "Robert'); DROP TABLE questions;--",
            "<script>alert('x')</script> & <b>bold</b> &amp; \"quoted\"",
            "1' OR '1'='1",
            "%s %n %x {0} ${HOME} `id` $(id)",
            "line one\nline two\r\n\ttabbed \\ backslash",
            "emoji \xF0\x9F\x98\x80 and \xE2\x80\x8B zero-width",
        };
        const auto db = dir / "t.db";
        Test test;
        test.id = "'; DELETE FROM tests; --";
        test.target_questions = 6;
        test.created_at = test.updated_at = "2026-01-01T00:00:00Z";
        test.message = nasty[1];
        {
            SqliteStorage storage(db);
            storage.create_test(test, Document::from_text(nasty[0] + " " + nasty[1]));
            for (int i = 0; i < 6; ++i) {
                Question q;
                q.position = i;
                q.stem = nasty[i];
                q.options = {nasty[(i + 1) % 6], nasty[(i + 2) % 6], nasty[(i + 3) % 6], "plain"};
                q.explanation = nasty[(i + 4) % 6];
                q.source_quote = nasty[(i + 5) % 6];
                q.difficulty = "<i>hard</i>";
                test.questions_generated = i + 1;
                storage.add_question(test, q);
            }
        }
        SqliteStorage storage(db);
        const auto back = storage.questions(test.id);
        REQUIRE(back.size() == 6);
        for (int i = 0; i < 6; ++i) {
            const auto& q = back[static_cast<std::size_t>(i)];
            CHECK(q.stem == nasty[i]);
            CHECK(q.options[0] == nasty[(i + 1) % 6]);
            CHECK(q.explanation == nasty[(i + 4) % 6]);
            CHECK(q.source_quote == nasty[(i + 5) % 6]);
            CHECK(q.difficulty == "<i>hard</i>");
        }
        CHECK(storage.find_test(test.id)->message == nasty[1]);
        CHECK(storage.document(test.id).text() ==
              Document::from_text(nasty[0] + " " + nasty[1]).text());
        // The JSON escapes what it must and nothing else: parsed back, every string is intact.
        const auto json = boost::json::parse(to_json(*storage.find_test(test.id), back));
        CHECK(json.at("test").at("id").as_string() == test.id);
        for (int i = 0; i < 6; ++i) {
            const auto& q = json.at("questions").at(static_cast<std::size_t>(i));
            CHECK(q.at("stem").as_string() == nasty[i]);
            CHECK(q.at("options").at(0).as_string() == nasty[(i + 1) % 6]);
        }
    }

    TEST_CASE("a document full of SQL and HTML gives questions that quote it verbatim") {
        std::string text;
        for (int i = 0; i < 12; ++i) {
            // Prose that breaks naive SQL, HTML and format strings, then a line of outright SQL
            // and markup, which is never quoted: the generator asks about prose only.
            static const char* const regions[] = {"Avon",   "Brora", "Clyde",  "Dee",
                                                  "Esk",    "Forth", "Garry",  "Helmsdale",
                                                  "Irvine", "Jed",   "Kelvin", "Leven"};
            const std::string region = regions[i];
            text += "In " + std::to_string(1900 + i * 7) + " the Council of " + region +
                    " passed O'Brien's 100% & Sons Act, which the Assembly & the Senate of " +
                    region + " later amended.\n\n<b>'); DROP TABLE tests;--</b> %s\n\n";
        }
        MemoryStorage memory;
        test_support::TempDir dir;
        SqliteStorage sqlite(dir / "t.db");
        for (Storage* storage : {static_cast<Storage*>(&memory), static_cast<Storage*>(&sqlite)}) {
            const auto test =
                Generator(offline_config()).generate(Document::from_text(text), 3, *storage);
            CHECK(test.questions_generated > 0);
            CHECK(storage->document(test.id).text() == Document::from_text(text).text());
            for (const auto& q : storage->questions(test.id)) {
                CHECK(test_support::squash(text).find(test_support::squash(q.source_quote)) !=
                      std::string::npos);
                const auto json = boost::json::parse(to_json(q));
                CHECK(json.at("source_quote").as_string() == q.source_quote);
            }
        }
    }

    // Regression: resume used to trust the stored record. A negative target_questions crashed
    // (std::vector<bool> of size_t(-5) in Run::start), an answer_index outside 0..3 crashed
    // (q.options[q.answer_index] in the checks against accepted questions), a huge target ran
    // on for ever, and a target of 0 or out-of-range positions gave "4 of 3 questions created".
    TEST_CASE("resume refuses a corrupt stored test with errc::storage instead of crashing or "
              "running on") {
        test_support::TempDir dir;
        struct Corruption {
            const char* name;
            const char* sql;
        };
        const Corruption corruptions[] = {
            {"negative target", "UPDATE tests SET target_questions = -5"},
            {"zero target", "UPDATE tests SET target_questions = 0"},
            {"huge target", "UPDATE tests SET target_questions = 2000000000"},
            {"key out of range", "PRAGMA ignore_check_constraints = ON; "
                                 "UPDATE questions SET answer_index = 100000"},
            {"negative position",
             "UPDATE questions SET position = -1 WHERE id = (SELECT min(id) FROM questions)"},
            {"position past the target",
             "UPDATE questions SET position = 99 WHERE id = (SELECT min(id) FROM questions)"},
        };
        for (const auto& c : corruptions) {
            const std::string name = c.name;
            CAPTURE(name);
            const auto db = dir / (std::string(c.name) + ".db");
            std::string id;
            {
                SqliteStorage storage(db);
                // Cancelled after two questions: a generating test that resume would finish.
                Generator generator(offline_config());
                const auto test = generator.generate(test_support::sample_document(), 6, storage,
                                                     [&](const Progress& p) {
                                                         if (p.created == 2) generator.cancel();
                                                     });
                id = test.id;
            }
            {
                SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
                raw.exec(c.sql);
            }
            // In a child process: a crash or a hang must not take the tests along.
            const pid_t child = fork();
            REQUIRE(child >= 0);
            if (child == 0) {
                for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
                    signal(sig, SIG_DFL);
                alarm(60);
                try {
                    SqliteStorage storage(db);
                    Generator(offline_config()).resume(id, storage);
                    _exit(12);
                } catch (const Error& e) {
                    _exit(e.code_value() == errc::storage ? 10 : 11);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "resume threw %s: %s\n", typeid(e).name(), e.what());
                    _exit(13);
                } catch (...) {
                    const auto* type = abi::__cxa_current_exception_type();
                    std::fprintf(stderr, "resume threw %s\n", type ? type->name() : "?");
                    _exit(13);
                }
            }
            int status = 0;
            waitpid(child, &status, 0);
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            std::string outcome = "exit code " + std::to_string(code) + " (a sanitizer report?)";
            if (WIFSIGNALED(status))
                outcome = "killed by signal " + std::to_string(WTERMSIG(status));
            if (code == 10) outcome = "refused with errc::storage";
            if (code == 11) outcome = "another mcqgen::Error";
            if (code == 12) outcome = "resumed as if nothing were wrong";
            if (code == 13) outcome = "a foreign exception";
            CAPTURE(outcome);
            CHECK(outcome == "refused with errc::storage");
        }
    }

    // Regression, found by fuzz_sqlite: a negative PRAGMA user_version in a file with
    // mcqgen's application_id made SqliteStorage index its migrations out of bounds and run SQL
    // from a wild pointer (SIGBUS in `mcqgen list`). Input:
    // tests/fuzz/regressions/sqlite/negative_user_version.sqlite.
    TEST_CASE("a database of ours with a negative schema version is refused with errc::storage") {
        test_support::TempDir dir;
        for (const char* version : {"-1", "-255", "-2147483648"}) {
            INFO("user_version ", version);
            const auto db = dir / (std::string("v") + version + ".db");
            seed_database(db);
            {
                SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
                raw.exec(std::string("PRAGMA user_version = ") + version);
            }
            const std::string before = test_support::read_file(db);
            const pid_t child = fork(); // a crash must not take the test process along
            REQUIRE(child >= 0);
            if (child == 0) {
                for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
                    signal(sig, SIG_DFL);
                try {
                    SqliteStorage storage(db);
                    _exit(12);
                } catch (const Error& e) {
                    _exit(e.code_value() == errc::storage ? 10 : 11);
                } catch (...) {
                    _exit(13);
                }
            }
            int status = 0;
            waitpid(child, &status, 0);
            CAPTURE(status);
            CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 10));
            CHECK(test_support::read_file(db) == before); // refused, not altered
        }
    }

    TEST_CASE("a 50 MB document finishes offline with bounded memory") {
        test_support::TempDir dir;
        const auto file = dir / "big.txt";
        const std::string text = reliability::varied_document(50u * 1024 * 1024);
        const std::size_t size = text.size();
        std::ofstream(file, std::ios::binary) << text;
        const auto start = std::chrono::steady_clock::now();
        Child child({MCQGEN_CHILD_PATH, "bigdoc", file.string(), (dir / "big.db").string(), "20"},
                    {});
        const std::string output = child.drain();
        rusage usage{};
        const int status = child.wait(&usage);
        const auto seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        CAPTURE(output);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        CHECK(output.rfind("done completed 20", 0) == 0);
        const long peak_mb = usage.ru_maxrss / 1024;
        const long document_mb = static_cast<long>(size / (1024 * 1024));
        CAPTURE(peak_mb);
        // Bounded: a few copies of the document (the text, the passages, the quote index, the
        // stored row) and the vocabulary; about 7x was measured, 12x is allowed.
        if (!reliability::sanitized) CHECK(peak_mb < 12 * document_mb);
        reliability::report("bad_input.big_document: bytes=" + std::to_string(size) +
                            " peak_rss_mb=" + std::to_string(peak_mb) +
                            " seconds=" + std::to_string(seconds));
    }
}
