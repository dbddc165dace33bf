#include "pipeline/run.hpp"

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/text.hpp"
#include "pipeline/selection.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace mcqgen::detail {
namespace {

// Author calls on one passage before a slot moves to a replacement passage.
constexpr int author_calls_per_passage = 2;
// Adaptive candidates: decided candidates needed before the pass rate is trusted, and the odds
// that an author call yields at least one candidate that passes.
constexpr int candidates_observed_first = 8;
// The shortest context worth a cache-writing call: the API caches nothing below a model's
// minimum, 1,024 to 4,096 tokens.
constexpr std::size_t min_cached_tokens = 4'096;
constexpr double wanted_success_odds = 0.95;
// Rejection reasons named in a shortfall message, most frequent first.
constexpr std::size_t reasons_in_message = 3;

// Seeds for a slot's calls and for the blind order of each judged item: distinct for every
// (slot, attempt, item) below these bounds, and the same on every run of a test.
constexpr std::uint64_t seeds_per_slot = 1000, seeds_per_attempt = 16;

std::uint64_t author_seed(std::uint64_t test_seed, int position, int attempt) {
    return mix_seed(test_seed, static_cast<std::uint64_t>(position) * seeds_per_slot +
                                   static_cast<std::uint64_t>(attempt));
}

std::uint64_t option_order_seed(std::uint64_t test_seed, int position, int attempt,
                                std::size_t item) {
    return mix_seed(test_seed, (static_cast<std::uint64_t>(position) * seeds_per_slot +
                                static_cast<std::uint64_t>(attempt)) *
                                       seeds_per_attempt +
                                   item);
}

bool is_fatal(errc code) {
    // Nothing a retry or another passage can fix: the caller must change something.
    return code == errc::auth || code == errc::tls || code == errc::invalid_argument ||
           code == errc::storage;
}

std::string progress_message(int created, int target) {
    return std::to_string(created) + " of " + std::to_string(target) + " questions created";
}

std::string dominant_rejections(const std::map<std::string, int>& rejections) {
    std::vector<std::pair<int, std::string>> ranked;
    for (const auto& [reason, count] : rejections)
        ranked.emplace_back(count, reason);
    std::sort(ranked.rbegin(), ranked.rend());
    std::string text;
    for (std::size_t i = 0; i < ranked.size() && i < reasons_in_message; ++i)
        text += (i ? ", " : "") + ranked[i].second + " " + std::to_string(ranked[i].first);
    return text;
}

// A key found more often than this in its context is likely in other questions' stems, where
// it would give this question's answer away (stem_contains_key): chosen last.
constexpr int recurring_key_uses = 3;
// A focus term has at least this many characters; an author call is told at most this many
// terms to avoid.
constexpr std::size_t min_focus_letters = 5, max_avoided_terms = 80;

// The words of a text: runs of letters and digits.
template <class Visit> void for_each_word(std::string_view text, Visit visit) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) continue;
        if (i > start) visit(text.substr(start, i - start));
        start = i + 1;
    }
}

// Moves the passages that already gave a stored question (on resume) to the end of the plan.
std::vector<int> deprioritise_used(std::vector<int> plan, const std::vector<Passage>& passages,
                                   const std::vector<Question>& accepted) {
    auto used = [&](int index) {
        const auto text = normalize_whitespace(passages[static_cast<std::size_t>(index)].text);
        return std::any_of(accepted.begin(), accepted.end(), [&](const Question& q) {
            return text.find(normalize_whitespace(q.source_quote)) != std::string::npos;
        });
    };
    std::stable_partition(plan.begin(), plan.end(), [&](int i) { return !used(i); });
    return plan;
}

} // namespace

