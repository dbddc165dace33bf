#include <mcqgen/errors.hpp>
#include <mcqgen/storage.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <mutex>
#include <thread>

namespace mcqgen {
namespace {

// 'MCQG': marks the file as ours, so another program's SQLite database is refused, not altered.
constexpr int application_id = 0x4D435147;

// How long a connection waits for another connection's lock before it gives up: long enough for
// another process's schema creation or commit, short enough that a database some other program
// keeps locked is reported within seconds instead of hanging the caller.
constexpr std::chrono::milliseconds busy_timeout{5000};

// What a file says about itself, read in one snapshot: three separate reads could straddle
// another process's schema creation and see a version 0 file that is no longer empty.
struct SchemaState {
    int version = 0;
    int app_id = 0;
    bool empty = true;
};

// Forward migrations; entry i takes the schema from version i to i + 1. Never edit a released
// entry: append a new one and raise SqliteStorage::schema_version.
constexpr std::array<const char*, SqliteStorage::schema_version> migrations = {
    // 0 -> 1: the first schema, as the original service stored tests.
    R"sql(
    CREATE TABLE tests (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        target_questions INTEGER NOT NULL,
        questions_generated INTEGER NOT NULL DEFAULT 0,
        progress REAL NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        document TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        test_id TEXT NOT NULL REFERENCES tests(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        stem TEXT NOT NULL,
        option_a TEXT NOT NULL, option_b TEXT NOT NULL,
        option_c TEXT NOT NULL, option_d TEXT NOT NULL,
        answer_index INTEGER NOT NULL CHECK (answer_index BETWEEN 0 AND 3),
        explanation TEXT NOT NULL,
        source_quote TEXT NOT NULL,
        score REAL NOT NULL DEFAULT 0,
        UNIQUE (test_id, position));
    )sql",
    // 1 -> 2: error codes, full usage, rejection accounting, reproducibility, question style.
    R"sql(
    ALTER TABLE tests ADD COLUMN error TEXT NOT NULL DEFAULT 'ok';
    ALTER TABLE tests ADD COLUMN cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN cache_read_input_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN estimated_cost_usd REAL NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN candidates_generated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN candidates_rejected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN rejections TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE tests ADD COLUMN seed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tests ADD COLUMN candidates_per_question INTEGER NOT NULL DEFAULT 4;
    ALTER TABLE tests ADD COLUMN provider TEXT NOT NULL DEFAULT '';
    ALTER TABLE questions ADD COLUMN style TEXT NOT NULL DEFAULT '';
    ALTER TABLE questions ADD COLUMN difficulty TEXT NOT NULL DEFAULT '';
    CREATE INDEX tests_created ON tests(created_at);
    )sql",
    // 2 -> 3: every API call of a test, for auditing and support requests.
    R"sql(
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        test_id TEXT NOT NULL REFERENCES tests(id) ON DELETE CASCADE,
        request_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        slot INTEGER NOT NULL,
        http_status INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_creation_input_tokens INTEGER NOT NULL,
        cache_read_input_tokens INTEGER NOT NULL,
        estimated_cost_usd REAL NOT NULL,
        at TEXT NOT NULL);
    CREATE INDEX calls_test ON calls(test_id);
    )sql",
    // 3 -> 4: documents in a table of their own. SQLite rewrites a whole row on UPDATE, so a
    // document kept in the tests row was written again with every question's counter update.
    R"sql(
    CREATE TABLE documents (
        test_id TEXT PRIMARY KEY REFERENCES tests(id) ON DELETE CASCADE,
        text TEXT NOT NULL);
    INSERT INTO documents (test_id, text) SELECT id, document FROM tests;
    UPDATE tests SET document = '';
    )sql",
    // 4 -> 5: the document's structure (pages, sections, blocks), and where each question's
    // quote is found in it. Documents stored before have no layout: they read as plain text.
    R"sql(
    ALTER TABLE documents ADD COLUMN layout TEXT NOT NULL DEFAULT '';
    ALTER TABLE questions ADD COLUMN source_page INTEGER;
    ALTER TABLE questions ADD COLUMN source_section TEXT NOT NULL DEFAULT '';
    )sql",
    // 5 -> 6: the Message Batches a test submitted (batch mode), so that a resume in another
    // process polls them instead of paying for their requests again. custom_ids is a JSON array.
    R"sql(
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        test_id TEXT NOT NULL REFERENCES tests(id) ON DELETE CASCADE,
        batch_id TEXT NOT NULL,
        custom_ids TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (test_id, batch_id));
    )sql",
};

