#include <mcqgen/question.hpp>

namespace mcqgen {

std::string_view to_string(Status s) noexcept {
    switch (s) {
    case Status::generating:
        return "generating";
    case Status::completed:
        return "completed";
    case Status::partial:
        return "partial";
    case Status::failed:
        return "failed";
    }
    return "failed";
}

std::optional<Status> status_from_string(std::string_view s) noexcept {
    for (Status status : {Status::generating, Status::completed, Status::partial, Status::failed})
        if (to_string(status) == s) return status;
    return std::nullopt;
}

std::string_view to_string(QuestionStyle s) noexcept {
    switch (s) {
    case QuestionStyle::mixed:
        return "mixed";
    case QuestionStyle::cloze:
        return "cloze";
    case QuestionStyle::question:
        return "question";
    case QuestionStyle::statements:
        return "statements";
    }
    return "mixed";
}

std::optional<QuestionStyle> question_style_from_string(std::string_view s) noexcept {
    for (QuestionStyle style : {QuestionStyle::mixed, QuestionStyle::cloze, QuestionStyle::question,
                                QuestionStyle::statements})
        if (to_string(style) == s) return style;
    return std::nullopt;
}

std::string citation(const Question& question) {
    std::string out;
    if (question.source_page) out = "p. " + std::to_string(*question.source_page);
    if (!question.source_section.empty())
        out += (out.empty() ? "" : ", ") + question.source_section;
    return out;
}

UsagePerQuestion Test::usage_per_question() const {
    if (questions_generated <= 0) return {};
    const double n = questions_generated;
    return {static_cast<double>(usage.input_tokens) / n,
            static_cast<double>(usage.cache_read_input_tokens) / n,
            static_cast<double>(usage.cache_creation_input_tokens) / n,
            static_cast<double>(usage.output_tokens) / n, usage.estimated_cost_usd / n};
}

Usage& Usage::operator+=(const Usage& o) noexcept {
    input_tokens += o.input_tokens;
    output_tokens += o.output_tokens;
    cache_creation_input_tokens += o.cache_creation_input_tokens;
    cache_read_input_tokens += o.cache_read_input_tokens;
    requests += o.requests;
    estimated_cost_usd += o.estimated_cost_usd;
    return *this;
}

} // namespace mcqgen
