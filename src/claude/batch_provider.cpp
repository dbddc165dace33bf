#include "claude/batch_provider.hpp"

#include "claude/error_mapping.hpp"
#include "core/clock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>

namespace mcqgen::detail::claude {
namespace {

namespace json = boost::json;

constexpr const char* batches_path = "/v1/messages/batches";
/// What one create call may carry (the API's limits are 100,000 requests and 256 MB).
constexpr std::size_t max_batch_requests = 100'000;
constexpr std::size_t max_batch_bytes = 200 * 1024 * 1024;
/// Polls or downloads of a batch that may fail in a row (each after the client's own retries)
/// before its calls are given up.
constexpr int max_consecutive_failures = 10;
/// The longest results line kept while it is incomplete: one Message, far below this.
constexpr std::size_t max_line_bytes = 64 * 1024 * 1024;
/// Creates whose answer was lost and that the listing shows were not made, sent again in one
/// run before its calls fail.
constexpr int max_lost_creates = 2;
using batch_status::creating;
using batch_status::not_made;
using batch_status::not_ours;
using batch_status::replaced;

/// Where to look for a batch whose create was sent at `sent` (RFC 3339): a little earlier,
/// since the API's clock and ours may differ.
std::string lookup_start(const std::string& sent) {
    const auto when = parse_rfc3339(sent);
    return rfc3339((when ? *when : std::chrono::system_clock::now()) - std::chrono::minutes(10));
}

std::string text_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

/// An errored item's error object as the HTTP error it stands for.
CallFailure failure_of_error(const json::value* error, const std::string& custom_id) {
    static const std::map<std::string, int, std::less<>> statuses = {{"invalid_request_error", 400},
                                                                     {"authentication_error", 401},
                                                                     {"permission_error", 403},
                                                                     {"not_found_error", 404},
                                                                     {"request_too_large", 413},
                                                                     {"rate_limit_error", 429},
                                                                     {"api_error", 500},
                                                                     {"overloaded_error", 529}};
    int status = 500;
    std::string body = "{}";
    if (error && error->is_object()) {
        body = json::serialize(*error);
        if (const auto* inner = error->as_object().if_contains("error");
            inner && inner->is_object())
            if (const auto it = statuses.find(text_field(inner->as_object(), "type"));
                it != statuses.end())
                status = it->second;
    }
    auto mapped = map_http_error(status, body, custom_id);
    return {mapped.code, "batch item errored: " + mapped.message};
}

/// A 64-bit FNV-1a hash in 8 hex digits (its low half): enough to tell two judge requests of
/// one slot and attempt apart.
std::string short_hash(std::string_view text) {
    std::uint64_t h = 1469598103934665603ull;
    for (const unsigned char c : text)
        h = (h ^ c) * 1099511628211ull;
    char out[9];
    std::snprintf(out, sizeof out, "%08x", static_cast<unsigned>(h & 0xffffffffu));
    return out;
}

/// The newest batch of a listing with `requests` requests, created at `since` or later, that
/// `known` does not know: the one whose create answer was lost, if it was made.
template <class Known>
std::optional<json::object> lost_batch(const std::string& listing, std::size_t requests,
                                       const std::string& since, Known known) {
    std::error_code ec;
    const auto value = json::parse(listing, ec);
    const auto* data = !ec && value.is_object() ? value.as_object().if_contains("data") : nullptr;
    if (!data || !data->is_array()) return std::nullopt;
    for (const auto& entry : data->as_array()) { // newest first
        const auto* batch = entry.if_object();
        const auto* counts = batch ? batch->if_contains("request_counts") : nullptr;
        if (!counts || !counts->is_object()) continue;
        std::int64_t total = 0;
        for (const auto& count : counts->as_object())
            if (count.value().is_int64()) total += count.value().as_int64();
        // RFC 3339 times in UTC compare as text, to the second.
        const std::string created = text_field(*batch, "created_at").substr(0, 19);
        if (total == static_cast<std::int64_t>(requests) && created >= since.substr(0, 19) &&
            !known(text_field(*batch, "id")))
            return *batch;
    }
    return std::nullopt;
}

bool fatal(errc code) {
    return code == errc::auth || code == errc::tls || code == errc::invalid_argument ||
           code == errc::not_found || code == errc::cancelled;
}

} // namespace

struct BatchProvider::Batch {
    BatchRecord record;
    boost::asio::steady_timer timer;
    std::chrono::milliseconds interval;
    bool busy = false;    ///< a wait, a poll or a download is under way
    bool read = false;    ///< its results were read to the end in this process
    bool proven = false;  ///< a result of one of our requests was read from it
    bool foreign = false; ///< its first result is another's: it is not the batch we created
    std::string results_path;
    std::string partial; ///< the unfinished last line of the results being read
    int failures = 0;

