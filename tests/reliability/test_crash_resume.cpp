// Crash and resume: a generation in a child process, against the fake Claude server in this
// process, is killed with SIGKILL at random points, mid-transaction included. What it leaves
// must be a sound database whose questions are whole, and resume must finish the test with
// exactly the number of questions asked for.

#include "fake_claude_client.hpp"
#include "reliability_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <thread>

using namespace mcqgen;
using namespace std::chrono_literals;
using reliability::Child;

namespace {

const std::string api_key = "test-key-crash-4b1d";
constexpr int target = 10;

fake_claude::Options server_options(std::uint64_t seed) {
    fake_claude::Options o;
    o.api_key = api_key;
    // A run takes a while, so the kills land all over it. After the fifth question at least one
    // slot still needs a whole call (concurrency 4 < 5 unfinished slots): 50 ms, longer than
    // the largest kill delay, so every child is still running when it is killed.
    o.latency = 50ms;
    o.seed = seed;
    return o;
}

std::vector<std::string> child_environment(const fake_claude::Server& server) {
    return {"ANTHROPIC_API_KEY=" + api_key, "ANTHROPIC_BASE_URL=" + server.base_url(),
            "MCQGEN_CA_FILE=" + server.ca_file().string(), "MCQGEN_CONCURRENCY=4",
            "MCQGEN_TIMEOUT_MS=20000"};
}

Config resume_config(const fake_claude::Server& server) {
    auto c = test_support::fake_claude_config(server, api_key);
    c.http.max_concurrency = 4;
    c.http.request_timeout = 20s;
    return c;
}

Child start_child(const fake_claude::Server& server, const std::filesystem::path& db,
                  std::vector<std::string> extra_environment = {}) {
    auto env = child_environment(server);
    env.insert(env.end(), extra_environment.begin(), extra_environment.end());
    return Child({MCQGEN_CHILD_PATH, "generate", test_support::sample_path().string(), db.string(),
                  std::to_string(target)},
                 env);
}

struct Aftermath {
    std::optional<std::string> test_id; ///< none when the kill came before the test was stored
    int questions = 0;
};

// What a killed run left behind: a sound file, whole questions, counters that match the rows.
Aftermath inspect(const std::filesystem::path& db) {
    Aftermath after;
    if (!std::filesystem::exists(db)) return after;
    {
        SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
        CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
        SQLite::Statement orphans(raw, "PRAGMA foreign_key_check");
        CHECK_FALSE(orphans.executeStep());
    }
    SqliteStorage storage(db);
    const auto tests = storage.tests();
    REQUIRE(tests.size() <= 1);
    if (tests.empty()) return after;
    const auto& test = tests[0];
    after.test_id = test.id;
    CHECK(test.target_questions == target);
    const auto questions = storage.questions(test.id);
    after.questions = static_cast<int>(questions.size());
    // Each question is committed with the test's counters in one transaction.
    CHECK(test.questions_generated == after.questions);
    std::set<int> positions;
    for (const auto& q : questions) {
        reliability::check_whole(q, target);
        positions.insert(q.position);
    }
    CHECK(positions.size() == questions.size());
    CHECK(storage.document(test.id).text() == test_support::sample_document().text());
    return after;
}

void resume_and_check(const fake_claude::Server& server, const std::filesystem::path& db,
                      const Aftermath& after) {
    if (!after.test_id) return;
    SqliteStorage storage(db);
    const auto resumed = Generator(resume_config(server)).resume(*after.test_id, storage);
    CHECK(resumed.status == Status::completed);
    reliability::check_complete(storage, *after.test_id, target);
}

} // namespace

TEST_SUITE("reliability_crash") {
    TEST_CASE("a run killed at random points leaves a sound database that resume completes") {
        const auto seed = reliability::test_seed();
        INFO("MCQGEN_RELIABILITY_SEED=", seed);
        std::mt19937_64 random(seed);
        fake_claude::Server server(server_options(seed));
        const int runs = reliability::runs(8);
        int killed = 0, before_test = 0, stored_before_kill = 0;
        for (int run = 0; run < runs; ++run) {
            CAPTURE(run);
            test_support::TempDir dir;
            const auto db = dir / "t.db";
            // Kill after a random number (up to half) of stored questions plus a random delay of
            // up to twice the server's latency: before, inside and after commits, with at least
            // half the run still to go. (The kills inside writes below reach the very end too.)
            const int after_questions = static_cast<int>(random() % (target / 2 + 1));
            const auto delay = std::chrono::microseconds(random() % 30'000);
            CAPTURE(after_questions);
            CAPTURE(delay.count());
            Child child = start_child(server, db);
            const bool reached = child.wait_for_line(
                after_questions == 0 ? "started" : "created " + std::to_string(after_questions));
            REQUIRE_MESSAGE(reached, "the child ended early: ", child.drain());
            std::this_thread::sleep_for(delay); // the kill point itself, not synchronisation
            kill(child.pid(), SIGKILL);
            const int status = child.wait();
            const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            killed += was_killed;
            const auto after = inspect(db);
            before_test += !after.test_id;
            stored_before_kill += after.questions;
            resume_and_check(server, db, after);
        }
        CHECK(killed == runs);
        reliability::report("crash.random_kill: runs=" + std::to_string(runs) +
                            " killed=" + std::to_string(killed) +
                            " killed_before_test_stored=" + std::to_string(before_test) +
                            " questions_stored_before_kills=" + std::to_string(stored_before_kill) +
                            " seed=" + std::to_string(seed));
    }

    TEST_CASE("a run killed inside a SQLite write leaves a sound database that resume completes") {
        const auto seed = reliability::test_seed();
        INFO("MCQGEN_RELIABILITY_SEED=", seed);
        std::mt19937_64 random(seed);
        fake_claude::Server server(server_options(seed));
        // A run that is not killed counts the writes SQLite makes, so the kills can be spread
        // over all of them: schema creation, the test row, and every question's commit.
        long writes = 0;
        {
            test_support::TempDir dir;
            Child child = start_child(server, dir / "t.db", {"MCQGEN_CHILD_KILL_AT_WRITE=0"});
            const std::string output = child.drain();
            REQUIRE(WIFEXITED(child.wait()));
            const auto at = output.find("writes ");
            REQUIRE(at != std::string::npos);
            writes = std::atol(output.c_str() + at + 7);
        }
        REQUIRE(writes > target);
        const int runs = reliability::runs(8);
        int killed = 0;
        std::string kill_points;
        for (int run = 0; run < runs; ++run) {
            CAPTURE(run);
            test_support::TempDir dir;
            const auto db = dir / "t.db";
            // The first run dies on the very first write; the rest at random writes.
            const long kill_at = run == 0 ? 1 : 1 + static_cast<long>(random() % writes);
            CAPTURE(kill_at);
            kill_points += (run ? "," : "") + std::to_string(kill_at);
            Child child =
                start_child(server, db, {"MCQGEN_CHILD_KILL_AT_WRITE=" + std::to_string(kill_at)});
            child.drain();
            const int status = child.wait();
            const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            killed += was_killed;
            resume_and_check(server, db, inspect(db));
        }
        CHECK(killed >= runs - 1); // the count of writes varies a little with the schedule
        reliability::report("crash.kill_in_write: runs=" + std::to_string(runs) + " killed=" +
                            std::to_string(killed) + " writes_per_run=" + std::to_string(writes) +
                            " kill_at=" + kill_points + " seed=" + std::to_string(seed));
    }
}