Run::Run(boost::asio::io_context& io, RunSetup setup)
    : io_(io), setup_(std::move(setup)),
      source_(std::make_shared<const Document>(std::move(*setup_.document))),
      document_(source_, &source_->text()), quotes_(*document_), accepted_checks_(setup_.accepted),
      passages_(make_passages(*source_)) {
    setup_.document.reset();
    const bool whole = setup_.document_bytes == 0 || document_->size() <= setup_.document_bytes;
    contexts_ = whole ? std::vector<Context>{Context{0, document_->size(), document_}}
                      : make_contexts(*source_, setup_.section_bytes);
    for (const auto& p : passages_)
        context_of_.push_back(context_of(contexts_, p.begin));
    const int target = setup_.test.target_questions;
    plan_ = deprioritise_used(plan_passages(passages_, target), passages_, setup_.accepted);
    key_deal_ = deal_key_positions(setup_.test.seed, target);
}

template <class Result, class Step> std::function<void(Result)> Run::on_run_thread(Step step) {
    // The Run lives until the last completion has been handled: each one holds it.
    return [self = shared_from_this(), step = std::move(step)](Result result) mutable {
        boost::asio::post(self->io_,
                          [self, step = std::move(step), result = std::move(result)]() mutable {
                              step(std::move(result));
                          });
    };
}

void Run::log(const std::string& line) const {
    if (setup_.log) setup_.log(line);
}

void Run::start() {
    std::vector<bool> filled(static_cast<std::size_t>(setup_.test.target_questions), false);
    for (const auto& q : setup_.accepted)
        if (q.position >= 0 && q.position < setup_.test.target_questions)
            filled[static_cast<std::size_t>(q.position)] = true;
    const int missing = static_cast<int>(std::count(filled.begin(), filled.end(), false));
    author_budget_ = missing * setup_.provider->author_calls_per_question();
    if (setup_.provider->batched()) setup_.provider->use_ledger(&ledger_);
    emit(nullptr);
    if (passages_.empty()) {
        failed_slots_ = missing;
        finish();
        return;
    }
    std::vector<std::shared_ptr<Slot>> first;
    for (int position = 0; position < setup_.test.target_questions; ++position) {
        if (filled[static_cast<std::size_t>(position)]) continue;
        if (setup_.slots_at_once > 0 && static_cast<int>(first.size()) >= setup_.slots_at_once)
            waiting_positions_.push_back(position);
        else
            first.push_back(new_slot(position));
    }
    if (first.empty()) return finish();
    warm_then_start(std::move(first));
}

std::shared_ptr<Run::Slot> Run::new_slot(int position) {
    auto slot = std::make_shared<Slot>();
    slot->position = position;
    slot->passage = next_passage();
    ++active_slots_;
    return slot;
}

void Run::open_slot(int position) {
    boost::asio::post(
        io_, [self = shared_from_this(), slot = new_slot(position)] { self->start_slot(slot); });
}

void Run::warm_then_start(std::vector<std::shared_ptr<Slot>> slots) {
    // Calls that start together on one context would each write its cache: one short call
    // writes it first, then they all read it.
    std::map<std::size_t, int> uses;
    for (const auto& slot : slots)
        ++uses[context_of_[static_cast<std::size_t>(slot->passage)]];
    std::vector<std::size_t> shared;
    for (const auto& [context, count] : uses)
        if (count >= 2 && setup_.provider->warms_cache() &&
            contexts_[context].text->size() >= min_cached_tokens * estimated_bytes_per_token)
            shared.push_back(context);
    auto start_all = [this, slots] {
        for (const auto& slot : slots)
            boost::asio::post(io_, [self = shared_from_this(), slot] { self->start_slot(slot); });
    };
    if (shared.empty()) return start_all();
    // A judge of another model reads a cache of its own: written now too, beside the author's.
    std::vector<bool> roles{false};
    if (setup_.provider->judge_caches_apart()) roles.push_back(true);
    auto pending = std::make_shared<std::size_t>(shared.size() * roles.size());
    for (const auto context : shared)
        for (const bool judge : roles)
            setup_.provider->warm_cache(
                *contexts_[context].text, judge,
                on_run_thread<CacheResult>([this, pending, start_all](CacheResult result) {
                    setup_.test.usage += result.usage;
                    record_call("cache", 0, result.call, result.usage, result.failure);
                    if (result.failure) {
                        log("writing the prompt cache failed (" + result.failure.message +
                            "); the calls write it themselves");
                        if (is_fatal(result.failure.code)) record_failure(result.failure);
                    }
                    if (--*pending == 0) start_all();
                }));
}