constexpr const char* test_columns =
    "id, status, target_questions, questions_generated, progress, message, error, input_tokens, "
    "output_tokens, cache_creation_input_tokens, cache_read_input_tokens, requests, "
    "estimated_cost_usd, candidates_generated, candidates_rejected, rejections, seed, "
    "candidates_per_question, provider, created_at, updated_at";

constexpr const char* question_columns =
    "id, position, stem, option_a, option_b, option_c, option_d, answer_index, explanation, "
    "source_quote, score, style, difficulty, source_page, source_section";

std::string rejections_json(const std::map<std::string, int>& rejections) {
    boost::json::object object;
    for (const auto& [reason, count] : rejections)
        object[reason] = count;
    return boost::json::serialize(object);
}

std::map<std::string, int> parse_rejections(const std::string& text) {
    std::map<std::string, int> result;
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) return result;
    for (const auto& [reason, count] : value.as_object())
        if (count.is_int64()) result[std::string(reason)] = static_cast<int>(count.as_int64());
    return result;
}

std::string custom_ids_json(const std::vector<std::string>& ids) {
    boost::json::array array;
    for (const auto& id : ids)
        array.emplace_back(id);
    return boost::json::serialize(array);
}

// A list that does not parse is refused: read as empty, it would make a resume submit again
// requests that were already paid for.
std::vector<std::string> parse_custom_ids(const std::string& text, const std::string& batch_id) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    std::vector<std::string> result;
    if (!ec && value.is_array())
        for (const auto& id : value.as_array()) {
            if (!id.is_string()) break;
            result.emplace_back(id.as_string());
        }
    if (ec || !value.is_array() || result.size() != value.as_array().size())
        throw Error(errc::storage, "the stored requests of batch '" + batch_id + "' are damaged");
    return result;
}

Test read_test(SQLite::Statement& row) {
    Test t;
    t.id = row.getColumn(0).getString();
    t.status = status_from_string(row.getColumn(1).getString()).value_or(Status::failed);
    t.target_questions = row.getColumn(2).getInt();
    t.questions_generated = row.getColumn(3).getInt();
    t.progress = row.getColumn(4).getDouble();
    t.message = row.getColumn(5).getString();
    t.error = errc_from_string(row.getColumn(6).getString()).value_or(errc::internal);
    t.usage.input_tokens = row.getColumn(7).getInt64();
    t.usage.output_tokens = row.getColumn(8).getInt64();
    t.usage.cache_creation_input_tokens = row.getColumn(9).getInt64();
    t.usage.cache_read_input_tokens = row.getColumn(10).getInt64();
    t.usage.requests = row.getColumn(11).getInt64();
    t.usage.estimated_cost_usd = row.getColumn(12).getDouble();
    t.candidates_generated = row.getColumn(13).getInt();
    t.candidates_rejected = row.getColumn(14).getInt();
    t.rejections = parse_rejections(row.getColumn(15).getString());
    t.seed = std::bit_cast<std::uint64_t>(row.getColumn(16).getInt64());
    t.candidates_per_question = row.getColumn(17).getInt();
    t.provider = row.getColumn(18).getString();
    t.created_at = row.getColumn(19).getString();
    t.updated_at = row.getColumn(20).getString();
    return t;
}

