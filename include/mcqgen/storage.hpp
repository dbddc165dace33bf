#pragma once
// Where tests and questions live. The generator talks to storage only through this interface,
// so an application can plug in its own database with a few dozen lines.
//
// Thread safety: one run calls its storage from one thread at a time (the thread running the
// generation). The adapters shipped here also lock internally, so one storage object may be
// shared by several generators on different threads.
//
// Errors: adapters throw mcqgen::Error with errc::storage (or errc::not_found for an unknown test
// id). A failed call must leave what was stored before it intact.

#include <mcqgen/document.hpp>
#include <mcqgen/errors.hpp>
#include <mcqgen/export.hpp>
#include <mcqgen/question.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen {

class MCQGEN_API Storage {
  public:
    virtual ~Storage() = default;

    /// Stores a new test (status `generating`) together with the document it is made from: its
    /// text() and layout(), which document() hands back through Document::restore().
    virtual void create_test(const Test& test, const Document& document) = 0;

    /// Stores one accepted question and the test's updated counters, atomically: either both are
    /// durable when this returns, or neither is. Returns the question's new id.
    virtual std::int64_t add_question(const Test& test, const Question& question) = 0;

    /// Overwrites the test's record (status, counters, message, usage, timestamps).
    virtual void update_test(const Test& test) = 0;

    /// The test with this id, or nothing.
    virtual std::optional<Test> find_test(std::string_view test_id) = 0;

    /// The test with this id.
    /// @throws Error(errc::not_found) when there is none (the message says "no test with id ...").
    Test test(std::string_view test_id);

    /// The test's questions ordered by position.
    virtual std::vector<Question> questions(std::string_view test_id) = 0;

    /// The document the test was made from, as create_test stored it.
    virtual Document document(std::string_view test_id) = 0;

    /// Every test, newest first.
    virtual std::vector<Test> tests() = 0;

    /// Keeps the record of one API call of a test. Optional: the default keeps nothing.
    virtual void record_call(std::string_view test_id, const CallRecord& call);

    /// The calls recorded for a test, in order. The default has none.
    virtual std::vector<CallRecord> calls(std::string_view test_id);

    /// Whether this storage keeps batches (record_batch, batches). Batch mode needs it: without
    /// the record, a resumed run could not know what was already submitted and paid for. The
    /// default is false.
    virtual bool keeps_batches() const;

    /// Keeps a batch of the test: inserts it, or updates the one with the same batch_id.
    /// Atomic like add_question. The default throws Error(errc::storage).
    virtual void record_batch(std::string_view test_id, const BatchRecord& batch);

    /// The test's batches in the order they were first recorded. The default has none.
    virtual std::vector<BatchRecord> batches(std::string_view test_id);

  protected:
    /// The error every adapter throws for an unknown test id.
    static Error no_such_test(std::string_view test_id);
};

/// Keeps everything in memory; for embedding without a file. Thread-safe.
class MCQGEN_API MemoryStorage final : public Storage {
  public:
    MemoryStorage();
    ~MemoryStorage() override;
    MemoryStorage(const MemoryStorage&) = delete;
    MemoryStorage& operator=(const MemoryStorage&) = delete;

    void create_test(const Test& test, const Document& document) override;
    std::int64_t add_question(const Test& test, const Question& question) override;
    void update_test(const Test& test) override;
    std::optional<Test> find_test(std::string_view test_id) override;
    std::vector<Question> questions(std::string_view test_id) override;
    Document document(std::string_view test_id) override;
    std::vector<Test> tests() override;
    void record_call(std::string_view test_id, const CallRecord& call) override;
    std::vector<CallRecord> calls(std::string_view test_id) override;
    bool keeps_batches() const override;
    void record_batch(std::string_view test_id, const BatchRecord& batch) override;
    std::vector<BatchRecord> batches(std::string_view test_id) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// SQLite in WAL mode. The schema is versioned with `PRAGMA user_version`; opening a database
/// written by an older version upgrades it in place. Each accepted question is committed in its
/// own transaction. Thread-safe (an internal mutex guards the connection).
class MCQGEN_API SqliteStorage final : public Storage {
  public:
    /// The schema version this build writes.
    static constexpr int schema_version = 6;

    /// Opens (creating if needed) the database at `path`.
    /// @throws Error(errc::storage) when the file cannot be opened or written, is not a SQLite
    ///         database, belongs to another program, or comes from a newer mcqgen.
    explicit SqliteStorage(const std::filesystem::path& path);
    ~SqliteStorage() override;
    SqliteStorage(const SqliteStorage&) = delete;
    SqliteStorage& operator=(const SqliteStorage&) = delete;

    void create_test(const Test& test, const Document& document) override;
    std::int64_t add_question(const Test& test, const Question& question) override;
    void update_test(const Test& test) override;
    std::optional<Test> find_test(std::string_view test_id) override;
    std::vector<Question> questions(std::string_view test_id) override;
    Document document(std::string_view test_id) override;
    std::vector<Test> tests() override;
    void record_call(std::string_view test_id, const CallRecord& call) override;
    std::vector<CallRecord> calls(std::string_view test_id) override;
    bool keeps_batches() const override;
    void record_batch(std::string_view test_id, const BatchRecord& batch) override;
    std::vector<BatchRecord> batches(std::string_view test_id) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace mcqgen