std::shared_ptr<const std::string> Run::context_for(int passage) const {
    return contexts_[context_of_[static_cast<std::size_t>(passage)]].text;
}

int Run::next_passage() {
    // The plan lists coverage picks first, then the rest by score; past its end it wraps, and
    // the author is told the attempt number so it writes something new.
    return plan_[next_plan_++ % plan_.size()];
}

bool Run::stopping() {
    if (cancel_requested_ && !stopping_) cancel();
    return stopping_;
}

void Run::start_slot(std::shared_ptr<Slot> slot) {
    if (stopping() || author_budget_ <= 0) return end_slot(false);
    --author_budget_;
    AuthorRequest request;
    request.slot = slot->position;
    request.document = document_;
    request.context = context_for(slot->passage);
    request.attempt = slot->attempt++;
    request.passage = &passages_[static_cast<std::size_t>(slot->passage)];
    request.passages = &passages_;
    request.count = candidates_wanted();
    request.style = setup_.style;
    request.key_position = key_deal_[static_cast<std::size_t>(slot->position)];
    request.taken_keys = &accepted_checks_.keys();
    request.accepted_stems = &accepted_checks_.stems();
    request.seed = author_seed(setup_.test.seed, slot->position, request.attempt);
    if (setup_.provider->steerable()) request.steering = steering_for(*slot);
    ++slot->on_passage;
    setup_.provider->write(request, on_run_thread<AuthorResult>([this, slot](AuthorResult result) {
                               on_authored(slot, std::move(result));
                           }));
}

void Run::on_authored(std::shared_ptr<Slot> slot, AuthorResult result) {
    Test& test = setup_.test;
    test.usage += result.usage;
    record_call("author", slot->position, result.call, result.usage, result.failure);
    for (const auto& [why, count] : result.rejected) {
        test.rejections[why] += count;
        test.candidates_rejected += count;
        test.candidates_generated += count;
        candidates_decided_ += count;
    }
    if (stopping()) return end_slot(false);
    if (result.failure) {
        record_failure(result.failure);
        return retry_slot(slot);
    }
    test.candidates_generated += static_cast<int>(result.candidates.size());

    std::vector<Candidate> survivors;
    for (auto& candidate : result.candidates) {
        auto why = check_candidate(candidate, quotes_);
        if (!why) why = accepted_checks_.check(candidate, setup_.provider->distinct_keys());
        if (why) {
            reject(*why);
            ++candidates_decided_;
        } else
            survivors.push_back(std::move(candidate));
    }
    if (survivors.empty()) return retry_slot(slot);

    // The judge answers blind: options in a seeded order, keys withheld.
    JudgeRequest request;
    request.slot = slot->position;
    request.attempt = slot->attempt - 1; // the author call's own
    request.document = document_;
    request.context = context_for(slot->passage);
    request.passage = &passages_[static_cast<std::size_t>(slot->passage)];
    std::vector<std::array<int, 4>> orders;
    for (std::size_t i = 0; i < survivors.size(); ++i) {
        const auto order = seeded_permutation(
            option_order_seed(setup_.test.seed, slot->position, slot->attempt, i));
        JudgeItem item;
        item.id = static_cast<int>(i) + 1;
        item.stem = survivors[i].stem;
        for (std::size_t k = 0; k < 4; ++k)
            item.options[k] = survivors[i].options[static_cast<std::size_t>(order[k])];
        request.items.push_back(std::move(item));
        orders.push_back(order);
    }
    pending_stems_.add(slot->position, survivors);
    setup_.provider->judge(
        request,
        on_run_thread<JudgeResult>([this, slot, survivors = std::move(survivors),
                                    orders = std::move(orders)](JudgeResult verdicts) mutable {
            on_judged(slot, std::move(survivors), std::move(orders), std::move(verdicts));
        }));
}

