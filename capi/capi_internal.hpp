#pragma once
// Internals of the C ABI: handle structs, error recording and the exception guard.
//
// Every handle is owned through a std::shared_ptr. The caller's reference is `caller_ref`,
// dropped by ..._destroy; a run in flight holds its own references to the generator and the
// storage it uses, so handles can be destroyed in any order (sqlite3_close_v2's "zombie" rule).

#include <mcqgen/mcqgen.h>
#include <mcqgen/mcqgen.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>

namespace mcqgen::capi {

/// The message of the last failure recorded on a handle (or a thread). Recording never throws:
/// when even the message cannot be stored, a fixed text stands in.
class ErrorText {
  public:
    /// Text that must never appear in a message (the API key).
    void set_secret(std::string secret) { secret_ = std::move(secret); }
    void set(std::string_view prefix, std::string_view message) noexcept;
    void clear() noexcept;
    const char* c_str() const noexcept;

  private:
    std::string text_;
    std::string secret_;
    bool lost_ = false;
};

/// The calling thread's last error (mcqgen_last_error).
ErrorText& thread_error() noexcept;

mcqgen_status to_status(errc code) noexcept;
int32_t test_status_to_c(Status status) noexcept;

/// Records a failure in `slot` (if any) and in the thread's last error; returns `status`.
mcqgen_status record_failure(ErrorText* slot, mcqgen_status status, std::string_view prefix,
                             std::string_view message) noexcept;

/// Runs `body`, turning every exception into a status and a recorded message. On success the
/// slot's message is cleared. Nothing escapes: this is the C boundary.
template <class Body> mcqgen_status guard(ErrorText* slot, Body&& body) noexcept {
    try {
        body();
        if (slot) slot->clear();
        return MCQGEN_OK;
    } catch (const Error& e) {
        return record_failure(slot, to_status(e.code_value()), {}, e.message());
    } catch (const std::bad_alloc&) {
        return record_failure(slot, MCQGEN_E_NOMEM, {}, "out of memory");
    } catch (const std::exception& e) {
        return record_failure(slot, MCQGEN_E_INTERNAL, "internal error: ", e.what());
    } catch (...) {
        return record_failure(slot, MCQGEN_E_INTERNAL, {}, "internal error: unknown exception");
    }
}

/// Throws Error(invalid_argument) unless `condition` holds.
void require(bool condition, const char* message);

/// A caller's NUL-terminated UTF-8 string, checked.
std::string_view checked_text(const char* text, const char* what);

/// The C++ config for a C one; NULL: Config::from_env(). Validated.
Config import_config(const mcqgen_config* config);
/// The C++ config for the fields of a C one (its version already checked). Validated.
Config import_fields(const mcqgen_config& config);
/// Every field of `from` into `to`; its strings point into `from`.
void export_config(const Config& from, mcqgen_config& to);

/// A copy of `text` allocated for the caller, freed with mcqgen_free.
char* to_owned_c_string(const std::string& text);

/// Shared ownership for a handle type: the caller's reference lives in `caller_ref`.
template <class Self> struct Handle : std::enable_shared_from_this<Self> {
    ErrorText error;
    std::shared_ptr<Self> caller_ref;
};

template <class T> T* hand_out(std::shared_ptr<T> handle) {
    handle->caller_ref = handle;
    return handle.get();
}

/// Drops the caller's reference; the object lives on while a run still holds one.
template <class T> void release(T* handle) noexcept {
    const auto last = std::move(handle->caller_ref);
}

} // namespace mcqgen::capi

struct mcqgen_storage : mcqgen::capi::Handle<mcqgen_storage> {
    explicit mcqgen_storage(std::unique_ptr<mcqgen::Storage> s) : storage(std::move(s)) {}
    std::unique_ptr<mcqgen::Storage> storage;
};

struct mcqgen_generator : mcqgen::capi::Handle<mcqgen_generator> {
    explicit mcqgen_generator(mcqgen::Config config);

    /// One run at a time, cancel from any thread: the Generator's own contracts.
    mcqgen::Generator generator;
};

namespace mcqgen::capi {

/// What one run needs while it runs; shared by the run's callbacks and the handle that started
/// it, so the generator and storage stay alive until the run's thread lets go.
struct RunContext {
    std::shared_ptr<mcqgen_generator> generator;
    std::shared_ptr<mcqgen_storage> storage;
    mcqgen_progress_fn on_progress = nullptr;
    void* user_data = nullptr;
    /// An exception from the bridge's own conversions (not the caller's code): the run is
    /// cancelled and this is reported once it has ended.
    std::exception_ptr bridge_failure;

    /// Converts the event and calls the C callback; never throws.
    void report(const Progress& progress) noexcept;
    /// True on the thread that is inside this run's callback right now.
    bool in_callback() const noexcept;
};

} // namespace mcqgen::capi

struct mcqgen_job : mcqgen::capi::Handle<mcqgen_job> {
    std::shared_ptr<mcqgen::capi::RunContext> context;
    mcqgen::Job job;

    /// Sets the running job once Generator::start returned it, applying an earlier cancel.
    void attach(mcqgen::Job started);
    void cancel() noexcept;

  private:
    std::mutex mutex_;
    bool attached_ = false;
    bool cancel_requested_ = false;
};
