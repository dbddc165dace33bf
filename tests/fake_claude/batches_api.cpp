// The fake Message Batches API. What the real one documents (the project's Claude API facts,
// §5) is checked here; what it leaves open is chosen strictly: unknown fields are refused, a
// batch that has not ended has no results and cannot be deleted, an ended one cannot be
// canceled.
#include "batches_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>

namespace fake_claude::detail {
namespace json = boost::json;

namespace {

constexpr std::string_view batches_path = "/v1/messages/batches";
constexpr size_t max_requests_per_batch = 100'000;
constexpr auto processing_window = std::chrono::hours(24);

bool valid_custom_id(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

void only_fields(const json::object& object, std::initializer_list<std::string_view> allowed,
                 const std::string& where) {
    for (const auto& field : object)
        if (std::find(allowed.begin(), allowed.end(), field.key()) == allowed.end())
            invalid(where + std::string(field.key()) + ": Extra inputs are not permitted");
}

/// The value of `name` in the target's query string ("" when absent).
std::string query_value(std::string_view target, std::string_view name) {
    const auto mark = target.find('?');
    if (mark == std::string_view::npos) return {};
    std::string_view query = target.substr(mark + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name && eq != std::string_view::npos)
            return std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

std::string result_of(std::string_view type) {
    return json::serialize(json::object{{"type", type}});
}

} // namespace

BatchesApi::BatchesApi(const Options& options, StatsBoard& stats, MessagesApi& messages)
    : stats_(stats), messages_(messages), api_key_(options.api_key),
      max_queued_requests_(options.max_queued_batch_requests), delay_(options.batch_delay),
      rng_(options.seed ^ 0xba7c4e5ull) {
    if (options.batch_delay.count() < 0) throw std::invalid_argument("batch_delay must be >= 0");
    if (options.max_queued_batch_requests < 0)
        throw std::invalid_argument("max_queued_batch_requests must be >= 0");
}

void BatchesApi::set_delay(std::chrono::milliseconds delay) {
    const std::lock_guard lock(mutex_);
    delay_ = std::max(delay, std::chrono::milliseconds(0));
}

HttpReply BatchesApi::handle(const HttpRequest& request) {
    check_api_headers(request, api_key_);
    // The operation: "" (create, list), "ID" (retrieve, delete), "ID/cancel", "ID/results".
    std::string rest(path_of(request.target).substr(batches_path.size()));
    if (!rest.empty() && rest[0] != '/') throw ApiError{404, "not_found_error", "Not found"};
    if (!rest.empty()) rest.erase(0, 1);
    const auto slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    const std::string& method = request.method;

    FaultScope scope;
    if (id.empty() && method == "POST")
        scope = FaultScope::create;
    else if (id.empty() && method == "GET")
        scope = FaultScope::list;
    else if (!id.empty() && action.empty() && method == "GET")
        scope = FaultScope::retrieve;
    else if (!id.empty() && action.empty() && method == "DELETE")
        scope = FaultScope::remove;
    else if (!id.empty() && action == "cancel" && method == "POST")
        scope = FaultScope::cancel;
    else if (!id.empty() && action == "results" && method == "GET")
        scope = FaultScope::results;
    else if (action.empty() || action == "cancel" || action == "results")
        throw ApiError{405, "invalid_request_error", "Method Not Allowed"};
    else
        throw ApiError{404, "not_found_error",
                       "Not found: " + std::string(path_of(request.target))};

    const auto fault = messages_.next_fault(scope);
    if (fault) {
        stats_.count_fault();
        raise_error_fault(*fault);
        HttpReply broken;
        if (*fault == FaultKind::reset_before) broken.delivery = Delivery::reset_before;
        if (*fault == FaultKind::stall) broken.delivery = Delivery::stall;
        if (*fault == FaultKind::malformed) broken.body = "<html>502 Bad Gateway</html> {\"ty";
        if (broken.delivery != Delivery::respond || !broken.body.empty()) return broken;
    }
    HttpReply reply;
    switch (scope) {
    case FaultScope::create:
        reply = create(request);
        break;
    case FaultScope::list:
        reply = list(request);
        break;
    case FaultScope::retrieve:
        reply = retrieve(id);
        break;
    case FaultScope::remove:
        reply = remove(id);
        break;
    case FaultScope::cancel:
        reply = cancel(id);
        break;
    default:
        reply = results(id, fault == FaultKind::truncated);
        break;
    }
    if (fault == FaultKind::reset_mid) reply.delivery = Delivery::reset_mid;
    return reply;
}

// ---- create ---------------------------------------------------------------------------------

HttpReply BatchesApi::create(const HttpRequest& request) {
    if (!iequals_prefix(request.header("content-type"), "application/json"))
        invalid("content-type: must be application/json");
    boost::system::error_code error;
    auto parsed = json::parse(request.body, error);
    if (error) invalid("request body is not valid JSON: " + error.message());
    if (!parsed.is_object()) invalid("request body must be a JSON object");
    const auto& body = parsed.as_object();
    only_fields(body, {"requests"}, "");
    const auto* requests = body.if_contains("requests");
    if (!requests || !requests->is_array()) invalid("requests: Field required, a list");
    const auto& list = requests->as_array();
    if (list.empty()) invalid("requests: List should have at least 1 item");
    if (list.size() > max_requests_per_batch)
        invalid("requests: List should have at most 100000 items");

    Batch batch;
    std::unordered_set<std::string> ids;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "requests." + std::to_string(i) + ".";
        if (!list[i].is_object())
            invalid(where.substr(0, where.size() - 1) + ": must be an object");
        const auto& entry = list[i].as_object();
        only_fields(entry, {"custom_id", "params"}, where);
        const auto* custom_id = entry.if_contains("custom_id");
        if (!custom_id || !custom_id->is_string() || !valid_custom_id(custom_id->as_string()))
            invalid(where + "custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
        const auto* params = entry.if_contains("params");
        if (!params || !params->is_object()) invalid(where + "params: Field required, an object");
        std::string id(custom_id->as_string());
        if (!ids.insert(id).second)
            invalid("requests: custom_id '" + id + "' is not unique within the batch");
        batch.items.push_back({std::move(id), json::serialize(*params), {}, {}});
    }

    const std::lock_guard lock(mutex_);
    const int64_t queued = queued_requests() + static_cast<int64_t>(batch.items.size());
    if (max_queued_requests_ > 0 && queued > max_queued_requests_)
        throw ApiError{429,
                       "rate_limit_error",
                       "Number of batch requests in the processing queue would exceed your "
                       "limit of " +
                           std::to_string(max_queued_requests_),
                       {{"retry-after", "60"}}};
    int64_t duplicates = 0;
    for (const auto& item : batch.items)
        if (!custom_ids_seen_.insert(item.custom_id).second) ++duplicates;
    batch.id = random_id("msgbatch_");
    batch.created = Clock::now();
    batch.ends = batch.created + delay_;
    batch.results_url = "https://" + std::string(request.header("host")) +
                        std::string(batches_path) + "/" + batch.id + "/results";
    stats_.add(&Stats::batches_created);
    stats_.add(&Stats::batch_items_submitted, static_cast<int64_t>(batch.items.size()));
    stats_.add(&Stats::batch_duplicate_custom_ids, duplicates);
    order_.push_back(batch.id);
    auto& kept = batches_.emplace(batch.id, std::move(batch)).first->second;
    settle(kept); // no delay: ended at once
    return json_reply(200, batch_json(kept));
}

int64_t BatchesApi::queued_requests() const {
    int64_t queued = 0;
    for (const auto& [id, batch] : batches_)
        if (batch.status != "ended") queued += static_cast<int64_t>(batch.items.size());
    return queued;
}

// ---- processing -----------------------------------------------------------------------------

BatchesApi::Batch& BatchesApi::find(const std::string& id) {
    const auto found = batches_.find(id);
    if (found == batches_.end())
        throw ApiError{404, "not_found_error", "No message batch with id '" + id + "'"};
    settle(found->second);
    return found->second;
}

void BatchesApi::settle(Batch& batch) {
    const auto now = Clock::now();
    if (batch.status == "ended") return;
    if (batch.status == "in_progress" && now < batch.ends) return;
    for (auto& item : batch.items) {
        if (batch.status == "canceling") {
            item.type = "canceled";
            item.result = result_of(item.type);
        } else if (now >= batch.created + processing_window) {
            item.type = "expired";
            item.result = result_of(item.type);
        } else {
            process(item);
        }
    }
    batch.status = "ended";
    batch.ended = now;
}

void BatchesApi::process(Item& item) {
    const auto fault = messages_.next_fault(FaultScope::item, item.custom_id);
    if (fault) stats_.count_fault();
    if (fault == FaultKind::item_expired || fault == FaultKind::item_canceled) {
        item.type = fault == FaultKind::item_expired ? "expired" : "canceled";
        item.result = result_of(item.type);
        return;
    }
    auto answer = fault == FaultKind::item_errored
                      ? MessagesApi::ItemAnswer{false, error_body("api_error",
                                                                  "Internal server error "
                                                                  "(injected fault)",
                                                                  "")}
                      : messages_.answer_item(item.params);
    item.type = answer.succeeded ? "succeeded" : "errored";
    json::object result{{"type", item.type}};
    result[answer.succeeded ? "message" : "error"] = json::parse(answer.json);
    item.result = json::serialize(result);
}

std::string BatchesApi::batch_json(const Batch& batch) const {
    json::object counts{
        {"processing", 0}, {"succeeded", 0}, {"errored", 0}, {"canceled", 0}, {"expired", 0}};
    for (const auto& item : batch.items) {
        auto& count = counts[item.type.empty() ? "processing" : item.type];
        count = count.as_int64() + 1;
    }
    const auto time_or_null = [](Clock::time_point when) -> json::value {
        if (when == Clock::time_point{}) return nullptr; // not happened yet
        return json::value(rfc3339(when));
    };
    const bool ended = batch.status == "ended";
    return json::serialize(json::object{
        {"id", batch.id},
        {"type", "message_batch"},
        {"processing_status", batch.status},
        {"request_counts", std::move(counts)},
        {"ended_at", time_or_null(batch.ended)},
        {"created_at", rfc3339(batch.created)},
        {"expires_at", rfc3339(batch.created + processing_window)},
        {"archived_at", nullptr},
        {"cancel_initiated_at", time_or_null(batch.cancel_initiated)},
        {"results_url", ended ? json::value(batch.results_url) : json::value(nullptr)},
    });
}

// ---- retrieve, list, cancel, delete ---------------------------------------------------------

HttpReply BatchesApi::retrieve(const std::string& id) {
    stats_.add(&Stats::batch_retrieves);
    const std::lock_guard lock(mutex_);
    return json_reply(200, batch_json(find(id)));
}

// Newest first; after_id pages towards older batches, before_id towards newer ones.
HttpReply BatchesApi::list(const HttpRequest& request) {
    stats_.add(&Stats::batch_lists);
    int limit = 20;
    if (const auto text = query_value(request.target, "limit"); !text.empty()) {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (error != std::errc{} || end != text.data() + text.size() || limit < 1 || limit > 1000)
            invalid("limit: Input should be an integer between 1 and 1000");
    }
    const auto after = query_value(request.target, "after_id");
    const auto before = query_value(request.target, "before_id");
    if (!after.empty() && !before.empty()) invalid("after_id and before_id are exclusive");

    const std::lock_guard lock(mutex_);
    std::vector<std::string> newest_first(order_.rbegin(), order_.rend());
    size_t begin = 0, end = newest_first.size();
    const auto position = [&](const std::string& id) {
        const auto at = std::find(newest_first.begin(), newest_first.end(), id);
        if (at == newest_first.end())
            throw ApiError{404, "not_found_error", "No message batch with id '" + id + "'"};
        return static_cast<size_t>(at - newest_first.begin());
    };
    bool has_more = false;
    if (!before.empty()) {
        end = position(before);
        begin = end > static_cast<size_t>(limit) ? end - static_cast<size_t>(limit) : 0;
        has_more = begin > 0;
    } else {
        if (!after.empty()) begin = position(after) + 1;
        end = std::min(newest_first.size(), begin + static_cast<size_t>(limit));
        has_more = end < newest_first.size();
    }
    json::array data;
    for (size_t i = begin; i < end; ++i) {
        auto& batch = batches_.at(newest_first[i]);
        settle(batch);
        data.push_back(json::parse(batch_json(batch)));
    }
    const auto id_or_null = [&](size_t i) -> json::value {
        if (begin == end) return nullptr;
        return json::value(newest_first[i]);
    };
    return json_reply(200, json::serialize(json::object{
                               {"data", std::move(data)},
                               {"has_more", has_more},
                               {"first_id", id_or_null(begin)},
                               {"last_id", id_or_null(end == 0 ? 0 : end - 1)},
                           }));
}

HttpReply BatchesApi::cancel(const std::string& id) {
    stats_.add(&Stats::batch_cancels);
    const std::lock_guard lock(mutex_);
    Batch& batch = find(id);
    if (batch.status == "ended")
        invalid("message batch '" + id + "' has ended and can no longer be canceled");
    if (batch.status == "in_progress") {
        batch.status = "canceling";
        batch.cancel_initiated = Clock::now();
    }
    // Answered while canceling: the next look at the batch finds it ended.
    return json_reply(200, batch_json(batch));
}

HttpReply BatchesApi::remove(const std::string& id) {
    stats_.add(&Stats::batch_deletes);
    const std::lock_guard lock(mutex_);
    Batch& batch = find(id);
    if (batch.status != "ended")
        invalid("message batch '" + id + "' is still processing; cancel it before deleting it");
    batches_.erase(id);
    order_.erase(std::find(order_.begin(), order_.end(), id));
    return json_reply(200,
                      json::serialize(json::object{{"id", id}, {"type", "message_batch_deleted"}}));
}

// ---- results --------------------------------------------------------------------------------

HttpReply BatchesApi::results(const std::string& id, bool truncate) {
    stats_.add(&Stats::batch_results_downloads);
    const std::lock_guard lock(mutex_);
    Batch& batch = find(id);
    if (batch.status != "ended")
        invalid("message batch '" + id + "' is still processing: its results are not ready");
    std::vector<const Item*> items;
    for (const auto& item : batch.items)
        items.push_back(&item);
    std::shuffle(items.begin(), items.end(), rng_); // the order is not guaranteed
    std::string body;
    for (const auto* item : items)
        body += "{\"custom_id\":\"" + item->custom_id + "\",\"result\":" + item->result + "}\n";
    if (truncate) { // well framed, but the file ends in the middle of a line
        size_t cut = body.size() / 2;
        if (cut > 0 && body[cut - 1] == '\n') ++cut;
        body.resize(cut);
    }
    HttpReply reply = json_reply(200, std::move(body));
    reply.content_type = "application/x-jsonl";
    return reply;
}

} // namespace fake_claude::detail
