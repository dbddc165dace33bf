// The C ABI's entry points: thin wrappers that check arguments, call the C++ API and map errors.
#include "capi_internal.hpp"

#include <mcqgen/version.hpp>

#include <cstdlib>
#include <cstring>
#include <limits>

static_assert(MCQGEN_C_VERSION_MAJOR == MCQGEN_VERSION_MAJOR &&
                  MCQGEN_C_VERSION_MINOR == MCQGEN_VERSION_MINOR &&
                  MCQGEN_C_VERSION_PATCH == MCQGEN_VERSION_PATCH,
              "mcqgen.h's version macros must match the project version");
static_assert(MCQGEN_ABI_VERSION == MCQGEN_VERSION_MAJOR, "the ABI version is the SOVERSION");

namespace mcqgen::capi {
namespace {

template <class T> T& require_handle(T* handle, const char* what) {
    if (handle == nullptr) throw Error(errc::invalid_argument, std::string(what) + " is NULL");
    return *handle;
}

void check_result_version(const mcqgen_run_result* out) {
    require(out == nullptr || out->version == MCQGEN_RUN_RESULT_VERSION,
            "mcqgen_run_result.version must be MCQGEN_RUN_RESULT_VERSION (use "
            "MCQGEN_RUN_RESULT_INIT)");
}

// Copies `text` into a fixed buffer, cutting it at a UTF-8 character boundary.
template <std::size_t N> void copy_text(char (&buffer)[N], std::string_view text) {
    std::size_t length = std::min(text.size(), N - 1);
    if (length < text.size())
        while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80)
            --length;
    std::memcpy(buffer, text.data(), length);
    buffer[length] = '\0';
}

void fill_result(mcqgen_run_result* out, const Test& test) {
    if (out == nullptr) return;
    out->status = test_status_to_c(test.status);
    out->created = test.questions_generated;
    out->target = test.target_questions;
    out->error = to_status(test.error);
    copy_text(out->test_id, test.id);
    copy_text(out->message, test.message);
}

// After a failed call: no test record, the call's status and message.
void fill_failure(mcqgen_run_result* out, mcqgen_status status, const char* message) noexcept {
    if (out == nullptr || out->version != MCQGEN_RUN_RESULT_VERSION) return;
    out->status = MCQGEN_TEST_NONE;
    out->created = 0;
    out->target = 0;
    out->error = status;
    out->test_id[0] = '\0';
    copy_text(out->message, message);
}

Document make_document(const char* text, size_t length) {
    require(text != nullptr, "document is NULL");
    if (length == MCQGEN_NUL_TERMINATED) length = std::strlen(text);
    return Document::from_bytes(std::string_view(text, length));
}

// The caller's run options (NULL only where `optional`), checked.
mcqgen_run_options run_options(const mcqgen_run_options* options, bool optional) {
    mcqgen_run_options copy{};
    copy.version = MCQGEN_RUN_OPTIONS_VERSION;
    if (options == nullptr) {
        require(optional, "options is NULL; it holds the question count");
        return copy;
    }
    require(options->version == MCQGEN_RUN_OPTIONS_VERSION,
            "options->version must be MCQGEN_RUN_OPTIONS_VERSION (use MCQGEN_RUN_OPTIONS_INIT "
            "or mcqgen_run_options_init)");
    return *options;
}

std::shared_ptr<RunContext> make_context(mcqgen_generator& gen, mcqgen_storage& storage,
                                         const mcqgen_run_options& options) {
    auto context = std::make_shared<RunContext>();
    context->generator = gen.shared_from_this();
    context->storage = storage.shared_from_this();
    context->on_progress = options.on_progress;
    context->user_data = options.user_data;
    return context;
}

ProgressCallback progress_callback(const std::shared_ptr<RunContext>& context) {
    return [context](const Progress& progress) { context->report(progress); };
}

// A blocking run: `body(generator, storage, on_progress)` returns the test.
template <class Body>
mcqgen_status run_blocking(mcqgen_run_result* out, mcqgen_generator* gen, mcqgen_storage* storage,
                           const mcqgen_run_options* options, bool optional, Body body) {
    // The handle may be destroyed on another thread while this call runs (that cancels it):
    // keep it alive until the call has recorded its outcome.
    const auto keep = gen ? gen->weak_from_this().lock() : nullptr;
    const auto status = guard(gen ? &gen->error : nullptr, [&] {
        check_result_version(out);
        auto& g = require_handle(gen, "gen");
        auto& s = require_handle(storage, "storage");
        const auto run = run_options(options, optional);
        const auto context = make_context(g, s, run);
        const Test test = body(g.generator, *s.storage, run, progress_callback(context));
        if (context->bridge_failure) std::rethrow_exception(context->bridge_failure);
        fill_result(out, test);
    });
    if (status != MCQGEN_OK) fill_failure(out, status, mcqgen_last_error());
    return status;
}

// An asynchronous run: `start(generator, storage, options, on_progress, on_done)` returns the
// Job.
template <class Start>
mcqgen_status start_job(mcqgen_job** out, mcqgen_generator* gen, mcqgen_storage* storage,
                        const mcqgen_run_options* options, bool optional, Start start) {
    if (out != nullptr) *out = nullptr;
    return guard(gen ? &gen->error : nullptr, [&] {
        require(out != nullptr, "out is NULL");
        auto& g = require_handle(gen, "gen");
        auto& s = require_handle(storage, "storage");
        const auto run = run_options(options, optional);
        auto job = std::make_shared<mcqgen_job>();
        job->error.set_secret(g.generator.config().http.api_key);
        job->context = make_context(g, s, run);
        // The completion callback runs on the job's thread and holds the context, so the
        // generator and storage outlive the run whatever the caller destroys.
        auto on_done = [context = job->context](const Test*, std::exception_ptr) {};
        job->attach(start(g.generator, *s.storage, run, progress_callback(job->context),
                          std::move(on_done)));
        *out = hand_out(std::move(job));
    });
}

const char* handle_error(const ErrorText* error, const char* what_is_null) noexcept {
    return error ? error->c_str() : what_is_null;
}

Test find_test(Storage& storage, const char* test_id) {
    return storage.test(checked_text(test_id, "test_id"));
}

// Reads something from a storage as JSON into `*json_out`.
template <class Read> mcqgen_status read_json(mcqgen_storage* storage, char** json_out, Read read) {
    if (json_out != nullptr) *json_out = nullptr;
    return guard(storage ? &storage->error : nullptr, [&] {
        require(json_out != nullptr, "json_out is NULL");
        auto& s = require_handle(storage, "storage");
        *json_out = to_owned_c_string(read(*s.storage));
    });
}

} // namespace
} // namespace mcqgen::capi