Question read_question(SQLite::Statement& row) {
    Question q;
    q.id = row.getColumn(0).getInt64();
    q.position = row.getColumn(1).getInt();
    q.stem = row.getColumn(2).getString();
    for (int i = 0; i < 4; ++i)
        q.options[i] = row.getColumn(3 + i).getString();
    q.answer_index = row.getColumn(7).getInt();
    q.explanation = row.getColumn(8).getString();
    q.source_quote = row.getColumn(9).getString();
    q.score = row.getColumn(10).getDouble();
    q.style = row.getColumn(11).getString();
    q.difficulty = row.getColumn(12).getString();
    if (!row.getColumn(13).isNull()) q.source_page = row.getColumn(13).getInt();
    q.source_section = row.getColumn(14).getString();
    return q;
}

} // namespace

struct SqliteStorage::Impl {
    std::string path;
    std::mutex mutex;
    std::unique_ptr<SQLite::Database> db;

    // Runs `body` under the lock and turns every SQLite failure into Error(errc::storage).
    template <class F> auto guarded(const char* what, F&& body) {
        std::lock_guard lock(mutex);
        try {
            return body(*db);
        } catch (const SQLite::Exception& e) {
            throw Error(errc::storage, std::string(what) + " failed in " + path + ": " + e.what());
        }
    }

    // Nothing is written before the file is known to be ours and sound. A file already at
    // schema_version is opened without the write lock, so a busy database can still be read.
    void open() {
        db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                static_cast<int>(busy_timeout.count()));
        db->exec("PRAGMA foreign_keys = ON");
        const SchemaState state = snapshot_schema_state();
        refuse_if_not_ours(state);
        refuse_if_damaged();
        use_wal();
        db->exec("PRAGMA synchronous = NORMAL");
        if (state.version < schema_version) migrate();
    }

    SchemaState read_schema_state() {
        SchemaState state;
        state.version = db->execAndGet("PRAGMA user_version").getInt();
        state.app_id = db->execAndGet("PRAGMA application_id").getInt();
        state.empty = db->execAndGet("SELECT count(*) FROM sqlite_master").getInt() == 0;
        return state;
    }

    SchemaState snapshot_schema_state() {
        SQLite::Transaction snapshot(*db); // deferred: one read transaction, no write lock
        const SchemaState state = read_schema_state();
        snapshot.commit();
        return state;
    }

    void refuse_if_not_ours(const SchemaState& state) const {
        if (state.version < 0)
            throw Error(errc::storage, path + " has a corrupt schema version (" +
                                           std::to_string(state.version) + ")");
        if (state.version > schema_version)
            throw Error(errc::storage, path + " was written by a newer mcqgen (schema " +
                                           std::to_string(state.version) + ")");
        if (state.app_id != application_id && !(state.version == 0 && state.empty))
            throw Error(errc::storage, path + " is another program's SQLite database");
    }

    // A damaged file does not always fail loudly: SQLite can read back wrong or missing rows
    // from a broken b-tree (found by fuzz_sqlite). The full check costs about 1.5 ms per MB of
    // database, paid once per open, and keeps writes away from a file that cannot hold them.
    void refuse_if_damaged() {
        const std::string verdict = db->execAndGet("PRAGMA integrity_check(1)").getString();
        if (verdict == "ok") return;
        std::string finding = verdict.substr(0, 200);
        std::replace(finding.begin(), finding.end(), '\n', ' ');
        throw Error(errc::storage, path + " is damaged (integrity check: " + finding + ")");
    }

    // WAL: readers never block the writer, and a killed writer leaves a consistent file. The
    // switch cannot run inside a transaction, and on a new file every opener makes it at once:
    // a connection that finds another one reading gets SQLITE_BUSY at once, without the busy
    // handler (the switch upgrades a read lock to a write lock, and waiting could deadlock).
    // So it is retried here, for as long as the busy handler would have waited.
    void use_wal() {
        const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
        auto pause = std::chrono::milliseconds(1);
        for (;;) {
            try {
                db->exec("PRAGMA journal_mode = WAL");
                return;
            } catch (const SQLite::Exception& e) {
                const bool busy = (e.getErrorCode() & 0xff) == SQLITE_BUSY;
                if (!busy || std::chrono::steady_clock::now() >= deadline) throw;
            }
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(20));
        }
    }

    // Creates or upgrades the schema under the write lock (BEGIN IMMEDIATE waits for it with the
    // busy handler), deciding what to do only once it is held: the openers of a new file all
    // get here together, and those that wait must find the schema another one has finished
    // (and do nothing), not create its tables again. One transaction: all steps or none.
    void migrate() {
        SQLite::Transaction transaction(*db, SQLite::TransactionBehavior::IMMEDIATE);
        const SchemaState state = read_schema_state();
        refuse_if_not_ours(state);
        if (state.version == schema_version) return; // another process got here first
        for (int version = state.version; version < schema_version; ++version)
            db->exec(migrations[static_cast<std::size_t>(version)]);
        db->exec("PRAGMA application_id = " + std::to_string(application_id));
        db->exec("PRAGMA user_version = " + std::to_string(schema_version));
        transaction.commit();
    }

    void write_test(const Test& t) {
        SQLite::Statement update(*db, R"sql(
            UPDATE tests SET status = ?, target_questions = ?, questions_generated = ?,
                progress = ?, message = ?, error = ?, input_tokens = ?, output_tokens = ?,
                cache_creation_input_tokens = ?, cache_read_input_tokens = ?, requests = ?,
                estimated_cost_usd = ?, candidates_generated = ?, candidates_rejected = ?,
                rejections = ?, seed = ?, candidates_per_question = ?, provider = ?,
                created_at = ?, updated_at = ?
            WHERE id = ?)sql");
        int i = 0;
        update.bind(++i, std::string(to_string(t.status)));
        update.bind(++i, t.target_questions);
        update.bind(++i, t.questions_generated);
        update.bind(++i, t.progress);
        update.bind(++i, t.message);
        update.bind(++i, std::string(to_string(t.error)));
        update.bind(++i, static_cast<std::int64_t>(t.usage.input_tokens));
        update.bind(++i, static_cast<std::int64_t>(t.usage.output_tokens));
        update.bind(++i, static_cast<std::int64_t>(t.usage.cache_creation_input_tokens));
        update.bind(++i, static_cast<std::int64_t>(t.usage.cache_read_input_tokens));
        update.bind(++i, static_cast<std::int64_t>(t.usage.requests));
        update.bind(++i, t.usage.estimated_cost_usd);
        update.bind(++i, t.candidates_generated);
        update.bind(++i, t.candidates_rejected);
        update.bind(++i, rejections_json(t.rejections));
        update.bind(++i, std::bit_cast<std::int64_t>(t.seed));
        update.bind(++i, t.candidates_per_question);
        update.bind(++i, t.provider);
        update.bind(++i, t.created_at);
        update.bind(++i, t.updated_at);
        update.bind(++i, t.id);
        if (update.exec() != 1) throw no_such_test(t.id);
    }
};

