#include <mcqgen/json.hpp>

#include <boost/json.hpp>

namespace mcqgen {
namespace {

namespace json = boost::json;

json::object test_object(const Test& t) {
    json::object rejections;
    for (const auto& [reason, count] : t.rejections)
        rejections[reason] = count;
    const auto each = t.usage_per_question();
    return {
        {"id", t.id},
        {"status", to_string(t.status)},
        {"target_questions", t.target_questions},
        {"questions_generated", t.questions_generated},
        {"progress", t.progress},
        {"message", t.message},
        {"error", t.error == errc::ok ? json::value(nullptr) : json::value(to_string(t.error))},
        {"input_tokens", t.usage.input_tokens},
        {"output_tokens", t.usage.output_tokens},
        {"cache_creation_input_tokens", t.usage.cache_creation_input_tokens},
        {"cache_read_input_tokens", t.usage.cache_read_input_tokens},
        {"requests", t.usage.requests},
        {"estimated_cost_usd", t.usage.estimated_cost_usd},
        {"per_question",
         {{"input_tokens", each.input_tokens},
          {"cache_read_input_tokens", each.cache_read_input_tokens},
          {"cache_creation_input_tokens", each.cache_creation_input_tokens},
          {"output_tokens", each.output_tokens},
          {"estimated_cost_usd", each.estimated_cost_usd}}},
        {"candidates_generated", t.candidates_generated},
        {"candidates_rejected", t.candidates_rejected},
        {"rejections", std::move(rejections)},
        {"seed", std::to_string(t.seed)}, // a string: JSON numbers lose 64-bit precision
        {"provider", t.provider},
        {"created_at", t.created_at},
        {"updated_at", t.updated_at},
    };
}

json::object question_object(const Question& q) {
    json::array options;
    for (const auto& option : q.options)
        options.emplace_back(option);
    return {
        {"id", q.id},
        {"position", q.position},
        {"stem", q.stem},
        {"options", std::move(options)},
        {"answer_index", q.answer_index},
        {"explanation", q.explanation},
        {"source_quote", q.source_quote},
        {"score", q.score},
        {"style", q.style},
        {"difficulty", q.difficulty},
        {"source_page", q.source_page ? json::value(*q.source_page) : json::value(nullptr)},
        {"source_section", q.source_section},
    };
}

json::array question_array(const std::vector<Question>& questions) {
    json::array items;
    for (const auto& q : questions)
        items.emplace_back(question_object(q));
    return items;
}

} // namespace

std::string to_json(const Test& test) {
    return json::serialize(test_object(test));
}

std::string to_json(const Question& question) {
    return json::serialize(question_object(question));
}

std::string to_json(const std::vector<Question>& questions) {
    return json::serialize(question_array(questions));
}

std::string to_json(const Test& test, const std::vector<Question>& questions) {
    return json::serialize(
        json::object{{"test", test_object(test)}, {"questions", question_array(questions)}});
}

std::string to_json(const std::vector<Test>& tests) {
    json::array items;
    for (const auto& t : tests)
        items.emplace_back(test_object(t));
    return json::serialize(items);
}

} // namespace mcqgen