using namespace mcqgen::capi;
using mcqgen::Test;

extern "C" {

// ---- Versions, statuses, memory -------------------------------------------------------------

const char* mcqgen_version(void) {
    return MCQGEN_VERSION_STRING;
}

int32_t mcqgen_abi_version(void) {
    return MCQGEN_ABI_VERSION;
}

const char* mcqgen_status_string(mcqgen_status status) {
    // A C caller may pass any int: read its bits rather than the enum (a value outside the
    // enumerators' range is undefined as a C++ enum), and negate in 64 bits (-INT32_MIN).
    static_assert(sizeof(status) == sizeof(std::int32_t));
    std::int32_t raw = 0;
    std::memcpy(&raw, &status, sizeof raw);
    if (raw == MCQGEN_E_NOMEM) return "out_of_memory";
    const auto value = -static_cast<std::int64_t>(raw);
    const auto code =
        value <= mcqgen::errc_count ? mcqgen::errc_from_int(static_cast<int>(value)) : std::nullopt;
    // The names of the errc table are string literals: NUL-terminated, static.
    return code ? mcqgen::to_string(*code).data() : "unknown";
}

const char* mcqgen_test_status_string(int32_t test_status) {
    switch (test_status) {
    case MCQGEN_TEST_NONE:
        return "none";
    case MCQGEN_TEST_GENERATING:
        return "generating";
    case MCQGEN_TEST_COMPLETED:
        return "completed";
    case MCQGEN_TEST_PARTIAL:
        return "partial";
    case MCQGEN_TEST_FAILED:
        return "failed";
    default:
        return "unknown";
    }
}

const char* mcqgen_last_error(void) {
    return thread_error().c_str();
}

void mcqgen_free(void* p) {
    std::free(p);
}

size_t mcqgen_progress_size(void) {
    return sizeof(mcqgen_progress);
}

size_t mcqgen_run_result_size(void) {
    return sizeof(mcqgen_run_result);
}

size_t mcqgen_run_options_size(void) {
    return sizeof(mcqgen_run_options);
}

mcqgen_status mcqgen_run_options_init(mcqgen_run_options* options, uint32_t version) {
    return guard(nullptr, [&] {
        require(options != nullptr, "options is NULL");
        require(version == MCQGEN_RUN_OPTIONS_VERSION,
                "version must be MCQGEN_RUN_OPTIONS_VERSION");
        *options = mcqgen_run_options{};
        options->version = MCQGEN_RUN_OPTIONS_VERSION;
    });
}

// ---- Generators -----------------------------------------------------------------------------

mcqgen_status mcqgen_generator_create(mcqgen_generator** out, const mcqgen_config* config) {
    if (out != nullptr) *out = nullptr;
    return guard(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        *out = hand_out(std::make_shared<mcqgen_generator>(import_config(config)));
    });
}