    Batch(boost::asio::io_context& io, BatchRecord r, std::chrono::milliseconds first)
        : record(std::move(r)), timer(io), interval(first) {}
};

BatchProvider::BatchProvider(boost::asio::io_context& io, Config config)
    : io_(io), config_(std::move(config)), author_(author_settings(config_.claude)),
      judge_(judge_settings(config_.claude)),
      base_(parse_base_url(config_.http.base_url, config_.http.allow_insecure_http)) {
    client(); // fail now on a bad URL or CA file, not on the first call
}

BatchProvider::~BatchProvider() = default;

HttpsClient& BatchProvider::client() {
    if (!client_) client_ = std::make_unique<HttpsClient>(io_, config_.http, config_.log);
    return *client_;
}

void BatchProvider::log(const std::string& line) const {
    if (config_.log) config_.log(line);
}

template <class Result, class Parse>
BatchProvider::Deliver BatchProvider::decoder(const CallSettings& settings, const char* tool,
                                              Parse parse, std::function<void(Result)> done) {
    return [this, &settings, tool, parse = std::move(parse),
            done = std::move(done)](BatchOutcome outcome) {
        Result result;
        Usage reported;
        if (outcome.failure) {
            result.failure = outcome.failure;
        } else if (auto reply = decode_reply(outcome.message, settings.mode, tool); reply.failure) {
            result.failure = std::move(reply.failure);
            reported = reply.usage;
        } else {
            result = parse(reply.data);
            reported = reply.usage;
        }
        if (!outcome.request_id.empty()) {
            // An earlier process that read this result counted its usage already.
            if (ledger_ && ledger_->counted(outcome.request_id))
                reported = Usage{};
            else
                reported.requests = 1;
            result.call = CallInfo{outcome.request_id, outcome.failure ? 0 : 200, 1};
        }
        result.usage = reported;
        result.usage.estimated_cost_usd =
            estimate_cost(settings.claude, result.usage, Billing::batch);
        done(std::move(result));
    };
}

void BatchProvider::write(const AuthorRequest& request, std::function<void(AuthorResult)> done) {
    const std::string& document = request.context ? *request.context : *request.document;
    enqueue(call_id("author", request.slot, request.attempt),
            author_body(author_.claude, author_.mode, document, *request.passage, request.count,
                        request.style, request.steering, CacheTtl::one_hour),
            decoder<AuthorResult>(
                author_, author_tool,
                [style = request.style](const json::value& data) {
                    return parse_candidates(data, style);
                },
                std::move(done)));
}

void BatchProvider::judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) {
    const std::string& document = request.context ? *request.context : *request.document;
    std::string body = judge_body(judge_.claude, judge_.mode, document, *request.passage,
                                  request.items, CacheTtl::one_hour);
    std::string items;
    for (const auto& item : request.items) {
        items += item.stem;
        for (const auto& option : item.options)
            items += '\x1f' + option;
        items += '\x1e';
    }
    enqueue(call_id("judge", request.slot, request.attempt) + "-" + short_hash(items),
            std::move(body),
            decoder<JudgeResult>(
                judge_, judge_tool,
                [items = request.items](const json::value& data) {
                    return parse_verdicts(data, items);
                },
                std::move(done)));
}