void Run::on_judged(std::shared_ptr<Slot> slot, std::vector<Candidate> candidates,
                    std::vector<std::array<int, 4>> orders, JudgeResult result) {
    pending_stems_.remove(slot->position);
    setup_.test.usage += result.usage;
    record_call("judge", slot->position, result.call, result.usage, result.failure);
    if (stopping()) return end_slot(false);
    if (result.failure) {
        record_failure(result.failure);
        return retry_slot(slot);
    }
    std::vector<std::pair<double, std::size_t>> passed;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const int id = static_cast<int>(i) + 1;
        const auto verdict = std::find_if(result.verdicts.begin(), result.verdicts.end(),
                                          [&](const Verdict& v) { return v.id == id; });
        if (verdict == result.verdicts.end()) {
            reject(reason::judge_missing);
        } else if (verdict->chosen < 0 || verdict->chosen > 3 ||
                   orders[i][static_cast<std::size_t>(verdict->chosen)] !=
                       candidates[i].answer_index) {
            reject(reason::judge_disagrees);
        } else if (verdict->score < setup_.judge_threshold) {
            reject(reason::judge_low_score);
        } else {
            passed.emplace_back(verdict->score, i);
        }
    }
    candidates_decided_ += static_cast<int>(candidates.size());
    candidates_passed_ += static_cast<int>(passed.size());
    // The winner blocks as few other slots' candidates as it can: first those still at the
    // judge whose stems hold its key, then likely later ones (a key that recurs in the
    // context); the best score among equals.
    const auto context = context_of_[static_cast<std::size_t>(slot->passage)];
    std::vector<std::pair<int, bool>> blocking(candidates.size());
    for (const auto& entry : passed) {
        const auto& c = candidates[entry.second];
        blocking[entry.second] = {
            pending_stems_.blocked_by(slot->position, c),
            recurs(context, c.options[static_cast<std::size_t>(c.answer_index)])};
    }
    std::stable_sort(passed.begin(), passed.end(), [&](const auto& a, const auto& b) {
        if (blocking[a.second] != blocking[b.second])
            return blocking[a.second] < blocking[b.second];
        return a.first > b.first;
    });
    for (const auto& [score, i] : passed) {
        if (stopping()) return end_slot(false);
        // Another slot may have accepted a similar question while this one was being judged.
        if (auto why = accepted_checks_.check(candidates[i], setup_.provider->distinct_keys())) {
            reject(*why);
            continue;
        }
        return end_slot(accept(*slot, candidates[i], score));
    }
    retry_slot(slot);
}

const std::map<std::string, int, std::less<>>& Run::word_counts(std::size_t context) {
    const auto found = word_counts_.find(context);
    if (found != word_counts_.end()) return found->second;
    auto& counts = word_counts_[context];
    for_each_word(*contexts_[context].text,
                  [&counts](std::string_view word) { ++counts[std::string(word)]; });
    return counts;
}

// A phrase occurs at most as often as its rarest word, counted as written and with its first
// letter's case changed.
bool Run::recurs(std::size_t context, std::string_view key) {
    const auto& counts = word_counts(context);
    auto uses = [&counts](std::string word) {
        int n = 0;
        for (int variant = 0; variant < 2; ++variant) {
            const auto it = counts.find(word);
            if (it != counts.end()) n += it->second;
            const auto first = static_cast<unsigned char>(word.front());
            word.front() =
                static_cast<char>(std::isupper(first) ? std::tolower(first) : std::toupper(first));
        }
        return n;
    };
    int rarest = -1;
    for_each_word(key, [&](std::string_view w) {
        const int n = uses(std::string(w));
        if (rarest < 0 || n < rarest) rarest = n;
    });
    return rarest > recurring_key_uses;
}