void mcqgen_generator_destroy(mcqgen_generator* gen) {
    if (gen == nullptr) return;
    gen->generator.cancel();
    release(gen);
}

mcqgen_status mcqgen_generator_cancel(mcqgen_generator* gen) {
    return guard(nullptr, [&] { require_handle(gen, "gen").generator.cancel(); });
}

const char* mcqgen_generator_last_error(const mcqgen_generator* gen) {
    return handle_error(gen ? &gen->error : nullptr, "gen is NULL");
}

// ---- Storages -------------------------------------------------------------------------------

mcqgen_status mcqgen_storage_open_sqlite(mcqgen_storage** out, const char* path) {
    if (out != nullptr) *out = nullptr;
    return guard(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        const auto checked = checked_text(path, "path");
        require(!checked.empty(), "path is empty");
        const std::filesystem::path file(std::u8string(checked.begin(), checked.end()));
        *out = hand_out(
            std::make_shared<mcqgen_storage>(std::make_unique<mcqgen::SqliteStorage>(file)));
    });
}

mcqgen_status mcqgen_storage_create_memory(mcqgen_storage** out) {
    if (out != nullptr) *out = nullptr;
    return guard(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        *out =
            hand_out(std::make_shared<mcqgen_storage>(std::make_unique<mcqgen::MemoryStorage>()));
    });
}

void mcqgen_storage_destroy(mcqgen_storage* storage) {
    if (storage != nullptr) release(storage);
}

const char* mcqgen_storage_last_error(const mcqgen_storage* storage) {
    return handle_error(storage ? &storage->error : nullptr, "storage is NULL");
}

// ---- Blocking runs --------------------------------------------------------------------------

mcqgen_status mcqgen_generate(mcqgen_run_result* out, mcqgen_generator* gen, const char* document,
                              size_t len, mcqgen_storage* storage,
                              const mcqgen_run_options* options) {
    return run_blocking(out, gen, storage, options, false,
                        [&](mcqgen::Generator& g, mcqgen::Storage& s, const mcqgen_run_options& run,
                            const mcqgen::ProgressCallback& progress) {
                            const auto doc = make_document(document, len);
                            return g.generate(doc, run.count, s, progress);
                        });
}

mcqgen_status mcqgen_resume(mcqgen_run_result* out, mcqgen_generator* gen, const char* test_id,
                            mcqgen_storage* storage, const mcqgen_run_options* options) {
    return run_blocking(out, gen, storage, options, true,
                        [&](mcqgen::Generator& g, mcqgen::Storage& s, const mcqgen_run_options&,
                            const mcqgen::ProgressCallback& progress) {
                            return g.resume(checked_text(test_id, "test_id"), s, progress);
                        });
}

// ---- Jobs -----------------------------------------------------------------------------------

mcqgen_status mcqgen_generate_start(mcqgen_job** out, mcqgen_generator* gen, const char* document,
                                    size_t len, mcqgen_storage* storage,
                                    const mcqgen_run_options* options) {
    return start_job(out, gen, storage, options, false,
                     [&](mcqgen::Generator& g, mcqgen::Storage& s, const mcqgen_run_options& run,
                         mcqgen::ProgressCallback progress, mcqgen::CompletionCallback done) {
                         return g.start(make_document(document, len), run.count, s,
                                        std::move(progress), std::move(done));
                     });
}