std::string BatchProvider::call_id(const char* kind, int slot, int attempt) const {
    return std::string(kind) + "-" + test_tag_ + "-" + std::to_string(slot) + "-" +
           std::to_string(attempt);
}

// ---- Routing calls ----------------------------------------------------------------------------

void BatchProvider::enqueue(std::string custom_id, std::string body, Deliver deliver) {
    auto later = [this](Deliver d, BatchOutcome outcome) {
        boost::asio::post(io_, [d = std::move(d), outcome = std::move(outcome)]() mutable {
            d(std::move(outcome));
        });
    };
    if (stopped_ || waiting_.count(custom_id)) {
        const errc code = stopped_ ? errc::cancelled : errc::internal;
        return later(
            std::move(deliver),
            {{}, {}, {code, stopped_ ? "cancelled" : "call " + custom_id + " made twice"}});
    }
    if (const auto known = unclaimed_.find(custom_id); known != unclaimed_.end()) {
        auto outcome = std::move(known->second);
        unclaimed_.erase(known);
        return later(std::move(deliver), std::move(outcome));
    }
    if (const auto holder = batch_of_.find(custom_id); holder != batch_of_.end()) {
        Batch& batch = *batches_.at(holder->second);
        if (batch.read)
            return later(std::move(deliver),
                         {{},
                          {},
                          {errc::bad_response, custom_id + " is missing from the results of " +
                                                   batch.record.batch_id}});
        waiting_.emplace(custom_id, std::move(deliver));
        if (batch.record.status == creating) parked_[custom_id] = std::move(body);
        if (!batch.busy) { // submitted by an earlier process: look at it now
            batch.busy = true;
            boost::asio::post(io_, [this, id = batch.record.batch_id] { poll(id); });
        }
        return;
    }
    waiting_.emplace(custom_id, std::move(deliver));
    queued_.push_back({std::move(custom_id), std::move(body)});
    schedule_submit();
}

void BatchProvider::schedule_submit() {
    if (submit_posted_) return;
    submit_posted_ = true;
    // After the handlers queued now: the calls a turn of the run makes go out together. While
    // results are being read, the calls they cause wait for the end of the file.
    boost::asio::post(io_, [this] {
        submit_posted_ = false;
        if (downloads_ == 0) submit();
    });
}

void BatchProvider::submit() {
    while (!queued_.empty() && !stopped_) {
        std::vector<Queued> items;
        std::size_t bytes = 0;
        auto next = queued_.begin();
        for (; next != queued_.end() && items.size() < max_batch_requests; ++next) {
            if (!items.empty() && bytes + next->body.size() > max_batch_bytes) break;
            bytes += next->body.size();
            items.push_back(std::move(*next));
        }
        queued_.erase(queued_.begin(), next);
        create(std::move(items));
    }
}

void BatchProvider::create(std::vector<Queued> items) {
    std::string body = "{\"requests\":[";
    std::string joined;
    for (const auto& item : items) {
        if (body.back() != '[') body += ',';
        body += "{\"custom_id\":\"" + item.custom_id + "\",\"params\":" + item.body + "}";
        joined += item.custom_id + ',';
    }
    body += "]}";
    // The intent first: when the answer is lost, or the process dies before the batch is
    // recorded, the batch is looked for before anything is sent again.
    const std::string now = now_rfc3339();
    BatchRecord intent{"creating-" + short_hash(joined), ids_of(items), creating, now, now};
    try {
        if (ledger_) ledger_->record(intent);
    } catch (const std::exception& e) {
        return fail_calls(intent.custom_ids, errc::storage,
                          std::string("recording a batch failed: ") + e.what());
    }
    for (auto& item : items)
        parked_[item.custom_id] = std::move(item.body);
    const std::string intent_id = intent.batch_id;
    Batch& placeholder = keep(std::move(intent));
    placeholder.busy = true;
    log("submitting a Message Batch of " + std::to_string(items.size()) + " requests");
    client().call(
        HttpsClient::Method::post, batches_path, std::move(body),
        [this, intent_id](ApiResponse response) {
            if (stopped_) return;
            if (response.unanswered) return find_lost(intent_id, response.message);
            if (response.error != errc::ok)
                return drop_intent(intent_id, response.error,
                                   "creating a Message Batch failed: " + response.message);
            std::error_code ec;
            const auto value = json::parse(response.body, ec);
            if (ec || !value.is_object())
                return drop_intent(intent_id, errc::bad_response,
                                   "the batch create response is not a batch");
            adopt(intent_id, value.as_object());
        },
        HttpsClient::Resend::never_unanswered);
}

