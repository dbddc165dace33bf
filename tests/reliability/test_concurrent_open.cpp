// Concurrent openers: several processes that open one new database file at the same moment, as
// workers started together against a fresh path do. Each must end up with the finished schema
// and its own test stored; none may fail with "table tests already exists" or a busy error
// because another one was creating the schema at the same time.

#include "reliability_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <memory>

using namespace mcqgen;
using reliability::Child;

namespace {

constexpr int openers = 8;

// The start line of a race: the children inherit the read end of a pipe and block reading it;
// closing the write end, once every child has said it is waiting, wakes them all at once.
class StartingGate {
  public:
    StartingGate() {
        REQUIRE(pipe2(fds_, O_CLOEXEC) == 0);
        // Only the read end goes to the children: a child that held the write end would keep
        // them all waiting for an end of file that never comes.
        REQUIRE(fcntl(fds_[0], F_SETFD, 0) == 0);
    }
    ~StartingGate() {
        for (int fd : fds_)
            if (fd >= 0) close(fd);
    }
    StartingGate(const StartingGate&) = delete;
    StartingGate& operator=(const StartingGate&) = delete;

    std::string read_end() const { return std::to_string(fds_[0]); }

    /// After the children are started: the parent itself never reads.
    void keep_out() { close_end(0); }

    void open() { close_end(1); }

  private:
    void close_end(int end) {
        close(fds_[end]);
        fds_[end] = -1;
    }
    int fds_[2] = {-1, -1};
};

std::string test_id(int opener) {
    return "race-" + std::to_string(opener);
}

struct Outcome {
    int failed = 0;     ///< children that did not exit 0
    std::string errors; ///< what they printed
    std::set<std::string> stored;
};

std::string joined(const std::set<std::string>& ids) {
    std::string text;
    for (const auto& id : ids)
        text += (text.empty() ? "" : " ") + id;
    return text;
}

std::set<std::string> stored_ids(const std::filesystem::path& db) {
    std::set<std::string> ids;
    SqliteStorage storage(db);
    for (const auto& test : storage.tests())
        ids.insert(test.id);
    return ids;
}

// A child that waits at the gate, then opens `db` and creates the test of opener `i`.
std::unique_ptr<Child> start_opener(const std::filesystem::path& db, int i,
                                    const StartingGate& gate) {
    const std::vector<std::string> argv = {MCQGEN_CHILD_PATH, "race", db.string(), test_id(i),
                                           gate.read_end()};
    return std::make_unique<Child>(argv, std::vector<std::string>{}, /*merge_stderr=*/true);
}

// One race: all openers started, waiting at the gate, released together onto `db`.
Outcome race(const std::filesystem::path& db) {
    StartingGate gate;
    std::vector<std::unique_ptr<Child>> children;
    for (int i = 0; i < openers; ++i)
        children.push_back(start_opener(db, i, gate));
    gate.keep_out();
    for (auto& child : children)
        REQUIRE_MESSAGE(child->wait_for_line("ready"), "a child ended early: ", child->drain());
    gate.open();
    Outcome outcome;
    for (auto& child : children) {
        const std::string output = child->drain();
        const int status = child->wait();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            ++outcome.failed;
            outcome.errors += output;
        }
    }
    outcome.stored = stored_ids(db);
    return outcome;
}

} // namespace

TEST_SUITE("reliability_storage") {
    TEST_CASE("processes that open one new database at the same moment all store their test") {
        std::set<std::string> expected;
        for (int i = 0; i < openers; ++i)
            expected.insert(test_id(i));
        // Each round races on a fresh file, so one lucky interleaving cannot pass the test. (With
        // the checks and migrations outside a write transaction, every round failed: 5 to 7 of
        // the 8 openers, "table tests already exists", "is another program's SQLite database"
        // or "database is locked".)
        const int rounds = reliability::runs(10);
        int failed_openers = 0, failed_rounds = 0;
        for (int round = 0; round < rounds; ++round) {
            CAPTURE(round);
            test_support::TempDir dir;
            const Outcome outcome = race(dir / "new.db");
            CHECK_MESSAGE(outcome.failed == 0, outcome.errors);
            CHECK_MESSAGE(outcome.stored == expected, "stored: ", joined(outcome.stored));
            failed_openers += outcome.failed;
            failed_rounds += outcome.failed > 0 || outcome.stored != expected;
        }
        reliability::report("storage.concurrent_open: rounds=" + std::to_string(rounds) +
                            " openers=" + std::to_string(openers) +
                            " failed_rounds=" + std::to_string(failed_rounds) +
                            " failed_openers=" + std::to_string(failed_openers));
    }
}
