#pragma once
// The two roles a question provider plays. Claude implements them with prompts
// (src/claude/), the offline generator with text statistics (src/offline/); the pipeline
// does not know which it has.
//
// `done` is invoked exactly once per call, from any thread, inline (inside the call) or later:
// the run posts every completion onto its own io_context, so a provider need not schedule
// anything (the offline provider is plain computation; the Claude provider completes on the
// io_context it was given).

#include "core/text.hpp"

#include <mcqgen/errors.hpp>
#include <mcqgen/question.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

/// Bytes per token for estimates made before the API has counted: English prose averages about
/// four, so three overestimates the tokens of a request, as a limit check should.
inline constexpr std::size_t estimated_bytes_per_token = 3;

/// A run of consecutive sentences, the unit a question slot is written from.
struct Passage {
    int index = 0;         ///< order in the document
    int section = -1;      ///< the Document::sections() index it lies in, -1 for none
    std::size_t begin = 0; ///< byte range in the document
    std::size_t end = 0;
    std::string text;                ///< the document's bytes in [begin, end)
    std::vector<Sentence> sentences; ///< absolute offsets into the document
    double score = 0;                ///< BM25 relevance to the document's key terms
};

/// Stable rejection reasons, as stored in Test::rejections.
namespace reason {
inline constexpr std::string_view schema = "schema";
inline constexpr std::string_view option_count = "option_count";
inline constexpr std::string_view empty_field = "empty_field";
inline constexpr std::string_view duplicate_options = "duplicate_options";
inline constexpr std::string_view key_out_of_range = "key_out_of_range";
inline constexpr std::string_view all_none_of_the_above = "all_or_none_of_the_above";
inline constexpr std::string_view quote_not_in_document = "quote_not_in_document";
inline constexpr std::string_view giveaway_length = "giveaway_longest_option";
inline constexpr std::string_view giveaway_echo = "giveaway_echoes_stem";
inline constexpr std::string_view explanation_letter = "explanation_names_letter";
inline constexpr std::string_view near_duplicate = "near_duplicate";
inline constexpr std::string_view same_key_same_passage = "same_key_overlapping_passage";
inline constexpr std::string_view stem_contains_key = "stem_contains_key";
inline constexpr std::string_view repeated_key = "repeated_key";
inline constexpr std::string_view judge_disagrees = "judge_disagrees";
inline constexpr std::string_view judge_low_score = "judge_low_score";
inline constexpr std::string_view judge_missing = "judge_no_verdict";
} // namespace reason

/// A question as an author proposed it: not yet trusted (option count, key range, quote...).
struct Candidate {
    std::string stem;
    std::vector<std::string> options;
    int answer_index = -1;
    std::string explanation;
    std::string quote;
    std::string difficulty;
    std::string style;
};

/// What went wrong with a call that produced nothing usable.
struct CallFailure {
    errc code = errc::ok;
    std::string message;
    explicit operator bool() const noexcept { return code != errc::ok; }
};

/// What an author call is steered towards and away from, so that a test's questions do not
/// collide: a question whose stem holds another's key gives that answer away.
struct Steering {
    std::string focus;              ///< a term of the passage to ask about first; "" for none
    std::vector<std::string> avoid; ///< other questions' keys and focuses: no key, in no stem
};

struct AuthorRequest {
    int slot = 0;                                ///< the question position this is for
    std::shared_ptr<const std::string> document; ///< the whole document, shared by the run
    /// What to send as the document: all of it, or the sections around the passage when the
    /// whole would be too long (src/pipeline/context.hpp). Shared by the calls that use it.
    std::shared_ptr<const std::string> context;
    int attempt = 0;                  ///< 0 for the first call of a slot, 1.. for re-authoring
    const Passage* passage = nullptr; ///< valid until `done` runs
    /// Every passage of the run, in document order (`passage` is one of them); valid as passage.
    const std::vector<Passage>* passages = nullptr;
    int count = 1;                              ///< candidates wanted (the run sets it)
    QuestionStyle style = QuestionStyle::mixed; ///< the form the test asks for
    /// Where the slot's key will stand (0..3), dealt so a test's keys spread evenly; an author
    /// whose options keep a fixed order (statement items) writes its key there.
    int key_position = 0;
    /// The keys of the questions accepted so far (lower case), which no new one may repeat;
    /// valid until `write` returns.
    const std::set<std::string>* taken_keys = nullptr;
    /// Their stems (lower case): a new key they show would be given away. Valid as taken_keys.
    const std::vector<std::string>* accepted_stems = nullptr;
    Steering steering;
    std::uint64_t seed = 0;
};

/// What the API said about one call (empty for providers without one).
struct CallInfo {
    std::string request_id;
    int http_status = 0;
    int attempts = 0;
};

struct AuthorResult {
    std::vector<Candidate> candidates;
    std::optional<CallInfo> call;
    std::map<std::string, int> rejected; ///< candidates dropped while decoding, by reason
    Usage usage;
    CallFailure failure;
};

/// One candidate as the judge sees it: options permuted, key withheld.
struct JudgeItem {
    int id = 0;
    std::string stem;
    std::array<std::string, 4> options;
};