std::vector<std::string> BatchProvider::ids_of(const std::vector<Queued>& items) {
    std::vector<std::string> ids;
    for (const auto& item : items)
        ids.push_back(item.custom_id);
    return ids;
}

BatchProvider::Batch& BatchProvider::keep(BatchRecord record) {
    const std::string id = record.batch_id;
    for (const auto& custom_id : record.custom_ids)
        batch_of_[custom_id] = id;
    auto batch = std::make_unique<Batch>(io_, std::move(record), config_.batch.poll_interval);
    return *(batches_[id] = std::move(batch));
}

void BatchProvider::find_lost(const std::string& intent_id, const std::string& why) {
    log("the answer to creating a Message Batch was lost (" + why +
        "); looking for the batch among the recent ones");
    client().call(
        HttpsClient::Method::get, std::string(batches_path) + "?limit=100", {},
        [this, intent_id](ApiResponse response) {
            if (stopped_) return;
            if (response.error != errc::ok) {
                // Sent again, it might be paid twice; the intent stays for a resume.
                Batch& intent = *batches_.at(intent_id);
                intent.busy = false;
                return fail_waiting(&intent, response.error,
                                    "the answer to creating a Message Batch was lost "
                                    "and the batches could not be listed: " +
                                        response.message);
            }
            const Batch& intent = *batches_.at(intent_id);
            const auto known = [this](const std::string& id) { return batches_.count(id) != 0; };
            const auto batch = lost_batch(response.body, intent.record.custom_ids.size(),
                                          lookup_start(intent.record.created_at), known);
            if (batch) {
                log("found Message Batch " + text_field(*batch, "id") +
                    ", made before its answer was lost; its results will show "
                    "whether it is ours");
                return adopt(intent_id, *batch);
            }
            if (++lost_creates_ > max_lost_creates)
                return drop_intent(intent_id, errc::network,
                                   "creating a Message Batch failed: its answer was lost " +
                                       std::to_string(lost_creates_) + " times");
            log("the batch was not made; submitting its requests again");
            drop_intent(intent_id, errc::ok, {});
        });
}

void BatchProvider::drop_intent(const std::string& intent_id, errc code, const std::string& why) {
    auto found = batches_.find(intent_id);
    auto intent = std::move(found->second);
    batches_.erase(found);
    record(*intent, not_made);
    for (const auto& custom_id : intent->record.custom_ids) {
        batch_of_.erase(custom_id);
        auto body = parked_.extract(custom_id);
        if (!waiting_.count(custom_id)) continue;
        if (code != errc::ok || body.empty())
            fail_calls({custom_id}, code == errc::ok ? errc::network : code,
                       code == errc::ok ? "the batch holding the call was not made" : why);
        else
            queued_.push_back({custom_id, std::move(body.mapped())});
    }
    if (!queued_.empty()) schedule_submit();
}

