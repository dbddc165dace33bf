#pragma once
// The fake Message Batches API (/v1/messages/batches): create, retrieve, list, cancel, delete
// and results, checked the way the real API checks them (the project's Claude API facts, §5).
//
// A batch ends `Options::batch_delay` after its creation, observed lazily: the first request
// that looks at it afterwards processes its items, each answered as /v1/messages would answer
// it (a request the Messages API refuses becomes an `errored` item). The fault plan's batch
// scopes and item_* kinds inject misbehaviour (fault_plan.hpp).

#include "api_support.hpp"
#include "messages_api.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

namespace fake_claude::detail {

class BatchesApi {
  public:
    BatchesApi(const Options& options, StatsBoard& stats, MessagesApi& messages);

    /// A request whose path starts with /v1/messages/batches. Thread-safe.
    /// @throws ApiError for every refusal (404, 405, 400, 401, 429, injected faults).
    HttpReply handle(const HttpRequest& request);

    void set_delay(std::chrono::milliseconds delay);

  private:
    using Clock = std::chrono::system_clock;
    struct Item {
        std::string custom_id;
        std::string params; ///< the request's params, as JSON text
        std::string result; ///< the result object as JSON text, once processed
        std::string type;   ///< succeeded, errored, canceled or expired, once processed
    };
    struct Batch {
        std::string id;
        std::string status = "in_progress"; ///< in_progress, canceling or ended
        Clock::time_point created, ends, ended, cancel_initiated;
        std::vector<Item> items;
        std::string results_url;
    };

    HttpReply create(const HttpRequest& request);
    HttpReply retrieve(const std::string& id);
    HttpReply list(const HttpRequest& request);
    HttpReply cancel(const std::string& id);
    HttpReply remove(const std::string& id);
    HttpReply results(const std::string& id, bool truncate);

    /// The batch, settled to now. The caller holds mutex_. @throws ApiError 404.
    Batch& find(const std::string& id);
    /// Ends the batch if its time has come or it is being canceled.
    void settle(Batch& batch);
    void process(Item& item);
    std::string batch_json(const Batch& batch) const;
    int64_t queued_requests() const; ///< in batches not ended yet

    StatsBoard& stats_;
    MessagesApi& messages_;
    const std::string api_key_;
    const int64_t max_queued_requests_;

    mutable std::mutex mutex_; // guards everything below
    std::chrono::milliseconds delay_;
    std::map<std::string, Batch> batches_;
    std::vector<std::string> order_; ///< batch ids in creation order (deleted ones removed)
    std::unordered_set<std::string> custom_ids_seen_; ///< across every batch ever created
    std::mt19937_64 rng_;                             ///< the results files' order
};

} // namespace fake_claude::detail
