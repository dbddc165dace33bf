#pragma once
// The two roles a question provider plays. Claude implements them with prompts
// (src/claude/), the offline generator with text statistics (src/offline/); the pipeline
// does not know which it has.
//
// Both calls are asynchronous: `done` is invoked exactly once, on the thread running the
// generation's io_context, and never from inside the call itself (implementations post it).

#include "pipeline/passages.hpp"

#include <mcqgen/errors.hpp>
#include <mcqgen/question.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

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

struct AuthorRequest {
    int slot = 0;                                ///< the question position this is for
    std::shared_ptr<const std::string> document; ///< the whole document, shared by the run
    int attempt = 0;                  ///< 0 for the first call of a slot, 1.. for re-authoring
    const Passage* passage = nullptr; ///< valid until `done` runs
    int count = 4;                    ///< candidates wanted
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
    std::shared_ptr<const std::string> document; ///< the whole document, shared by the run
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

/// An author and a judge that share one backend (and its connections).
class Provider : public Author, public Judge {
  public:
    /// "offline" or "claude:<model>", stored with the test.
    virtual std::string name() const = 0;
    /// Aborts calls in flight; their `done` still runs (with errc::cancelled).
    virtual void cancel() = 0;
};

} // namespace mcqgen::detail
