// Fuzz target: the C ABI's string inputs. Arbitrary bytes become a document (with an explicit
// length, and NUL-terminated), a count, test ids and configuration strings; every call must
// answer with a status (MCQGEN_OK or the documented error), never crash, and every string it
// hands back must be NUL-terminated, within bounds, and freeable with mcqgen_free.
//
// Input layout (fields separated by 0x1F): count byte, flags byte, test id, model, base URL,
// then the document (the rest). Generation is offline only: nothing here opens a socket.

#include "fuzz_input.hpp"

#include <mcqgen/mcqgen.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace {

bool one_of(mcqgen_status s, std::initializer_list<mcqgen_status> allowed) {
    for (auto a : allowed)
        if (s == a) return true;
    return false;
}

mcqgen_generator* offline_generator() {
    static mcqgen_generator* gen = [] {
        mcqgen_config cfg{};
        mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION);
        cfg.offline = 1;
        cfg.seed = 7;
        cfg.max_questions = 5;
        mcqgen_generator* g = nullptr;
        FUZZ_CHECK(mcqgen_generator_create(&g, &cfg) == MCQGEN_OK);
        return g;
    }();
    return gen;
}

int progress(const mcqgen_progress* p, void* cancel_at) {
    FUZZ_CHECK(p != nullptr && p->test_id != nullptr && p->message != nullptr);
    FUZZ_CHECK(p->created >= 0 && p->created <= p->target);
    return p->created >= *static_cast<int*>(cancel_at);
}

void read_back(mcqgen_storage* storage, const char* test_id, bool exists) {
    using Fn = mcqgen_status (*)(char**, mcqgen_storage*, const char*);
    for (Fn fn : {Fn(&mcqgen_storage_test_json), Fn(&mcqgen_storage_questions_json),
                  Fn(&mcqgen_storage_show_json)}) {
        char* json = reinterpret_cast<char*>(&json);
        const auto s = fn(&json, storage, test_id);
        if (exists)
            FUZZ_CHECK(s == MCQGEN_OK);
        else
            FUZZ_CHECK(one_of(s, {MCQGEN_E_NOT_FOUND, MCQGEN_E_INVALID_ARGUMENT}));
        FUZZ_CHECK((s == MCQGEN_OK) == (json != nullptr));
        if (json) FUZZ_CHECK(std::strlen(json) > 1);
        mcqgen_free(json);
    }
}

void check_result(const mcqgen_run_result& r) {
    FUZZ_CHECK(std::memchr(r.test_id, '\0', sizeof r.test_id) != nullptr);
    FUZZ_CHECK(std::memchr(r.message, '\0', sizeof r.message) != nullptr);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const int count = static_cast<int>(in.byte() % 9) - 2; // -2..6 around 1..max_questions 5
    const std::uint8_t flags = in.byte();
    const std::string test_id = in.field();
    const std::string model = in.field();
    const std::string base_url = in.field();
    const std::string document(in.rest());

    // Configuration strings: accepted or refused, and copied (the buffers die right after).
    {
        mcqgen_config cfg{};
        mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION);
        cfg.model = model.c_str();
        cfg.base_url = base_url.c_str();
        cfg.api_key = (flags & 1) ? "fuzz-secret-key" : nullptr;
        cfg.offline = 1;
        mcqgen_generator* gen = nullptr;
        const auto s = mcqgen_generator_create(&gen, &cfg);
        FUZZ_CHECK(one_of(s, {MCQGEN_OK, MCQGEN_E_INVALID_ARGUMENT}));
        FUZZ_CHECK((s == MCQGEN_OK) == (gen != nullptr));
        if (s != MCQGEN_OK) FUZZ_CHECK(std::strstr(mcqgen_last_error(), "fuzz-secret") == nullptr);
        if (s == MCQGEN_OK) {
            // What was accepted is what the generator reports, as its own copy.
            mcqgen_config effective{};
            FUZZ_CHECK(mcqgen_generator_config(&effective, gen) == MCQGEN_OK);
            FUZZ_CHECK(effective.version == MCQGEN_CONFIG_VERSION);
            FUZZ_CHECK(effective.model != nullptr && effective.model != model.c_str() &&
                       std::strcmp(effective.model, model.c_str()) == 0);
            FUZZ_CHECK(effective.base_url != nullptr &&
                       std::strcmp(effective.base_url, base_url.c_str()) == 0);
        }
        mcqgen_generator_destroy(gen);
    }

    mcqgen_storage* storage = nullptr;
    FUZZ_CHECK(mcqgen_storage_create_memory(&storage) == MCQGEN_OK);
    mcqgen_generator* gen = offline_generator();

    // The document, by length and (when it has no NUL) NUL-terminated; small ones only.
    if (document.size() <= 4096) {
        int cancel_at = (flags >> 1) & 7;
        if (cancel_at == 0) cancel_at = 1000;
        const bool terminated = (flags & 0x10) && document.find('\0') == std::string::npos;
        mcqgen_run_options options{};
        FUZZ_CHECK(mcqgen_run_options_init(&options, MCQGEN_RUN_OPTIONS_VERSION) == MCQGEN_OK);
        options.count = count;
        options.on_progress = (flags & 0x20) ? &progress : nullptr;
        options.user_data = &cancel_at;
        mcqgen_run_result r{};
        r.version = MCQGEN_RUN_RESULT_VERSION;
        const auto s = mcqgen_generate(&r, gen, document.c_str(),
                                       terminated ? MCQGEN_NUL_TERMINATED : document.size(),
                                       storage, &options);
        FUZZ_CHECK(one_of(s, {MCQGEN_OK, MCQGEN_E_INVALID_ARGUMENT}));
        check_result(r);
        if (s == MCQGEN_OK) {
            FUZZ_CHECK(r.status == MCQGEN_TEST_COMPLETED || r.status == MCQGEN_TEST_PARTIAL ||
                       r.status == MCQGEN_TEST_FAILED);
            FUZZ_CHECK(r.created >= 0 && r.created <= r.target && r.target == count);
            read_back(storage, r.test_id, true);
            mcqgen_run_result again{};
            again.version = MCQGEN_RUN_RESULT_VERSION;
            FUZZ_CHECK(mcqgen_resume(&again, gen, r.test_id, storage, nullptr) == MCQGEN_OK);
            check_result(again);
        } else {
            FUZZ_CHECK(r.status == MCQGEN_TEST_NONE && r.test_id[0] == '\0');
        }
    }

    // Test ids that name nothing.
    if (test_id.find('\0') == std::string::npos) {
        mcqgen_run_result r{};
        r.version = MCQGEN_RUN_RESULT_VERSION;
        const auto s = mcqgen_resume(&r, gen, test_id.c_str(), storage, nullptr);
        FUZZ_CHECK(one_of(s, {MCQGEN_E_NOT_FOUND, MCQGEN_E_INVALID_ARGUMENT}));
        check_result(r);
        read_back(storage, test_id.c_str(), false);
    }
    char* json = nullptr;
    FUZZ_CHECK(mcqgen_storage_list_json(&json, storage) == MCQGEN_OK && json != nullptr);
    mcqgen_free(json);
    mcqgen_storage_destroy(storage);
    return 0;
}