void BatchProvider::adopt(const std::string& intent_id, const json::object& created) {
    const std::string id = text_field(created, "id");
    if (id.empty() || batches_.count(id))
        return drop_intent(intent_id, errc::bad_response,
                           "the batch create response has no new batch id");
    auto found = batches_.find(intent_id);
    auto intent = std::move(found->second);
    batches_.erase(found);
    const std::string now = now_rfc3339();
    BatchRecord made{id, intent->record.custom_ids, text_field(created, "processing_status"), now,
                     now};
    try {
        if (ledger_) ledger_->record(made);
    } catch (const std::exception& e) {
        // Not recorded, it could not be resumed: cancel it rather than pay for it unseen.
        client().post(std::string(batches_path) + "/" + id + "/cancel", "{}", [](ApiResponse) {});
        fail_calls(intent->record.custom_ids, errc::storage,
                   std::string("recording batch ") + id + " failed: " + e.what());
        return;
    }
    record(*intent, replaced);
    for (const auto& custom_id : intent->record.custom_ids)
        parked_.erase(custom_id);
    log("submitted Message Batch " + id);
    Batch& kept = keep(std::move(made));
    kept.busy = true;
    poll_later(kept);
}

// ---- Polling and reading results --------------------------------------------------------------

void BatchProvider::poll_later(Batch& batch) {
    batch.timer.expires_after(batch.interval);
    batch.timer.async_wait([this, id = batch.record.batch_id](boost::system::error_code ec) {
        if (!ec && !stopped_) poll(id);
    });
}

void BatchProvider::poll(const std::string& batch_id) {
    client().call(HttpsClient::Method::get, std::string(batches_path) + "/" + batch_id, {},
                  [this, batch_id](ApiResponse response) { on_polled(batch_id, response); });
}

void BatchProvider::record(Batch& batch, const std::string& status) {
    if (batch.record.status == status) return;
    batch.record.status = status;
    batch.record.updated_at = now_rfc3339();
    try {
        if (ledger_) ledger_->record(batch.record);
    } catch (const std::exception& e) {
        fail_waiting(&batch, errc::storage, std::string("recording a batch failed: ") + e.what());
    }
}

void BatchProvider::on_polled(const std::string& batch_id, const ApiResponse& response) {
    const auto found = batches_.find(batch_id);
    if (stopped_ || found == batches_.end()) return;
    Batch& batch = *found->second;
    if (response.error != errc::ok) {
        const std::string what = "polling batch " + batch_id + " failed: " + response.message;
        // 404: the batch is gone (deleted, or another workspace's key); its calls are made anew.
        if (fatal(response.error) || response.status == 404 ||
            ++batch.failures > max_consecutive_failures) {
            batch.busy = false;
            return fail_waiting(&batch, response.error, what);
        }
        log(what + "; polling on");
        return poll_later(batch);
    }
    batch.failures = 0;
    std::error_code ec;
    const auto value = json::parse(response.body, ec);
    if (ec || !value.is_object()) {
        batch.busy = false;
        return fail_waiting(&batch, errc::bad_response, "batch " + batch_id + " is unreadable");
    }
    const auto& object = value.as_object();
    const std::string status = text_field(object, "processing_status");
    record(batch, status);
    if (status != "ended") {
        batch.interval = std::min(batch.interval * 3 / 2, config_.batch.max_poll_interval);
        return poll_later(batch);
    }
    // The key goes only where it went already: a results_url on another host is refused.
    const auto path = path_on_api_host(text_field(object, "results_url"));
    if (!path) {
        batch.busy = false;
        return fail_waiting(&batch, errc::bad_response,
                            "batch " + batch_id + " has no results_url on the API host");
    }
    batch.results_path = *path;
    download(batch_id);
}

std::optional<std::string> BatchProvider::path_on_api_host(const std::string& url) const {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return std::nullopt;
    const auto path_start = url.find('/', scheme_end + 3);
    if (path_start == std::string::npos) return std::nullopt;
    try {
        const auto origin = parse_base_url(url.substr(0, path_start), base_.tls ? false : true);
        const std::string path = url.substr(path_start);
        if (origin.tls != base_.tls || origin.host != base_.host || origin.port != base_.port ||
            path.rfind(base_.path_prefix + "/", 0) != 0 ||
            path.find_first_of("?# \r\n") != std::string::npos)
            return std::nullopt;
        return path.substr(base_.path_prefix.size());
    } catch (const Error&) {
        return std::nullopt;
    }
}