Steering Run::steering_for(Slot& slot) {
    focuses_.erase(slot.position);
    const auto& counts = word_counts(context_of_[static_cast<std::size_t>(slot.passage)]);
    std::set<std::string> taken(accepted_checks_.keys());
    for (const auto& [position, focus] : focuses_)
        taken.insert(lower(focus));
    // The rarest word of the passage that is long enough to be a term and no one else's.
    std::string best;
    int best_count = 0;
    for_each_word(passages_[static_cast<std::size_t>(slot.passage)].text, [&](std::string_view w) {
        if (w.size() < min_focus_letters || !std::isalpha(static_cast<unsigned char>(w[0])) ||
            taken.count(lower(w)))
            return;
        const auto it = counts.find(w);
        const int count = it == counts.end() ? 1 : it->second;
        if (best.empty() || count < best_count || (count == best_count && w.size() > best.size())) {
            best = std::string(w);
            best_count = count;
        }
    });
    Steering steering;
    steering.focus = best;
    if (!best.empty()) focuses_[slot.position] = best;
    std::set<std::string> avoid(accepted_checks_.keys());
    for (const auto& [position, focus] : focuses_)
        if (position != slot.position) avoid.insert(lower(focus));
    for (auto& key : pending_stems_.keys_except(slot.position))
        avoid.insert(std::move(key));
    for (const auto& term : avoid) {
        if (steering.avoid.size() >= max_avoided_terms) break;
        steering.avoid.push_back(term);
    }
    return steering;
}

int Run::candidates_wanted() const {
    const int most = setup_.candidates;
    if (!setup_.provider->adaptive_candidates() || candidates_decided_ < candidates_observed_first)
        return most;
    const double pass = static_cast<double>(candidates_passed_) / candidates_decided_;
    if (pass <= 0) return most;
    if (pass >= wanted_success_odds) return 1;
    // 1 - (1 - pass)^k >= odds  <=>  k >= log(1 - odds) / log(1 - pass)
    const double k = std::ceil(std::log(1 - wanted_success_odds) / std::log(1 - pass));
    return std::clamp(static_cast<int>(k), 1, most);
}

void Run::retry_slot(std::shared_ptr<Slot> slot) {
    if (stopping()) return end_slot(false);
    // One more author call on the same passage, then a replacement passage.
    if (slot->on_passage >= author_calls_per_passage) {
        slot->passage = next_passage();
        slot->on_passage = 0;
    }
    boost::asio::post(io_, [self = shared_from_this(), slot] { self->start_slot(slot); });
}

bool Run::accept(const Slot& slot, const Candidate& candidate, double score) {
    Test& test = setup_.test;
    Question q = place_key(candidate, key_deal_[static_cast<std::size_t>(slot.position)],
                           mix_seed(test.seed, static_cast<std::uint64_t>(slot.position)));
    q.position = slot.position;
    q.score = score;
    if (const auto at = quotes_.find(candidate.quote)) {
        const auto where = source_->cite(*at, *at + candidate.quote.size());
        q.source_page = where.page;
        q.source_section = where.section;
    }
    ++test.questions_generated;
    test.progress = static_cast<double>(test.questions_generated) / test.target_questions;
    test.message = progress_message(test.questions_generated, test.target_questions);
    test.updated_at = now_rfc3339();
    try {
        q.id = setup_.storage->add_question(test, q);
    } catch (...) {
        --test.questions_generated;
        test.progress = static_cast<double>(test.questions_generated) / test.target_questions;
        failure_ = std::current_exception();
        cancel(errc::storage, "storage failed");
        return false;
    }
    accepted_checks_.add(q);
    setup_.accepted.push_back(std::move(q));
    emit(&setup_.accepted.back());
    return true;
}

void Run::reject(std::string_view why) {
    ++setup_.test.candidates_rejected;
    ++setup_.test.rejections[std::string(why)];
}

void Run::record_failure(const CallFailure& failure) {
    ++call_failures_[failure.code];
    last_failure_message_ = failure.message;
    log("call failed: " + failure.message);
    if (is_fatal(failure.code)) cancel(failure.code, failure.message);
}

void Run::record_call(const char* kind, int slot, const std::optional<CallInfo>& call,
                      const Usage& usage, const CallFailure& failure) {
    if (!call || failure_) return;
    CallRecord record{call->request_id, kind,         slot,  call->http_status,
                      call->attempts,   failure.code, usage, now_rfc3339()};
    try {
        setup_.storage->record_call(setup_.test.id, record);
    } catch (...) {
        failure_ = std::current_exception();
        cancel(errc::storage, "storage failed");
    }
}

