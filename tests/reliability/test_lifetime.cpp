// Lifetimes: nothing a Job runs may outlive the Job. The README promises that destroying a Job
// "cancels the run and waits for it, so nothing outlives it"; an application relies on that
// when it destroys, right after its Jobs, what their callbacks captured, and when it returns
// from main (ASan's leak check saw OpenSSL's per-thread state of a job thread that was still
// running at exit: examples.embed_claude).

#include "reliability_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>

using namespace mcqgen;
using namespace std::chrono_literals;

namespace {

// Captured by a callback; its destructor is slow, as a real capture's may be (it closes a file,
// joins a worker...), and records when it has finished.
struct SlowCapture {
    std::atomic<bool>* finished;
    SlowCapture(std::atomic<bool>* f) : finished(f) {}
    SlowCapture(const SlowCapture& other) : finished(other.finished) {}
    ~SlowCapture() {
        if (!finished) return;
        std::this_thread::sleep_for(100ms); // the slow part, not synchronisation
        *finished = true;
    }
};

} // namespace

TEST_SUITE("reliability_lifetime") {
    // Regression: launch()'s thread used to hold the Job::State and the callbacks until after
    // finish() had woken the waiters, and Job::~Job only waited for finish(): the callbacks'
    // captures were destroyed, and the thread exited, after ~Job had returned.
    TEST_CASE("a Job's destructor returns only after its thread has let go of the callbacks") {
        for (bool with_completion : {true, false}) {
            CAPTURE(with_completion);
            std::atomic<bool> finished{false};
            MemoryStorage storage;
            Generator generator(test_support::offline_config());
            {
                auto capture = std::make_shared<SlowCapture>(&finished);
                CompletionCallback on_done;
                ProgressCallback on_progress;
                if (with_completion)
                    on_done = [capture](const Test*, std::exception_ptr) {};
                else
                    on_progress = [capture](const Progress&) {};
                capture.reset(); // the callback holds the only reference now
                Job job = generator.start(test_support::sample_document(), 2, storage,
                                          std::move(on_progress), std::move(on_done));
                job.wait();
            } // ~Job
            CHECK(finished.load());
        }
    }
}
