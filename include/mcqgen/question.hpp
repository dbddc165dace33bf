#pragma once
// The records mcqgen produces: questions, and the test that groups them.

#include <mcqgen/errors.hpp>
#include <mcqgen/export.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen {

/// The form of a test's questions (PipelineOptions::style); each question stores the form it
/// took as its `style`: "cloze", "question" or "statements".
enum class QuestionStyle {
    mixed,      ///< each sentence in the form it allows best, the forms spread over the test
    cloze,      ///< a sentence of the document with its key term blanked
    question,   ///< a wh-question ("In which year ...?", "Who ...?") or a definition question
    statements, ///< UPSC statement items: "Consider the following statements: 1. ... 2. ..."
};

MCQGEN_API std::string_view to_string(QuestionStyle s) noexcept;
/// Parses "mixed", "cloze", "question", "statements".
MCQGEN_API std::optional<QuestionStyle> question_style_from_string(std::string_view s) noexcept;

/// One accepted multiple-choice question.
struct Question {
    std::int64_t id = 0;                ///< assigned by the storage adapter
    int position = 0;                   ///< 0-based place in its test
    std::string stem;                   ///< the question text
    std::array<std::string, 4> options; ///< A-D, four distinct non-empty strings
    int answer_index = 0;               ///< the key, 0..3
    std::string explanation;            ///< why the key is right; names no option letter
    std::string source_quote;           ///< verbatim sentence(s) of the document backing the key
    double score = 0;                   ///< the judge's score, 0..1
    std::string style;      ///< its form: "cloze", "question", "statements" ("claude": free)
    std::string difficulty; ///< "easy", "medium" or "hard"
    std::optional<int> source_page; ///< the quote's physical page (PDF), none otherwise
    std::string source_section;     ///< its section, "Chapter 3 › Resources"; "" when none
};

/// How a question's source reads in a list: "p. 12, Chapter 3 › Resources" ("" when unknown).
MCQGEN_API std::string citation(const Question& question);

/// Lifecycle of a test.
enum class Status { generating, completed, partial, failed };

MCQGEN_API std::string_view to_string(Status s) noexcept;
/// Parses "generating", "completed", "partial", "failed".
MCQGEN_API std::optional<Status> status_from_string(std::string_view s) noexcept;

/// Tokens used and what they are estimated to cost.
struct Usage {
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cache_creation_input_tokens = 0;
    std::int64_t cache_read_input_tokens = 0;
    std::int64_t requests = 0;     ///< HTTP attempts made, retries included
    double estimated_cost_usd = 0; ///< from the configured prices

    Usage& operator+=(const Usage& o) noexcept;
};

/// One call to the API, kept for auditing and support requests.
struct CallRecord {
    std::string request_id; ///< the API's `request-id` header ("" when none arrived)
    std::string kind;       ///< "author", "judge" or "cache" (a call that writes the prompt cache)
    int slot = 0;           ///< the question position the call was for
    int http_status = 0;    ///< the last HTTP status (0 when no response arrived)
    int attempts = 0;       ///< HTTP attempts, retries included
    errc error = errc::ok;
    Usage usage;
    std::string at; ///< RFC 3339, UTC, when the call ended
};

/// A Message Batch a test submitted (batch mode), kept with the test so that another process
/// resumes it instead of submitting its requests again.
struct BatchRecord {
    std::string batch_id;                ///< the API's id ("msgbatch_...")
    std::vector<std::string> custom_ids; ///< its requests: "author-3-0" is slot 3's first call
    /// The API's processing_status (in_progress, canceling, ended), or the library's own for
    /// a create: `creating` (sent, its batch not yet known; batch_id "creating-HASH"),
    /// `replaced` (its batch is recorded under its own id), `not_made`, or `not_ours` (a
    /// listed batch taken for a lost one that proved to be another's).
    std::string status;
    std::string created_at; ///< RFC 3339, UTC
    std::string updated_at; ///< RFC 3339, UTC

    bool operator==(const BatchRecord&) const = default;
};

/// A test's usage divided by its accepted questions: what one question cost.
struct UsagePerQuestion {
    double input_tokens = 0; ///< uncached input
    double cache_read_input_tokens = 0;
    double cache_creation_input_tokens = 0;
    double output_tokens = 0;
    double estimated_cost_usd = 0;
};

/// A generation request and its outcome, as stored.
struct Test {
    std::string id;
    Status status = Status::generating;
    int target_questions = 0;
    int questions_generated = 0;
    double progress = 0;   ///< questions_generated / target_questions
    std::string message;   ///< "3 of 10 questions created", or why it ended short
    errc error = errc::ok; ///< the dominant failure when status is partial or failed
    Usage usage;
    int candidates_generated = 0;          ///< candidates written by the author(s)
    int candidates_rejected = 0;           ///< candidates turned down by any gate or by the judge
    std::map<std::string, int> rejections; ///< reason -> count
    std::uint64_t seed = 0;                ///< makes the run reproducible and resumable
    int candidates_per_question = 4;
    std::string provider;   ///< "offline" or "claude:<model>"
    std::string created_at; ///< RFC 3339, UTC
    std::string updated_at; ///< RFC 3339, UTC

    /// usage over questions_generated; all zero when there is no question.
    MCQGEN_API UsagePerQuestion usage_per_question() const;
};

} // namespace mcqgen