void Run::end_slot(bool accepted) {
    if (!accepted) ++failed_slots_;
    --active_slots_;
    if (!waiting_positions_.empty()) {
        if (stopping_ || author_budget_ <= 0) {
            failed_slots_ += static_cast<int>(waiting_positions_.size());
            waiting_positions_.clear();
        } else {
            open_slot(waiting_positions_.front());
            waiting_positions_.pop_front();
        }
    }
    if (active_slots_ == 0) finish();
}

void Run::cancel(errc why, std::string message) {
    if (stopping_ || finished_) return;
    stopping_ = true;
    stop_code_ = why;
    stop_message_ = std::move(message);
    setup_.provider->cancel();
}

void Run::detach() {
    if (stopping_ || finished_) return;
    stopping_ = true;
    detached_ = true;
    setup_.provider->detach();
}

std::vector<BatchRecord> Run::Ledger::batches() {
    return run_.setup_.storage->batches(run_.setup_.test.id);
}

void Run::Ledger::record(const BatchRecord& batch) {
    run_.setup_.storage->record_batch(run_.setup_.test.id, batch);
    if (batch.status == batch_status::creating || batch.status == batch_status::replaced) return;
    run_.emit(nullptr, "Message Batch " + batch.batch_id + " " + batch.status);
    if (run_.setup_.detach_after_submit && batch_status::from_api(batch.status))
        boost::asio::post(run_.io_, [self = run_.shared_from_this()] { self->detach(); });
}

bool Run::Ledger::counted(const std::string& request_id) {
    if (!counted_) {
        counted_.emplace();
        for (const auto& call : run_.setup_.storage->calls(run_.setup_.test.id))
            counted_->insert(call.request_id);
    }
    return counted_->count(request_id) != 0;
}

void Run::emit(const Question* question, std::string_view note) {
    if (failure_ || !setup_.on_progress || !*setup_.on_progress) return;
    const Test& t = setup_.test;
    std::string message = question || t.status != Status::generating
                              ? t.message
                              : progress_message(t.questions_generated, t.target_questions);
    if (!note.empty()) message += "; " + std::string(note);
    Progress event{
        t.id, t.questions_generated, t.target_questions, t.progress, message, t.status, question};
    try {
        (*setup_.on_progress)(event);
    } catch (...) {
        // The callback's exception ends the run and reaches the caller.
        failure_ = std::current_exception();
        cancel(errc::cancelled, "the progress callback threw");
    }
}

void Run::finish() {
    if (finished_) return;
    finished_ = true;
    if (setup_.provider->batched()) setup_.provider->use_ledger(nullptr);
    Test& t = setup_.test;
    const int created = t.questions_generated, target = t.target_questions;
    t.progress = target ? static_cast<double>(created) / target : 0;
    t.updated_at = now_rfc3339();
    if (detached_) { // still generating: Claude works on, a later resume() collects
        t.message = progress_message(created, target) +
                    "; submitted as a Message Batch, resume to collect the questions";
        store_final();
        return;
    }
    t.status = created == target ? Status::completed
               : created == 0    ? Status::failed
                                 : Status::partial;
    t.error = errc::ok;
    t.message = progress_message(created, target);
    if (created < target) {
        const int missing = target - created;
        if (stop_code_ != errc::ok) {
            t.error = stop_code_;
            t.message += "; stopped: " + stop_message_;
        } else if (!call_failures_.empty()) {
            const auto worst =
                std::max_element(call_failures_.begin(), call_failures_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
            t.error = worst->first;
            t.message += "; " + std::to_string(missing) +
                         " questions failed: " + std::string(to_string(t.error)) + " (" +
                         last_failure_message_ + ")";
        } else if (passages_.empty()) {
            t.message += "; the document has no usable sentences";
        } else {
            t.message += "; the document yielded no further acceptable questions";
            if (!t.rejections.empty())
                t.message += " (rejected: " + dominant_rejections(t.rejections) + ")";
        }
    }
    store_final();
}

void Run::store_final() {
    if (!failure_ || setup_.test.error != errc::storage) {
        try {
            setup_.storage->update_test(setup_.test);
        } catch (...) {
            if (!failure_) failure_ = std::current_exception();
        }
    }
    emit(nullptr);
}

} // namespace mcqgen::detail