void BatchProvider::download(const std::string& batch_id) {
    Batch& batch = *batches_.at(batch_id);
    batch.partial.clear();
    ++downloads_;
    client().get_stream(
        batch.results_path,
        [this, batch_id](std::string_view data) {
            const auto found = batches_.find(batch_id);
            return !stopped_ && found != batches_.end() && read_results(*found->second, data);
        },
        [this, batch_id](ApiResponse response) { on_downloaded(batch_id, response); });
}

bool BatchProvider::read_results(Batch& batch, std::string_view data) {
    batch.partial.append(data);
    std::size_t start = 0;
    for (std::size_t end; (end = batch.partial.find('\n', start)) != std::string::npos;
         start = end + 1)
        take_line(batch, std::string_view(batch.partial).substr(start, end - start));
    batch.partial.erase(0, start);
    return !batch.foreign && batch.partial.size() <= max_line_bytes;
}

bool BatchProvider::take_line(Batch& batch, std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
    std::error_code ec;
    const auto value = json::parse(line, ec);
    const auto* object = !ec && value.is_object() ? &value.as_object() : nullptr;
    const auto* result = object ? object->if_contains("result") : nullptr;
    const std::string custom_id = object ? text_field(*object, "custom_id") : std::string();
    const auto& ids = batch.record.custom_ids;
    if (!result || !result->is_object() ||
        std::find(ids.begin(), ids.end(), custom_id) == ids.end()) {
        if (result && result->is_object() && !batch.proven) batch.foreign = true;
        if (batch.foreign) return false;
        log("an unreadable line in the results of batch " + batch.record.batch_id + " skipped");
        return false;
    }
    batch.proven = true;
    BatchOutcome outcome;
    outcome.request_id = batch.record.batch_id + "/" + custom_id;
    const auto& r = result->as_object();
    const std::string type = text_field(r, "type");
    if (type == "succeeded" && r.contains("message")) {
        outcome.message = json::serialize(r.at("message"));
    } else if (type == "errored") {
        outcome.failure = failure_of_error(r.if_contains("error"), custom_id);
    } else if (type == "canceled") {
        outcome.failure = {errc::cancelled, "batch item " + custom_id + " was canceled"};
    } else if (type == "expired") {
        outcome.failure = {errc::timeout, "batch item " + custom_id +
                                              " expired: the batch ended before it was processed"};
    } else {
        outcome.failure = {errc::bad_response,
                           "batch item " + custom_id + " has result type '" + type + "'"};
    }
    if (const auto w = waiting_.find(custom_id); w != waiting_.end()) {
        auto deliver = std::move(w->second);
        waiting_.erase(w);
        deliver(std::move(outcome));
    } else {
        unclaimed_[custom_id] = std::move(outcome);
    }
    return true;
}

void BatchProvider::on_downloaded(const std::string& batch_id, const ApiResponse& response) {
    --downloads_;
    const auto found = batches_.find(batch_id);
    if (stopped_ || found == batches_.end()) return;
    Batch& batch = *found->second;
    if (batch.foreign) {
        disown(batch);
    } else if (response.error != errc::ok) {
        read_again(batch, response.error,
                   "reading the results of batch " + batch_id + " failed: " + response.message);
    } else if (!batch.partial.empty() && !take_line(batch, batch.partial)) {
        // Well framed but ending mid-line: the file was cut short on its way here.
        read_again(batch, errc::bad_response,
                   "the results of batch " + batch_id + " end in the middle of a line");
    } else {
        batch.partial.clear();
        batch.read = true;
        batch.busy = false;
        fail_waiting(&batch, errc::bad_response, "missing from the results of batch " + batch_id);
    }
    if (!queued_.empty()) schedule_submit();
}

