#pragma once
// One generation run: slots scheduled concurrently on an io_context, each going
// author -> local gates -> judge -> selection -> storage -> progress.
//
// Threads: everything here runs on the thread that runs the io_context; cancel() must be
// posted there (Generator does).

#include "pipeline/context.hpp"
#include "pipeline/passages.hpp"
#include "pipeline/validation.hpp"
#include "provider/provider.hpp"

#include <mcqgen/generator.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace mcqgen::detail {

struct RunSetup {
    Test test; ///< already stored, status generating
    std::optional<Document> document;
    std::vector<Question> accepted; ///< questions stored before (resume)
    int candidates = 1;
    /// Slots worked on at once (0: all): the provider's concurrency, so that no call waits in
    /// a queue and each author call is shaped by what the calls before it showed.
    int slots_at_once = 0;
    /// A document longer than this is sent in contexts of at most section_bytes (0: always
    /// whole, as for the offline provider).
    std::size_t document_bytes = 0;
    std::size_t section_bytes = 0;
    double judge_threshold = 0.5;
    QuestionStyle style = QuestionStyle::mixed; ///< the form every author request asks for
    Provider* provider = nullptr;
    Storage* storage = nullptr;
    /// Batch mode: end the run, the test still `generating`, once its first batch is recorded
    /// (Generator::submit); resume() drives it on.
    bool detach_after_submit = false;
    const ProgressCallback* on_progress = nullptr;
    std::function<void(std::string_view)> log;
};

class Run : public std::enable_shared_from_this<Run> {
  public:
    Run(boost::asio::io_context& io, RunSetup setup);

    /// Schedules every missing slot. The run ends when the io_context has no more work.
    void start();
    /// Stops scheduling, aborts calls in flight, keeps what was stored.
    void cancel(errc why = errc::cancelled, std::string message = "cancelled by the caller");
    /// Thread-safe: marks the run cancelled so every step from now on sees it at once, even
    /// steps queued before the posted cancel() runs.
    void request_cancel() noexcept { cancel_requested_ = true; }

    bool finished() const noexcept { return finished_; }
    const Test& test() const noexcept { return setup_.test; }
    /// Stops waiting for the provider's batches, leaving them to a later resume (batch mode).
    void detach();
    /// Set when a storage failure, a fatal API error or the progress callback ended the run.
    std::exception_ptr failure() const noexcept { return failure_; }

  private:
    /// The run's storage as the provider's batch ledger; detaches the run after the first
    /// batch when the setup asks for it.
    class Ledger final : public BatchLedger {
      public:
        explicit Ledger(Run& run) : run_(run) {}
        std::string test_id() override { return run_.setup_.test.id; }
        std::vector<BatchRecord> batches() override;
        void record(const BatchRecord& batch) override;
        bool counted(const std::string& request_id) override;

      private:
        Run& run_;
        std::optional<std::set<std::string>> counted_; ///< request ids of the stored calls
    };

    struct Slot {
        int position = 0;
        int passage = -1;
        int attempt = 0;    ///< author calls made for this slot
        int on_passage = 0; ///< author calls made on the current passage
        std::string focus;  ///< the term its author call is asked to test first
    };

    /// True once the run must stop; turns a cross-thread request into a real cancel().
    bool stopping();
    /// A provider completion that hands `step` its result on the run's thread, later, whether
    /// the provider completes inline or on any thread.
    template <class Result, class Step> std::function<void(Result)> on_run_thread(Step step);
    /// A slot for the question at `position`, with its passage, counted as active.
    std::shared_ptr<Slot> new_slot(int position);
    /// Starts work on the question at `position`.
    void open_slot(int position);
    /// Starts `slots`, after writing the prompt cache of each context two or more of them use.
    void warm_then_start(std::vector<std::shared_ptr<Slot>> slots);
    void start_slot(std::shared_ptr<Slot> slot);
    void on_authored(std::shared_ptr<Slot> slot, AuthorResult result);
    void on_judged(std::shared_ptr<Slot> slot, std::vector<Candidate> candidates,
                   std::vector<std::array<int, 4>> orders, JudgeResult result);
    void retry_slot(std::shared_ptr<Slot> slot);
    void end_slot(bool accepted);
    bool accept(const Slot& slot, const Candidate& candidate, double score);
    void reject(std::string_view reason);
    void record_failure(const CallFailure& failure);
    /// Keeps the API's record of a call; a storage that fails here fails the run.
    void record_call(const char* kind, int slot, const std::optional<CallInfo>& call,
                     const Usage& usage, const CallFailure& failure);
    /// A progress event; `note` is added to the message (a batch's state while it is waited for).
    void emit(const Question* question, std::string_view note = {});
    void finish();
    /// Stores the test as it ends and sends the last progress event.
    void store_final();
    int next_passage();
    /// Steers the slot's next author call: a focus term of its passage that no other slot
    /// has and that recurs least in the context, away from the other questions' terms.
    Steering steering_for(Slot& slot);
    /// How often each word occurs in a context (computed when first asked for).
    const std::map<std::string, int, std::less<>>& word_counts(std::size_t context);
    /// Whether `key` likely occurs in the context more often than a key should (it would be in
    /// other questions' stems and give this one's answer away).
    bool recurs(std::size_t context, std::string_view key);
    /// Candidates for the next author call: the configured number until enough have been
    /// judged, then as few as give one that passes with about 95 % odds at the pass rate seen.
    int candidates_wanted() const;
    std::shared_ptr<const std::string> context_for(int passage) const;
    void log(const std::string& line) const;

    boost::asio::io_context& io_;
    RunSetup setup_;
    std::shared_ptr<const Document> source_;
    std::shared_ptr<const std::string> document_; ///< source_'s text, shared with providers
    QuoteIndex quotes_;
    AcceptedQuestions accepted_checks_;  ///< setup_.accepted, prepared for the checks
    PendingStems pending_stems_;         ///< of the candidates at the judge, by slot
    std::map<int, std::string> focuses_; ///< slot position -> its focus term
    std::map<std::size_t, std::map<std::string, int, std::less<>>> word_counts_;
    std::vector<Passage> passages_;
    std::vector<Context> contexts_;       ///< what calls send as the document
    std::vector<std::size_t> context_of_; ///< passage index -> its context
    std::vector<int> plan_;
    std::size_t next_plan_ = 0;
    std::vector<int> key_deal_;
    int author_budget_ = 0;
    int candidates_decided_ = 0; ///< candidates turned down locally or judged, in this run
    int candidates_passed_ = 0;  ///< of those, the ones the judge passed
    int active_slots_ = 0;
    std::deque<int> waiting_positions_; ///< missing questions not started yet
    int failed_slots_ = 0;
    bool stopping_ = false;
    std::atomic<bool> cancel_requested_{false};
    bool finished_ = false;
    bool detached_ = false;
    Ledger ledger_{*this};
    errc stop_code_ = errc::ok;
    std::string stop_message_;
    std::map<errc, int> call_failures_;
    std::string last_failure_message_;
    std::exception_ptr failure_;
};

} // namespace mcqgen::detail
