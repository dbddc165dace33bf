#pragma once
// The Generator: document in, validated multiple-choice test out.
//
// Thread safety: different Generator objects may be used from different threads. One Generator
// runs one generation at a time: a second one, blocking or started, while the first runs fails
// with errc::busy. cancel() may be called from any thread at any time.

#include <mcqgen/config.hpp>
#include <mcqgen/document.hpp>
#include <mcqgen/export.hpp>
#include <mcqgen/question.hpp>
#include <mcqgen/storage.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <stop_token>
#include <string_view>

namespace mcqgen {

/// A progress event. Sent once when the run starts, after each question is committed to
/// storage, and once when the run ends.
struct Progress {
    std::string_view test_id;
    int created = 0;          ///< questions stored so far
    int target = 0;           ///< questions asked for
    double fraction = 0;      ///< created / target
    std::string_view message; ///< "3 of 10 questions created"
    Status status = Status::generating;
    const Question* question = nullptr; ///< the question just stored, or null
};

/// Called on the thread that runs the generation (the caller's own thread for the blocking
/// API), one event at a time, never concurrently. The Progress is valid only during the call.
/// An exception thrown here cancels the run and is rethrown from generate()/resume().
using ProgressCallback = std::function<void(const Progress&)>;

class Generator;

/// Called once when an asynchronous run ends, on the run's own thread: with the test record, or
/// with the exception generate() would have thrown (and a null test).
using CompletionCallback = std::function<void(const Test* test, std::exception_ptr error)>;

/// A generation running on a thread of its own (see Generator::start). Move-only. Destroying a
/// Job cancels the run and waits for it, so nothing outlives it.
class MCQGEN_API Job {
  public:
    Job() = default;
    ~Job();
    Job(Job&&) noexcept;
    Job& operator=(Job&&) noexcept;

    /// Waits until the run ends or `timeout` passes; true when it has ended.
    bool wait_for(std::chrono::milliseconds timeout) const;
    void wait() const;
    bool done() const;
    /// Asks the run to stop (any thread); what was stored is kept.
    void cancel() noexcept;
    /// Waits, then returns the test or rethrows what generate() would have thrown.
    Test get() const;

  private:
    friend class Generator;
    struct State;
    explicit Job(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

class MCQGEN_API Generator {
  public:
    /// @throws Error(errc::invalid_argument) when the configuration is out of range or the
    ///         base URL is malformed; Error(errc::tls) when the CA file cannot be loaded.
    explicit Generator(Config config = Config::from_env());
    /// Cancels a run still going (a Job's run ends soon after, and never touches this object).
    ~Generator();
    Generator(Generator&&) noexcept;
    Generator& operator=(Generator&&) noexcept;

    /// Generates `count` questions from `document` into `storage`, blocking the calling thread.
    /// In batch mode it waits as long as Claude's batches take (minutes to hours).
    ///
    /// Returns the test record whatever the outcome: `completed`, `partial` (fewer than asked,
    /// with the reason in `message` and `error`), or `failed` (none). Cancellation (cancel(), the
    /// stop token, or the callback throwing) ends the run early and keeps what was stored.
    ///
    /// @throws Error(errc::invalid_argument) for a count outside 1..pipeline.max_questions,
    ///         before anything is stored or sent.
    /// @throws Error(errc::busy) when this Generator is already running a generation.
    /// @throws Error(errc::auth / errc::tls) when Claude refuses the key or the TLS peer; the
    ///         test is stored as `failed` first.
    /// @throws Error(errc::storage) when the storage fails.
    /// @throws whatever the progress callback threw.
    Test generate(const Document& document, int count, Storage& storage,
                  const ProgressCallback& on_progress = {}, std::stop_token stop = {});

    /// Batch mode (Config::batch): stores the test, submits its first Message Batch, and returns
    /// as soon as the batch is recorded, the test still `generating`; resume() collects the
    /// questions later, in this process or another, without submitting anything again.
    /// @throws Error(errc::invalid_argument) when batch mode is off or the storage keeps no
    ///         batches; otherwise as generate().
    Test submit(const Document& document, int count, Storage& storage,
                const ProgressCallback& on_progress = {});

    /// Generates only the questions a stored test still lacks (after a partial run, a
    /// cancellation or a crash), with the test's own seed. A completed test is returned as is.
    /// @throws Error(errc::not_found) when the storage has no such test; otherwise as generate().
    Test resume(std::string_view test_id, Storage& storage,
                const ProgressCallback& on_progress = {}, std::stop_token stop = {});

    /// Starts generate() on a thread of its own and returns at once. Progress and completion
    /// callbacks run on that thread, one at a time. The storage must outlive the Job; the
    /// document is copied. The Generator may be moved or destroyed while the Job runs
    /// (destroying it cancels the run). The Generator is free for its next run when the
    /// completion callback is called.
    /// @throws Error(errc::invalid_argument) for a bad count and Error(errc::busy) when a run is
    ///         going, here, before any thread starts.
    Job start(Document document, int count, Storage& storage, ProgressCallback on_progress = {},
              CompletionCallback on_done = {});
    /// Starts resume() on a thread of its own, as start() does (errc::busy checked here; an
    /// unknown test id is reported by the Job).
    Job start_resume(std::string test_id, Storage& storage, ProgressCallback on_progress = {},
                     CompletionCallback on_done = {});

    /// Cancels the run in progress, if any, from any thread. Calls in flight are aborted and
    /// everything already stored is kept.
    void cancel() noexcept;

    /// @throws Error(errc::invalid_argument) on a moved-from Generator, as every member but
    ///         cancel(), the destructor and assignment.
    const Config& config() const;

  private:
    class Impl;
    /// Runs `body` (stop_token -> Test) on a thread of its own (job.cpp).
    template <class Body> static Job launch(Body body, CompletionCallback on_done);
    Impl& impl() const;

    // Shared with the Jobs this Generator started, so a move or a destruction leaves them
    // working on memory that stays alive until they end.
    std::shared_ptr<Impl> impl_;
};

} // namespace mcqgen