void BatchProvider::disown(Batch& batch) {
    batch.busy = false;
    batch.read = true;
    const std::string& id = batch.record.batch_id;
    log("Message Batch " + id +
        " holds another's requests: it is not the one whose answer was lost");
    record(batch, not_ours);
    for (const auto& custom_id : batch.record.custom_ids)
        if (const auto holder = batch_of_.find(custom_id);
            holder != batch_of_.end() && holder->second == id)
            batch_of_.erase(holder);
    fail_waiting(&batch, errc::network,
                 "the answer to creating a Message Batch was lost and the batch was not found");
}

void BatchProvider::read_again(Batch& batch, errc code, const std::string& what) {
    batch.partial.clear(); // what was taken stays taken; the rest comes with the next try
    if ((fatal(code) && code != errc::cancelled) || ++batch.failures > max_consecutive_failures) {
        batch.busy = false;
        return fail_waiting(&batch, code, what);
    }
    log(what + "; reading again");
    batch.timer.expires_after(config_.batch.poll_interval);
    batch.timer.async_wait([this, id = batch.record.batch_id](boost::system::error_code ec) {
        if (!ec && !stopped_ && batches_.count(id)) download(id);
    });
}

// ---- Ending -----------------------------------------------------------------------------------

void BatchProvider::fail_waiting(const Batch* batch, errc code, const std::string& message) {
    std::vector<std::string> ids;
    if (batch)
        ids = batch->record.custom_ids;
    else
        for (const auto& entry : waiting_)
            ids.push_back(entry.first);
    fail_calls(ids, code, message);
}

void BatchProvider::fail_calls(const std::vector<std::string>& ids, errc code,
                               const std::string& message) {
    for (const auto& id : ids)
        if (const auto w = waiting_.find(id); w != waiting_.end()) {
            auto deliver = std::move(w->second);
            waiting_.erase(w);
            deliver({{}, {}, {code, message}});
        }
}

void BatchProvider::use_ledger(BatchLedger* ledger) {
    ledger_ = ledger;
    if (!ledger) return;
    // A new run: what an earlier one of this process left is forgotten, the ledger says it all.
    stopped_ = false;
    queued_.clear();
    waiting_.clear();
    batch_of_.clear();
    batches_.clear();
    unclaimed_.clear();
    parked_.clear();
    downloads_ = 0;
    lost_creates_ = 0;
    test_tag_ = short_hash(ledger->test_id());
    for (auto& record : ledger->batches()) {
        if (record.status == not_ours || record.status == replaced || record.status == not_made)
            continue;
        Batch& batch = keep(std::move(record));
        if (batch.record.status != creating) continue;
        // An earlier process sent this create and died before it knew the batch.
        batch.busy = true;
        boost::asio::post(io_, [this, id = batch.record.batch_id] {
            if (!stopped_ && batches_.count(id)) find_lost(id, "the process stopped");
        });
    }
}

void BatchProvider::stop(bool cancel_batches) {
    if (stopped_) return;
    stopped_ = true;
    for (auto& entry : batches_)
        entry.second->timer.cancel();
    if (client_) client_->cancel(); // polls and downloads end with errc::cancelled
    client_.reset();
    queued_.clear();
    fail_waiting(nullptr, errc::cancelled, "cancelled");
    if (!cancel_batches) return;
    for (auto& entry : batches_) {
        const Batch& batch = *entry.second;
        if (batch.record.status == "ended" || batch.record.status == creating || batch.read)
            continue;
        const std::string id = batch.record.batch_id;
        client().post(std::string(batches_path) + "/" + id + "/cancel", "{}",
                      [this, id](ApiResponse response) {
                          log(response.error == errc::ok ? "cancelled Message Batch " + id
                                                         : "cancelling Message Batch " + id +
                                                               " failed: " + response.message);
                      });
    }
}

void BatchProvider::cancel() {
    stop(true);
}

void BatchProvider::detach() {
    stop(false);
}

} // namespace mcqgen::detail::claude
