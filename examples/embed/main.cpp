// embed — mcqgen inside an application that runs its own Boost.Asio io_context.
//
//   mcqgen-example-embed FILE
//
// The application keeps doing its own work (a timer ticking every 50 ms) while
// Generator::start runs generations on a thread of their own. Progress and completion
// callbacks run on that thread; they hand their results to the application with
// boost::asio::post, so all application state is touched on the io_context's thread only.
//
// Two runs: the first makes 5 questions; the second is cancelled with Job::cancel right after
// its first question. Exit code 0 when both behave as described, 1 otherwise.

#include <mcqgen/mcqgen.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// The application's own periodic work.
class Ticker {
  public:
    explicit Ticker(asio::io_context& io) : timer_(io) {}

    void start() { schedule(); }
    void stop() {
        stopped_ = true;
        timer_.cancel();
    }
    int ticks() const { return ticks_; }
    // Called on the io_context's thread on the next tick.
    void on_next_tick(std::function<void()> action) { next_tick_ = std::move(action); }

  private:
    void schedule() {
        timer_.expires_after(50ms);
        timer_.async_wait([this](boost::system::error_code error) {
            if (error || stopped_) return;
            ++ticks_;
            if (auto action = std::exchange(next_tick_, nullptr)) action();
            schedule();
        });
    }

    asio::steady_timer timer_;
    std::function<void()> next_tick_;
    int ticks_ = 0;
    bool stopped_ = false;
};

// What a run ended with, as delivered to the io_context.
struct Outcome {
    std::optional<mcqgen::Test> test;
    std::string error;
};

// A completion callback that posts the outcome into the io_context, where `handle` runs.
mcqgen::CompletionCallback post_outcome(asio::io_context& io, std::function<void(Outcome)> handle) {
    return [&io, handle = std::move(handle)](const mcqgen::Test* test, std::exception_ptr error) {
        Outcome outcome;
        if (test) outcome.test = *test;
        try {
            if (error) std::rethrow_exception(error);
        } catch (const std::exception& e) {
            outcome.error = e.what();
        }
        asio::post(io, [handle, outcome = std::move(outcome)] { handle(outcome); });
    };
}

class Application {
  public:
    Application(asio::io_context& io, mcqgen::Document document)
        : io_(io), work_(asio::make_work_guard(io)), ticker_(io), document_(std::move(document)) {}

    // The application is up and ticking; generation starts on its first tick.
    void start() {
        ticker_.start();
        ticker_.on_next_tick([this] { start_first(); });
    }

    int exit_code() const { return ok_ ? 0 : 1; }

  private:
    void start_first() {
        // Progress arrives on the job's thread: print it from the io_context's thread instead.
        first_job_ = generator_.start(
            document_, 5, storage_,
            [this](const mcqgen::Progress& p) {
                if (p.question)
                    asio::post(io_, [message = std::string(p.message)] {
                        std::cout << "run 1: " << message << '\n';
                    });
            },
            post_outcome(io_, [this](Outcome outcome) { on_first_done(std::move(outcome)); }));
    }

    void on_first_done(Outcome outcome) {
        report("run 1", outcome);
        ok_ = outcome.test && outcome.test->status == mcqgen::Status::completed;
        // One run at a time per Generator: the first has ended, so start the second on the
        // application's next tick — the timer kept running throughout.
        ticker_.on_next_tick([this] { start_second(); });
    }

    void start_second() {
        second_job_ = generator_.start(
            document_, 10, storage_,
            [this](const mcqgen::Progress& p) {
                if (!p.question || p.created != 1) return;
                // Ask the application to cancel, and wait until it has, so the demonstration
                // does not race the run to its end.
                std::promise<void> cancelled;
                asio::post(io_, [this, &cancelled] {
                    std::cout << "run 2: "
                              << "1 question stored, cancelling\n";
                    second_job_->cancel();
                    cancelled.set_value();
                });
                cancelled.get_future().wait();
            },
            post_outcome(io_, [this](Outcome outcome) { on_second_done(std::move(outcome)); }));
    }

    void on_second_done(Outcome outcome) {
        report("run 2", outcome);
        ok_ = ok_ && outcome.test && outcome.test->error == mcqgen::errc::cancelled &&
              outcome.test->questions_generated < 10;
        std::cout << "the application's timer ticked " << ticker_.ticks()
                  << " times, undisturbed by the runs\n";
        ticker_.stop();
        work_.reset(); // io.run() returns once nothing is left to do
    }

    static void report(const char* name, const Outcome& outcome) {
        if (!outcome.test) {
            std::cout << name << " failed: " << outcome.error << '\n';
            return;
        }
        std::cout << name << " ended " << mcqgen::to_string(outcome.test->status) << ": "
                  << outcome.test->message << '\n';
    }

    asio::io_context& io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    Ticker ticker_;
    mcqgen::Document document_;
    mcqgen::MemoryStorage storage_;
    mcqgen::Generator generator_{mcqgen::Config::from_env()};
    // Jobs are declared last: destroying a Job waits for its run, which uses the members above.
    std::optional<mcqgen::Job> first_job_;
    std::optional<mcqgen::Job> second_job_;
    bool ok_ = false;
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " FILE\n";
        return 2;
    }
    try {
        asio::io_context io;
        Application app(io, mcqgen::Document::from_file(argv[1]));
        app.start();
        io.run();
        return app.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "mcqgen-example-embed: " << e.what() << '\n';
        return 1;
    }
}
