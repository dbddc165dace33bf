#pragma once
// The Claude provider in batch mode: author and judge calls go out as Message Batches (half the
// price), polled on the provider's own timer, their JSON Lines results read as a stream.
//
// A call is identified by its custom_id: "author-TEST-SLOT-ATTEMPT", "judge-TEST-SLOT-ATTEMPT-
// HASH" (TEST a hash of the test id; HASH one of the judged items, so that a replay judging
// other candidates is a new request). Every batch is recorded in the run's ledger as soon as
// the API has accepted it; a later process that makes the same call finds its custom_id there
// and waits for that batch instead of submitting again, so nothing is paid for twice.
//
// A create is never sent again blindly: when its answer is lost (a reset or a timeout after
// the request went out) the batch may exist. The recent batches are listed; the newest unknown
// one of the same size made since shortly before is taken for it, and its first result proves
// it ours (its custom_ids carry the test's hash) or gives it up. Only when none is listed is the
// create sent again.
//
// Calls made in one turn of the io_context (a run starts all its slots at once) go out as one
// batch; calls made while a batch's results are being read wait for the end of the file, so
// the judge calls of one author batch form one judge batch.
//
// Threads: everything runs on the thread running the io_context, as the Claude provider.

#include "claude/https_client.hpp"
#include "claude/messages.hpp"
#include "claude/url.hpp"
#include "provider/provider.hpp"

#include <mcqgen/config.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::json {
class object;
}

namespace mcqgen::detail::claude {

/// What became of one request of a batch.
struct BatchOutcome {
    std::string request_id; ///< "BATCH_ID/CUSTOM_ID" for an item of a results file, else ""
    std::string message;    ///< succeeded: the Message as JSON text
    CallFailure failure;    ///< errored, canceled, expired, missing, or the batch failed
};

class BatchProvider final : public Provider {
  public:
    /// @throws Error(errc::invalid_argument / errc::tls) for a bad base URL or CA file.
    BatchProvider(boost::asio::io_context& io, Config config);
    ~BatchProvider() override;

    void write(const AuthorRequest& request, std::function<void(AuthorResult)> done) override;
    void judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) override;
    std::string name() const override { return "claude-batch:" + config_.claude.model; }
    void cancel() override;
    bool batched() const override { return true; }
    void use_ledger(BatchLedger* ledger) override;
    void detach() override;

  private:
    using Deliver = std::function<void(BatchOutcome)>;
    struct Batch;

    /// Routes a call: to the result already read, to the batch that holds it, or to the next
    /// batch to submit.
    void enqueue(std::string custom_id, std::string body, Deliver deliver);
    void schedule_submit();
    struct Queued {
        std::string custom_id;
        std::string body;
    };
    void submit();
    /// Records the intent, then creates a batch of `items`; after a lost answer, looks for it
    /// (find_lost) before sending it again.
    void create(std::vector<Queued> items);
    /// Lists the recent batches for the one the intent `intent_id` stands for: adopts it when
    /// listed, sends its calls again when not.
    void find_lost(const std::string& intent_id, const std::string& why);
    /// Keeps the batch `created` (the API's batch object) for the intent's calls.
    void adopt(const std::string& intent_id, const boost::json::object& created);
    /// Drops an intent whose batch was not made: its calls fail with `code`, or with errc::ok
    /// are queued again.
    void drop_intent(const std::string& intent_id, errc code, const std::string& why);
    /// Takes `record` as a batch of this provider, its calls mapped to it.
    Batch& keep(BatchRecord record);
    static std::vector<std::string> ids_of(const std::vector<Queued>& items);
    /// "KIND-TEST-SLOT-ATTEMPT": unique to the test, so a batch's results show whose it is.
    std::string call_id(const char* kind, int slot, int attempt) const;
    void poll_later(Batch& batch);
    void poll(const std::string& batch_id);
    void on_polled(const std::string& batch_id, const ApiResponse& response);
    void download(const std::string& batch_id);
    void on_downloaded(const std::string& batch_id, const ApiResponse& response);
    bool read_results(Batch& batch, std::string_view data);
    /// Delivers one line of a results file; false when it is not a result of this batch.
    bool take_line(Batch& batch, std::string_view line);
    /// Gives up a batch adopted after a lost create answer whose results are another's.
    void disown(Batch& batch);
    /// Reads the results again after `what` (a failed or cut-short download), or gives up.
    void read_again(Batch& batch, errc code, const std::string& what);
    /// Fails every call still waiting on `batch` (all calls when null).
    void fail_waiting(const Batch* batch, errc code, const std::string& message);
    void fail_calls(const std::vector<std::string>& ids, errc code, const std::string& message);
    void stop(bool cancel_batches);
    void record(Batch& batch, const std::string& status);
    HttpsClient& client();
    void log(const std::string& line) const;

    /// The request path of a results_url on the API's own host (the key goes nowhere else).
    std::optional<std::string> path_on_api_host(const std::string& url) const;

    /// Turns a batch outcome into the call's result, at the batch price.
    template <class Result, class Parse>
    Deliver decoder(const CallSettings& settings, const char* tool, Parse parse,
                    std::function<void(Result)> done);

    boost::asio::io_context& io_;
    Config config_;
    CallSettings author_;
    CallSettings judge_;
    BaseUrl base_;
    std::unique_ptr<HttpsClient> client_;
    BatchLedger* ledger_ = nullptr;

    std::string test_tag_; ///< a hash of the ledger's test id, in every custom_id
    /// The bodies of calls whose create is under way, to send again if it was not made.
    std::map<std::string, std::string> parked_;
    int lost_creates_ = 0;
    std::vector<Queued> queued_;                  ///< to submit in the next batch
    std::map<std::string, Deliver> waiting_;      ///< custom_id -> its call, queued or submitted
    std::map<std::string, std::string> batch_of_; ///< custom_id -> batch id
    std::map<std::string, std::unique_ptr<Batch>> batches_;
    /// Results read before their call was made again (a resumed run replays its calls).
    std::map<std::string, BatchOutcome> unclaimed_;
    bool submit_posted_ = false;
    int downloads_ = 0;
    bool stopped_ = false;
};

} // namespace mcqgen::detail::claude
