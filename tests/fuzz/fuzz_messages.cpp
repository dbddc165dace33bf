// Fuzz target: the Messages API reply decoder and the payload parsers, over arbitrary bytes.
//
// The bytes are a 200 response body. Both output modes are decoded, for the author tool and the
// judge tool; whatever decodes is parsed as candidates and as verdicts. The bytes are also parsed
// as a bare payload, so mutations reach the parsers without having to keep the envelope intact.
// Every outcome must be a value (a failure with errc::bad_response at worst), never a crash.

#include "fuzz_input.hpp"

#include "claude/messages.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace mcqgen;
using namespace mcqgen::detail;
using namespace mcqgen::detail::claude;

const std::vector<JudgeItem>& judge_items() {
    static const std::vector<JudgeItem> items = [] {
        std::vector<JudgeItem> list;
        for (int id = 1; id <= 3; ++id) {
            JudgeItem item;
            item.id = id;
            item.stem = "Which year is meant?";
            item.options = {"1947", "1950", "  the  Year 1935 ", "1919"};
            list.push_back(item);
        }
        return list;
    }();
    return items;
}

void check_candidates(const boost::json::value& data) {
    const auto result = parse_candidates(data);
    if (result.failure) {
        FUZZ_CHECK(result.failure.code == errc::bad_response);
        FUZZ_CHECK(result.candidates.empty());
        return;
    }
    for (const auto& c : result.candidates) {
        FUZZ_CHECK(c.answer_index >= -1 && c.answer_index <= 64);
        FUZZ_CHECK(c.style == "claude");
    }
    for (const auto& [why, count] : result.rejected) {
        FUZZ_CHECK(why == "schema");
        FUZZ_CHECK(count > 0);
    }
}

void check_verdicts(const boost::json::value& data) {
    const auto result = parse_verdicts(data, judge_items());
    if (result.failure) {
        FUZZ_CHECK(result.failure.code == errc::bad_response);
        return;
    }
    for (const auto& v : result.verdicts) {
        FUZZ_CHECK(v.id >= 1 && v.id <= 3);
        FUZZ_CHECK(v.chosen >= -1 && v.chosen <= 3);
        FUZZ_CHECK(v.score >= 0 && v.score <= 1);
    }
}

void check_reply(const std::string& body, OutputMode mode, const char* tool, bool author) {
    const auto reply = decode_reply(body, mode, tool);
    FUZZ_CHECK(reply.usage.requests == 0);
    if (reply.failure) {
        FUZZ_CHECK(reply.failure.code == errc::bad_response);
        FUZZ_CHECK(!reply.failure.message.empty());
        return;
    }
    if (author)
        check_candidates(reply.data);
    else
        check_verdicts(reply.data);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    for (const auto mode : {OutputMode::json_schema, OutputMode::tool}) {
        check_reply(body, mode, author_tool, true);
        check_reply(body, mode, judge_tool, false);
    }
    boost::system::error_code ec;
    const auto payload = boost::json::parse(body, ec);
    if (!ec) {
        check_candidates(payload);
        check_verdicts(payload);
    }
    return 0;
}