SqliteStorage::SqliteStorage(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
    impl_->path = path.string();
    try {
        impl_->open();
    } catch (const SQLite::Exception& e) {
        throw Error(errc::storage, "cannot open database " + impl_->path + ": " + e.what());
    }
}

SqliteStorage::~SqliteStorage() = default;

void SqliteStorage::create_test(const Test& test, const Document& document) {
    impl_->guarded("creating a test", [&](SQLite::Database& db) {
        SQLite::Transaction transaction(db);
        // tests.document stays '' since schema 4 (the text lives in documents): dropping the
        // column would rewrite every row of an existing database for no gain.
        SQLite::Statement insert(db, "INSERT INTO tests (id, status, target_questions, document, "
                                     "created_at, updated_at) VALUES (?, ?, ?, '', ?, ?)");
        insert.bind(1, test.id);
        insert.bind(2, std::string(to_string(test.status)));
        insert.bind(3, test.target_questions);
        insert.bind(4, test.created_at);
        insert.bind(5, test.updated_at);
        insert.exec();
        SQLite::Statement text(db,
                               "INSERT INTO documents (test_id, text, layout) VALUES (?, ?, ?)");
        text.bind(1, test.id);
        text.bind(2, document.text());
        text.bind(3, document.layout());
        text.exec();
        impl_->write_test(test);
        transaction.commit();
    });
}

