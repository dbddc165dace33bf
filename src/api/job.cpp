// Asynchronous runs: generate()/resume() on a thread of their own, with wait, cancel and result.
#include "api/generator_impl.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace mcqgen {

struct Job::State {
    std::stop_source stop;
    mutable std::mutex mutex;
    mutable std::condition_variable finished_cv;
    bool finished = false;
    std::optional<Test> test;
    std::exception_ptr error;
    std::thread thread;

    // The run's thread holds a reference too, so the last one may be dropped on that thread.
    ~State() {
        if (!thread.joinable()) return;
        if (thread.get_id() == std::this_thread::get_id())
            thread.detach();
        else
            thread.join();
    }

    void finish(std::optional<Test> result, std::exception_ptr failure) {
        std::lock_guard lock(mutex);
        test = std::move(result);
        error = failure;
        finished = true;
        finished_cv.notify_all();
    }
};

Job::Job(std::shared_ptr<State> state) : state_(std::move(state)) {}
Job::Job(Job&&) noexcept = default;

Job& Job::operator=(Job&& other) noexcept {
    if (this != &other) {
        Job discard(std::move(*this)); // cancels and joins the run this Job held
        state_ = std::move(other.state_);
    }
    return *this;
}

Job::~Job() {
    if (!state_) return;
    cancel();
    // Joining, not only waiting, means nothing the run's thread holds outlives the Job. Inside
    // its own completion callback the run cannot wait for itself.
    auto& thread = state_->thread;
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
}

bool Job::wait_for(std::chrono::milliseconds timeout) const {
    if (!state_) return true;
    std::unique_lock lock(state_->mutex);
    return state_->finished_cv.wait_for(lock, timeout, [&] { return state_->finished; });
}

void Job::wait() const {
    if (!state_) return;
    std::unique_lock lock(state_->mutex);
    state_->finished_cv.wait(lock, [&] { return state_->finished; });
}

bool Job::done() const {
    if (!state_) return true;
    std::lock_guard lock(state_->mutex);
    return state_->finished;
}

void Job::cancel() noexcept {
    if (state_) state_->stop.request_stop();
}

Test Job::get() const {
    if (!state_) throw Error(errc::invalid_argument, "the job holds no run");
    wait();
    std::lock_guard lock(state_->mutex);
    if (state_->error) std::rethrow_exception(state_->error);
    return *state_->test;
}

template <class Body> Job Generator::launch(Body body, CompletionCallback on_done) {
    auto state = std::make_shared<Job::State>();
    std::lock_guard lock(state->mutex); // the thread member is set before the run can finish
    state->thread =
        std::thread([self = state, body = std::move(body), on_done = std::move(on_done)]() mutable {
            std::optional<Test> test;
            std::exception_ptr error;
            {
                // The callbacks, their captures and the run's claim on the Generator die in this
                // scope, so the Generator is free again when on_done runs.
                auto run = std::move(body);
                try {
                    test = run(self->stop.get_token());
                } catch (...) {
                    error = std::current_exception();
                }
            }
            {
                auto done = std::move(on_done);
                if (done) {
                    try {
                        done(test ? &*test : nullptr, error);
                    } catch (...) {
                        if (!error) error = std::current_exception();
                    }
                }
            }
            self->finish(std::move(test), error);
        });
    return Job(std::move(state));
}

Job Generator::start(Document document, int count, Storage& storage, ProgressCallback on_progress,
                     CompletionCallback on_done) {
    // Checked here, on the caller's thread: a bad count or a busy Generator fails the call.
    impl().check_count(count);
    return launch(
        [impl = impl_, claim = Impl::Claim(*impl_), document = std::move(document), count, &storage,
         on_progress = std::move(on_progress)](std::stop_token stop) mutable {
            return impl->generate(document, count, storage, on_progress, stop, std::move(claim));
        },
        std::move(on_done));
}

Job Generator::start_resume(std::string test_id, Storage& storage, ProgressCallback on_progress,
                            CompletionCallback on_done) {
    return launch(
        [impl = impl_, claim = Impl::Claim(impl()), test_id = std::move(test_id), &storage,
         on_progress = std::move(on_progress)](std::stop_token stop) mutable {
            return impl->resume(test_id, storage, on_progress, stop, std::move(claim));
        },
        std::move(on_done));
}

} // namespace mcqgen
