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

/// The mechanism a model gets: json_schema unless the model predates it (or config forces one).
OutputMode output_mode_for(const ClaudeOptions& config);

inline constexpr const char* author_tool = "submit_candidates";
inline constexpr const char* judge_tool = "submit_verdicts";

/// The author request; a `style` other than mixed asks every candidate in that form.
std::string author_body(const ClaudeOptions& config, OutputMode mode, const std::string& document,
                        const Passage& passage, int count, QuestionStyle style);
std::string judge_body(const ClaudeOptions& config, OutputMode mode, const std::string& document,
                       const Passage& passage, const std::vector<JudgeItem>& items);

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

/// The estimated cost of `usage` with the configured price of `model` (0 if unknown).
double estimate_cost(const ClaudeOptions& config, const Usage& usage);

} // namespace mcqgen::detail::claude
