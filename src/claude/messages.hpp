#pragma once
// The Messages API encoding for the author and judge calls, and the decoding of replies:
// pure functions, no network, so every contract breach is unit-testable.
//
// What is sent is documented in docs/claude-protocol.md.

#include "provider/provider.hpp"

#include <mcqgen/config.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace mcqgen::detail::claude {

enum class OutputMode { json_schema, tool };

/// One kind of call's settings: the configured options with the model that makes that call.
struct CallSettings {
    ClaudeOptions claude;
    OutputMode mode = OutputMode::json_schema;
};
CallSettings author_settings(const ClaudeOptions& config);
/// The author's settings with the model replaced by judge_model when one is set.
CallSettings judge_settings(const ClaudeOptions& config);

/// The mechanism a model gets: json_schema unless the model predates it (or config forces one).
OutputMode output_mode_for(const ClaudeOptions& config);

inline constexpr const char* author_tool = "submit_candidates";
inline constexpr const char* judge_tool = "submit_verdicts";

/// How long the cached document prefix lives: 5 minutes by default; 1 hour for batches, whose
/// requests may run far apart (the facts file's advice; the write costs 2x input, not 1.25x).
enum class CacheTtl { five_minutes, one_hour };

/// The author request; a `style` other than mixed asks every candidate in that form.
std::string author_body(const ClaudeOptions& config, OutputMode mode, const std::string& document,
                        const Passage& passage, int count, QuestionStyle style,
                        const Steering& steering = {}, CacheTtl ttl = CacheTtl::five_minutes);
std::string judge_body(const ClaudeOptions& config, OutputMode mode, const std::string& document,
                       const Passage& passage, const std::vector<JudgeItem>& items,
                       CacheTtl ttl = CacheTtl::five_minutes);

/// A call that only writes the cache of `document`'s prefix (max_tokens 1, its answer unread):
/// made once before many calls that start at once, which would otherwise each write it.
std::string cache_body(const ClaudeOptions& config, OutputMode mode, const std::string& document);

/// The usage a Message reports.
Usage read_usage(const boost::json::value& message);

/// The structured payload of a reply, or why there is none.
struct Reply {
    boost::json::value data; ///< the schema-shaped object (text JSON or tool input)
    Usage usage;
    CallFailure failure;
};

/// Reads a 200 body: usage, stop_reason (max_tokens and refusal are failures), the content
/// block of the right type (by type, never by position), its JSON.
Reply decode_reply(const std::string& body, OutputMode mode, const char* tool_name);

/// Candidates from an author payload; entries that do not match the schema are counted in
/// `rejected["schema"]`, never patched. Each stores `style` as its form ("claude" for mixed).
AuthorResult parse_candidates(const boost::json::value& data,
                              QuestionStyle style = QuestionStyle::mixed);

/// Verdicts from a judge payload, the chosen option's text mapped back to its index.
JudgeResult parse_verdicts(const boost::json::value& data, const std::vector<JudgeItem>& items);

/// How a call is billed: directly, or as an item of a Message Batch (half of every price, and
/// its cache writes are 1-hour ones, see CacheTtl).
enum class Billing { direct, batch };

/// The price of a batch item relative to the same call made directly (the facts file, §5).
inline constexpr double batch_price_factor = 0.5;
/// A 1-hour cache write relative to the base input price (§6).
inline constexpr double one_hour_write_factor = 2.0;

/// The estimated cost of `usage` with the configured price of `model` (0 if unknown).
double estimate_cost(const ClaudeOptions& config, const Usage& usage,
                     Billing billing = Billing::direct);

} // namespace mcqgen::detail::claude
