// Error recording, the generator's run slot, jobs and the progress bridge of the C ABI.
#include "capi_internal.hpp"

#include "core/text.hpp"

#include <cstdlib>
#include <cstring>

namespace mcqgen::capi {

// ---- Errors ---------------------------------------------------------------------------------

void ErrorText::set(std::string_view prefix, std::string_view message) noexcept {
    try {
        text_.assign(prefix).append(message);
        // Defence in depth: no message may carry the key, whatever produced it.
        detail::redact(text_, secret_);
        lost_ = false;
    } catch (...) {
        text_.clear();
        lost_ = true;
    }
}

void ErrorText::clear() noexcept {
    text_.clear();
    lost_ = false;
}

const char* ErrorText::c_str() const noexcept {
    return lost_ ? "out of memory while recording an error" : text_.c_str();
}

ErrorText& thread_error() noexcept {
    thread_local ErrorText text;
    return text;
}

mcqgen_status to_status(errc code) noexcept {
    const auto known = errc_from_int(static_cast<int>(code));
    return known ? static_cast<mcqgen_status>(-static_cast<int>(*known)) : MCQGEN_E_INTERNAL;
}

mcqgen_status record_failure(ErrorText* slot, mcqgen_status status, std::string_view prefix,
                             std::string_view message) noexcept {
    if (slot) {
        slot->set(prefix, message);
        thread_error().set({}, slot->c_str());
    } else {
        thread_error().set(prefix, message);
    }
    return status;
}

void require(bool condition, const char* message) {
    if (!condition) throw Error(errc::invalid_argument, message);
}

std::string_view checked_text(const char* text, const char* what) {
    if (text == nullptr) throw Error(errc::invalid_argument, std::string(what) + " is NULL");
    const std::string_view view(text);
    if (!is_valid_utf8(view))
        throw Error(errc::invalid_argument, std::string(what) + " is not valid UTF-8");
    return view;
}

char* to_owned_c_string(const std::string& text) {
    auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, text.c_str(), text.size() + 1);
    return copy;
}

// ---- The progress bridge --------------------------------------------------------------------

namespace {

thread_local const RunContext* current_callback = nullptr;

} // namespace

int32_t test_status_to_c(Status status) noexcept {
    switch (status) {
    case Status::generating:
        return MCQGEN_TEST_GENERATING;
    case Status::completed:
        return MCQGEN_TEST_COMPLETED;
    case Status::partial:
        return MCQGEN_TEST_PARTIAL;
    case Status::failed:
        return MCQGEN_TEST_FAILED;
    }
    return MCQGEN_TEST_NONE;
}

namespace {

// Marks the thread as inside this run's callback, so calls that would wait for the run
// itself can refuse instead of deadlocking.
class CallbackScope {
  public:
    explicit CallbackScope(const RunContext* run) : previous_(current_callback) {
        current_callback = run;
    }
    ~CallbackScope() { current_callback = previous_; }
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;

  private:
    const RunContext* previous_;
};

} // namespace

void RunContext::report(const Progress& progress) noexcept {
    if (on_progress == nullptr) return;
    try {
        // The C struct needs NUL-terminated strings; the event's views are not.
        const std::string test_id(progress.test_id);
        const std::string message(progress.message);
        const std::string question = progress.question ? to_json(*progress.question) : "";
        mcqgen_progress event{};
        event.version = MCQGEN_PROGRESS_VERSION;
        event.created = progress.created;
        event.target = progress.target;
        event.status = test_status_to_c(progress.status);
        event.fraction = progress.fraction;
        event.test_id = test_id.c_str();
        event.message = message.c_str();
        event.question_json = progress.question ? question.c_str() : nullptr;
        const CallbackScope scope(this);
        if (on_progress(&event, user_data) != 0) generator->generator.cancel();
    } catch (...) {
        if (!bridge_failure) bridge_failure = std::current_exception();
        generator->generator.cancel();
    }
}

bool RunContext::in_callback() const noexcept {
    return current_callback == this;
}

} // namespace mcqgen::capi

// ---- Handles --------------------------------------------------------------------------------

mcqgen_generator::mcqgen_generator(mcqgen::Config config) : generator(std::move(config)) {
    error.set_secret(generator.config().http.api_key);
}

void mcqgen_job::attach(mcqgen::Job started) {
    std::lock_guard lock(mutex_);
    job = std::move(started);
    attached_ = true;
    if (cancel_requested_) job.cancel();
}

void mcqgen_job::cancel() noexcept {
    std::lock_guard lock(mutex_);
    cancel_requested_ = true;
    if (attached_) job.cancel();
}
