#pragma once
// The JSON form of tests and questions, shared by the CLI (--json), the C ABI and Python.
//
// test:     {id, status, target_questions, questions_generated, progress, message, error,
//            input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
//            requests, estimated_cost_usd, candidates_generated, candidates_rejected,
//            rejections: {reason: count}, seed, provider, created_at, updated_at}
// question: {id, position, stem, options: [4 strings], answer_index, explanation,
//            source_quote, score, style, difficulty, source_page (null when none),
//            source_section}

#include <mcqgen/export.hpp>
#include <mcqgen/question.hpp>

#include <string>
#include <vector>

namespace mcqgen {

MCQGEN_API std::string to_json(const Test& test);
MCQGEN_API std::string to_json(const Question& question);
/// [{...question...}, ...]
MCQGEN_API std::string to_json(const std::vector<Question>& questions);
/// {"test": {...}, "questions": [...]}
MCQGEN_API std::string to_json(const Test& test, const std::vector<Question>& questions);
/// [{...test...}, ...]
MCQGEN_API std::string to_json(const std::vector<Test>& tests);

} // namespace mcqgen