std::int64_t SqliteStorage::add_question(const Test& test, const Question& q) {
    return impl_->guarded("storing a question", [&](SQLite::Database& db) {
        SQLite::Transaction transaction(db);
        SQLite::Statement insert(
            db,
            "INSERT INTO questions (test_id, position, stem, option_a, option_b, option_c, "
            "option_d, answer_index, explanation, source_quote, score, style, difficulty, "
            "source_page, source_section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        int i = 0;
        insert.bind(++i, test.id);
        insert.bind(++i, q.position);
        insert.bind(++i, q.stem);
        for (const auto& option : q.options)
            insert.bind(++i, option);
        insert.bind(++i, q.answer_index);
        insert.bind(++i, q.explanation);
        insert.bind(++i, q.source_quote);
        insert.bind(++i, q.score);
        insert.bind(++i, q.style);
        insert.bind(++i, q.difficulty);
        if (q.source_page) {
            insert.bind(++i, *q.source_page);
        } else {
            insert.bind(++i); // NULL: no page
        }
        insert.bind(++i, q.source_section);
        insert.exec();
        const std::int64_t id = db.getLastInsertRowid();
        impl_->write_test(test);
        transaction.commit();
        return id;
    });
}

void SqliteStorage::update_test(const Test& test) {
    impl_->guarded("updating a test", [&](SQLite::Database&) { impl_->write_test(test); });
}

std::optional<Test> SqliteStorage::find_test(std::string_view test_id) {
    return impl_->guarded("reading a test", [&](SQLite::Database& db) -> std::optional<Test> {
        SQLite::Statement select(db, std::string("SELECT ") + test_columns +
                                         " FROM tests WHERE id = ?");
        select.bind(1, std::string(test_id));
        if (!select.executeStep()) return std::nullopt;
        return read_test(select);
    });
}

std::vector<Question> SqliteStorage::questions(std::string_view test_id) {
    return impl_->guarded("reading questions", [&](SQLite::Database& db) {
        SQLite::Statement select(db, std::string("SELECT ") + question_columns +
                                         " FROM questions WHERE test_id = ? ORDER BY position");
        select.bind(1, std::string(test_id));
        std::vector<Question> result;
        while (select.executeStep())
            result.push_back(read_question(select));
        return result;
    });
}

Document SqliteStorage::document(std::string_view test_id) {
    auto [text, layout] = impl_->guarded("reading a document", [&](SQLite::Database& db) {
        SQLite::Statement select(db, "SELECT text, layout FROM documents WHERE test_id = ?");
        select.bind(1, std::string(test_id));
        if (!select.executeStep()) throw no_such_test(test_id);
        return std::pair{select.getColumn(0).getString(), select.getColumn(1).getString()};
    });
    try {
        return Document::restore(std::move(text), layout);
    } catch (const Error& e) { // a damaged row is the database's fault, not the caller's
        throw Error(errc::storage, "the stored document of test '" + std::string(test_id) +
                                       "' is damaged: " + e.message());
    }
}

std::vector<Test> SqliteStorage::tests() {
    return impl_->guarded("listing tests", [&](SQLite::Database& db) {
        SQLite::Statement select(db, std::string("SELECT ") + test_columns +
                                         " FROM tests ORDER BY created_at DESC, rowid DESC");
        std::vector<Test> result;
        while (select.executeStep())
            result.push_back(read_test(select));
        return result;
    });
}

void SqliteStorage::record_call(std::string_view test_id, const CallRecord& call) {
    impl_->guarded("recording a call", [&](SQLite::Database& db) {
        SQLite::Statement insert(
            db, "INSERT INTO calls (test_id, request_id, kind, slot, http_status, attempts, error, "
                "input_tokens, output_tokens, cache_creation_input_tokens, "
                "cache_read_input_tokens, estimated_cost_usd, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        int i = 0;
        insert.bind(++i, std::string(test_id));
        insert.bind(++i, call.request_id);
        insert.bind(++i, call.kind);
        insert.bind(++i, call.slot);
        insert.bind(++i, call.http_status);
        insert.bind(++i, call.attempts);
        insert.bind(++i, std::string(to_string(call.error)));
        insert.bind(++i, static_cast<std::int64_t>(call.usage.input_tokens));
        insert.bind(++i, static_cast<std::int64_t>(call.usage.output_tokens));
        insert.bind(++i, static_cast<std::int64_t>(call.usage.cache_creation_input_tokens));
        insert.bind(++i, static_cast<std::int64_t>(call.usage.cache_read_input_tokens));
        insert.bind(++i, call.usage.estimated_cost_usd);
        insert.bind(++i, call.at);
        insert.exec();
    });
}

bool SqliteStorage::keeps_batches() const {
    return true;
}

void SqliteStorage::record_batch(std::string_view test_id, const BatchRecord& batch) {
    impl_->guarded("recording a batch", [&](SQLite::Database& db) {
        SQLite::Statement exists(db, "SELECT 1 FROM tests WHERE id = ?");
        exists.bind(1, std::string(test_id));
        if (!exists.executeStep()) throw no_such_test(test_id);
        SQLite::Statement upsert(
            db, "INSERT INTO batches (test_id, batch_id, custom_ids, status, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (test_id, batch_id) DO UPDATE "
                "SET custom_ids = excluded.custom_ids, status = excluded.status, "
                "created_at = excluded.created_at, updated_at = excluded.updated_at");
        int i = 0;
        upsert.bind(++i, std::string(test_id));
        upsert.bind(++i, batch.batch_id);
        upsert.bind(++i, custom_ids_json(batch.custom_ids));
        upsert.bind(++i, batch.status);
        upsert.bind(++i, batch.created_at);
        upsert.bind(++i, batch.updated_at);
        upsert.exec();
    });
}

std::vector<BatchRecord> SqliteStorage::batches(std::string_view test_id) {
    return impl_->guarded("reading batches", [&](SQLite::Database& db) {
        SQLite::Statement select(db, "SELECT batch_id, custom_ids, status, created_at, updated_at "
                                     "FROM batches WHERE test_id = ? ORDER BY id");
        select.bind(1, std::string(test_id));
        std::vector<BatchRecord> result;
        while (select.executeStep()) {
            BatchRecord b;
            b.batch_id = select.getColumn(0).getString();
            b.custom_ids = parse_custom_ids(select.getColumn(1).getString(), b.batch_id);
            b.status = select.getColumn(2).getString();
            b.created_at = select.getColumn(3).getString();
            b.updated_at = select.getColumn(4).getString();
            result.push_back(std::move(b));
        }
        return result;
    });
}

std::vector<CallRecord> SqliteStorage::calls(std::string_view test_id) {
    return impl_->guarded("reading calls", [&](SQLite::Database& db) {
        SQLite::Statement select(
            db, "SELECT request_id, kind, slot, http_status, attempts, error, input_tokens, "
                "output_tokens, cache_creation_input_tokens, cache_read_input_tokens, "
                "estimated_cost_usd, at FROM calls WHERE test_id = ? ORDER BY id");
        select.bind(1, std::string(test_id));
        std::vector<CallRecord> result;
        while (select.executeStep()) {
            CallRecord c;
            c.request_id = select.getColumn(0).getString();
            c.kind = select.getColumn(1).getString();
            c.slot = select.getColumn(2).getInt();
            c.http_status = select.getColumn(3).getInt();
            c.attempts = select.getColumn(4).getInt();
            c.error = errc_from_string(select.getColumn(5).getString()).value_or(errc::internal);
            c.usage.input_tokens = select.getColumn(6).getInt64();
            c.usage.output_tokens = select.getColumn(7).getInt64();
            c.usage.cache_creation_input_tokens = select.getColumn(8).getInt64();
            c.usage.cache_read_input_tokens = select.getColumn(9).getInt64();
            c.usage.estimated_cost_usd = select.getColumn(10).getDouble();
            c.usage.requests = c.attempts;
            c.at = select.getColumn(11).getString();
            result.push_back(std::move(c));
        }
        return result;
    });
}

} // namespace mcqgen
