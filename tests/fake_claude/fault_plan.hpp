#pragma once
// The fault plan: which misbehaviour to inject into which request.
//
// Grammar (whitespace around items is ignored; an empty spec means no faults):
//   spec    := item ("," item)*
//   item    := KIND ["@" SCOPE] trigger
//   trigger := "@" RATE   probability per request, a decimal in [0, 1]   e.g. 429@0.1
//            | "#" N      only the Nth request of its scope since the plan was set (1-based)
//                                                                        e.g. reset_mid#3
//            | "*"        every request                                  e.g. stall*
// KIND is one of the names in fault_kind_name(). SCOPE says which requests the item applies
// to (scope_name(): messages, the default, or one of the Batches API's operations, e.g.
// 500@retrieve#1); the item_* kinds apply to the items of a batch as it is processed and take
// no scope. When several items fire for one request the first in the spec wins.

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace fake_claude::detail {

enum class FaultKind {
    rate_limited,     ///< "429": rate_limit_error with retry-after-ms: 100 and retry-after: 1
    overloaded,       ///< "529": overloaded_error
    server_error,     ///< "500": api_error
    unavailable,      ///< "503": api_error
    should_not_retry, ///< "should_not_retry": 500 api_error with x-should-retry: false
    reset_before,     ///< close the TCP connection (RST) without answering
    reset_mid,        ///< send the headers and half the body, then close
    stall,            ///< never answer; hold the socket until the client or server closes it
    malformed,        ///< 200 whose body is not JSON
    truncated,        ///< 200 whose reply JSON (text, or tool input as a string) is cut in half
    text_only,        ///< 200 with a prose text block instead of the structured reply
    max_tokens,       ///< 200, stop_reason max_tokens: reply text cut in half, or tool input {}
    wrong_shape,      ///< 200 whose JSON fills the schema wrongly: candidates with 3 options and
                      ///< answer_index 7; verdicts whose chosen_option is an index and score 7
    refusal,          ///< 200, stop_reason refusal, no content
    // The items of a Message Batch, as it is processed:
    item_errored,  ///< the item's result is errored, an api_error
    item_expired,  ///< the item's result is expired: the batch ended before it was processed
    item_canceled, ///< the item's result is canceled
};

/// The requests an item of the plan applies to, each counted on its own.
enum class FaultScope {
    messages, ///< POST /v1/messages
    create,   ///< POST /v1/messages/batches
    retrieve, ///< GET /v1/messages/batches/{id}
    list,     ///< GET /v1/messages/batches
    cancel,   ///< POST /v1/messages/batches/{id}/cancel
    remove,   ///< DELETE /v1/messages/batches/{id} ("delete")
    results,  ///< GET of a batch's results_url; "truncated" cuts the file mid-line
    item,     ///< one request of a batch, as the batch is processed
};
constexpr int fault_scope_count = 8;

std::string_view fault_kind_name(FaultKind kind);
std::string_view scope_name(FaultScope scope);

class FaultPlan {
  public:
    FaultPlan() = default;
    /// @throws std::invalid_argument naming the offending item.
    static FaultPlan parse(std::string_view spec);

    /// Counts one request of `scope` and says which fault, if any, it gets.
    std::optional<FaultKind> next(std::mt19937_64& rng, FaultScope scope = FaultScope::messages);

    bool empty() const { return items_.empty(); }

  private:
    enum class Trigger { probability, nth, always };
    struct Item {
        FaultKind kind;
        FaultScope scope;
        Trigger trigger;
        double probability = 0;
        int64_t nth = 0;
    };
    static Item parse_item(std::string_view text);

    std::vector<Item> items_;
    int64_t requests_seen_[fault_scope_count] = {};
};

} // namespace fake_claude::detail