mcqgen_status mcqgen_resume_start(mcqgen_job** out, mcqgen_generator* gen, const char* test_id,
                                  mcqgen_storage* storage, const mcqgen_run_options* options) {
    return start_job(out, gen, storage, options, true,
                     [&](mcqgen::Generator& g, mcqgen::Storage& s, const mcqgen_run_options&,
                         mcqgen::ProgressCallback progress, mcqgen::CompletionCallback done) {
                         std::string id(checked_text(test_id, "test_id"));
                         return g.start_resume(std::move(id), s, std::move(progress),
                                               std::move(done));
                     });
}

mcqgen_status mcqgen_job_wait(mcqgen_job* job, int64_t timeout_ms) {
    const auto keep = job ? job->weak_from_this().lock() : nullptr;
    mcqgen_status status = MCQGEN_OK;
    // Any thread may wait, so only the thread's last error is written, never the handle's.
    const auto guarded = guard(nullptr, [&] {
        auto& j = require_handle(job, "job");
        if (j.context->in_callback())
            throw mcqgen::Error(mcqgen::errc::busy,
                                "a job cannot be waited for from its own callback");
        // Beyond ~30 years the deadline arithmetic would overflow: treat it as "no limit".
        constexpr int64_t no_limit = int64_t{1} << 40;
        if (timeout_ms < 0 || timeout_ms > no_limit)
            j.job.wait();
        else if (!j.job.wait_for(std::chrono::milliseconds(timeout_ms)))
            status = MCQGEN_E_TIMEOUT;
    });
    return guarded != MCQGEN_OK ? guarded : status;
}

mcqgen_status mcqgen_job_cancel(mcqgen_job* job) {
    return guard(nullptr, [&] { require_handle(job, "job").cancel(); });
}

mcqgen_status mcqgen_job_result(mcqgen_run_result* out, mcqgen_job* job) {
    const auto keep = job ? job->weak_from_this().lock() : nullptr;
    const auto status = guard(job ? &job->error : nullptr, [&] {
        check_result_version(out);
        auto& j = require_handle(job, "job");
        if (j.context->in_callback())
            throw mcqgen::Error(mcqgen::errc::busy,
                                "a job's result cannot be read from its own callback");
        const Test test = j.job.get();
        if (j.context->bridge_failure) std::rethrow_exception(j.context->bridge_failure);
        fill_result(out, test);
    });
    if (status != MCQGEN_OK) fill_failure(out, status, mcqgen_last_error());
    return status;
}

const char* mcqgen_job_last_error(const mcqgen_job* job) {
    return handle_error(job ? &job->error : nullptr, "job is NULL");
}

void mcqgen_job_destroy(mcqgen_job* job) {
    if (job == nullptr) return;
    job->cancel();
    // mcqgen::Job's destructor waits for the run (except on the run's own thread).
    if (!job->context->in_callback()) job->job.wait();
    release(job);
}

// ---- Reading back ---------------------------------------------------------------------------

mcqgen_status mcqgen_storage_test_json(char** json_out, mcqgen_storage* storage,
                                       const char* test_id) {
    return read_json(storage, json_out,
                     [&](mcqgen::Storage& s) { return mcqgen::to_json(find_test(s, test_id)); });
}

mcqgen_status mcqgen_storage_questions_json(char** json_out, mcqgen_storage* storage,
                                            const char* test_id) {
    return read_json(storage, json_out, [&](mcqgen::Storage& s) {
        return mcqgen::to_json(s.questions(find_test(s, test_id).id));
    });
}

mcqgen_status mcqgen_storage_show_json(char** json_out, mcqgen_storage* storage,
                                       const char* test_id) {
    return read_json(storage, json_out, [&](mcqgen::Storage& s) {
        const Test test = find_test(s, test_id);
        return mcqgen::to_json(test, s.questions(test.id));
    });
}

mcqgen_status mcqgen_storage_list_json(char** json_out, mcqgen_storage* storage) {
    return read_json(storage, json_out,
                     [](mcqgen::Storage& s) { return mcqgen::to_json(s.tests()); });
}

} // extern "C"