struct JudgeRequest {
    int slot = 0;
    int attempt = 0; ///< the attempt of the author call whose candidates these are
    std::shared_ptr<const std::string> document; ///< the whole document, shared by the run
    std::shared_ptr<const std::string> context;  ///< as AuthorRequest::context
    const Passage* passage = nullptr;            ///< valid until `done` runs
    std::vector<JudgeItem> items;
};

struct Verdict {
    int id = 0;
    int chosen = -1;  ///< index into the item's options of the blind answer; -1 if none
    double score = 0; ///< 0..1: clarity, distractor plausibility, exactly one defensible key
    std::string reason;
};

struct JudgeResult {
    std::vector<Verdict> verdicts;
    std::optional<CallInfo> call;
    Usage usage;
    CallFailure failure;
};

/// The outcome of a call that writes the prompt cache.
struct CacheResult {
    std::optional<CallInfo> call;
    Usage usage;
    CallFailure failure;
};

class Author {
  public:
    virtual ~Author() = default;
    virtual void write(const AuthorRequest& request, std::function<void(AuthorResult)> done) = 0;
};

class Judge {
  public:
    virtual ~Judge() = default;
    virtual void judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) = 0;
};

/// The statuses a batching provider records beside the API's processing_status (in_progress,
/// canceling, ended): a create is recorded before it is sent, so that a lost answer or a
/// process that dies before the answer is stored never leads to a batch made twice.
namespace batch_status {
/// A create sent whose batch is not known yet; its batch_id is "creating-HASH".
inline constexpr const char* creating = "creating";
/// A creating record whose batch is now recorded under its own id.
inline constexpr const char* replaced = "replaced";
/// A creating record whose batch the API's listing shows was never made.
inline constexpr const char* not_made = "not_made";
/// A listed batch taken for a lost one that proved, by its results, to be another's.
inline constexpr const char* not_ours = "not_ours";
/// Whether `status` is one of the API's (a batch that exists) rather than one of these.
inline bool from_api(std::string_view status) {
    return status == "in_progress" || status == "canceling" || status == "ended";
}
} // namespace batch_status

/// Where a batching provider keeps its batches across processes: the run's storage, for the
/// run's test. Called on the run's thread.
class BatchLedger {
  public:
    virtual ~BatchLedger() = default;
    /// The test the batches are for.
    virtual std::string test_id() = 0;
    /// The batches recorded for the test, in the order they were first recorded.
    virtual std::vector<BatchRecord> batches() = 0;
    /// Inserts or updates (by batch_id) a batch. Throws what the storage throws.
    virtual void record(const BatchRecord& batch) = 0;
    /// Whether a call with this request id is recorded already: an earlier process counted its
    /// usage, so a resumed run that reads the same result again must not.
    virtual bool counted(const std::string& request_id) = 0;
};

/// An author and a judge that share one backend (and its connections).
class Provider : public Author, public Judge {
  public:
    /// Author calls a run may make per missing question: calls that cost money are few, an
    /// author that costs nothing may look further through the document.
    virtual int author_calls_per_question() const { return 3; }
    /// Whether each author call asks for as few candidates as the pass rate observed in the
    /// test allows (candidates cost tokens); false: always the configured number.
    virtual bool adaptive_candidates() const { return true; }
    /// Whether a run turns down a key an accepted question already has. An author told the
    /// accepted keys (AuthorRequest::taken_keys) avoids them; one that is not would only pay for
    /// the calls the rule turns down.
    virtual bool distinct_keys() const { return false; }
    /// "offline" or "claude:<model>", stored with the test.
    virtual std::string name() const = 0;
    /// Aborts calls in flight; their `done` still runs (with errc::cancelled).
    virtual void cancel() = 0;

    /// Whether author calls read AuthorRequest::steering (the offline author chooses its own).
    virtual bool steerable() const { return true; }
    /// Whether warm_cache is worth a call before many calls on one context start at once: the
    /// API makes concurrent first requests all write the cache (at 1.25 times the input price).
    virtual bool warms_cache() const { return false; }
    /// Whether the judge's calls need a cache of their own (another model's).
    virtual bool judge_caches_apart() const { return false; }
    /// Writes the prompt cache of the author's (or with `judge`, the judge's) calls on `context`
    /// with one short call. A failure only means the calls after it write the cache
    /// themselves. `done` runs as write's does.
    virtual void warm_cache(const std::string& /*context*/, bool /*judge*/,
                            std::function<void(CacheResult)> done) {
        done({});
    }

    /// Whether calls go out as Message Batches, which then live on without the process.
    virtual bool batched() const { return false; }
    /// Batch mode: the ledger to record batches in and to find those of an earlier process in,
    /// set by the run before its first call (null after it). Not called on other providers.
    virtual void use_ledger(BatchLedger* /*ledger*/) {}
    /// Batch mode: stops waiting without cancelling what was submitted (a later process resumes
    /// it); the `done` of every waiting call runs with errc::cancelled. Others: cancel().
    virtual void detach() { cancel(); }
};

} // namespace mcqgen::detail
