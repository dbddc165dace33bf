// Batch mode through the public API, against the fake Message Batches API on 127.0.0.1: tests
// made at the batch rate, submitted in one process and collected in another, and batches that
// expire, error, fail to poll or arrive cut short.
#include "fake_claude_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <thread>

using namespace mcqgen;
using namespace std::chrono_literals;

namespace {

const std::string secret_key = "test-key-BATCH-do-not-leak-41c7e2";

fake_claude::Options batch_server(std::chrono::milliseconds delay = 50ms,
                                  const std::string& faults = "") {
    auto options = test_support::fake_server_options(secret_key);
    options.batch_delay = delay;
    options.faults = faults;
    return options;
}

Config batch_config(const fake_claude::Server& server) {
    auto c = test_support::fake_claude_config(server, secret_key);
    c.pipeline.seed = 23;
    c.http.request_timeout = 5s;
    c.batch.enabled = true;
    c.batch.poll_interval = 20ms;
    c.batch.max_poll_interval = 100ms;
    return c;
}

// The recorded batches that exist at the API: not the records of creates (creating, replaced,
// not_made) nor a batch taken for a lost one that proved to be another's (not_ours).
std::vector<BatchRecord> api_batches(Storage& storage, const std::string& test_id) {
    std::vector<BatchRecord> made;
    for (auto& batch : storage.batches(test_id))
        if (batch.status == "in_progress" || batch.status == "canceling" || batch.status == "ended")
            made.push_back(std::move(batch));
    return made;
}

// Every custom_id the storage recorded, each once, and as many as the server was sent (less
// `others`, the requests other tests submitted).
void check_submitted_once(Storage& storage, const std::string& test_id,
                          const fake_claude::Server& server, int64_t others = 0) {
    std::vector<std::string> ids;
    for (const auto& batch : api_batches(storage, test_id))
        ids.insert(ids.end(), batch.custom_ids.begin(), batch.custom_ids.end());
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
    const auto stats = server.stats();
    CHECK(static_cast<int64_t>(ids.size()) == stats.batch_items_submitted - others);
    CHECK(stats.batch_duplicate_custom_ids == 0);
    CHECK(stats.requests == 0); // no call went to /v1/messages directly
}

void check_questions(Storage& storage, const Test& test, int count) {
    CHECK(test.status == Status::completed);
    CHECK(test.questions_generated == count);
    const auto questions = storage.questions(test.id);
    REQUIRE(static_cast<int>(questions.size()) == count);
    std::set<std::string> stems;
    for (const auto& q : questions)
        stems.insert(q.stem);
    CHECK(static_cast<int>(stems.size()) == count);
}

// Generates `count` questions in batch mode and checks that all were made, each request
// submitted once.
Test generate_all(const fake_claude::Server& server, int count, Storage& storage,
                  const Config& config) {
    const auto test = Generator(config).generate(test_support::sample_document(), count, storage);
    check_questions(storage, test, count);
    check_submitted_once(storage, test.id, server);
    return test;
}

/// Hands the tests' part of the contract to `inner`: the base of the adapters below.
class Forwarding : public Storage {
  public:
    explicit Forwarding(Storage& inner) : inner_(inner) {}
    void create_test(const Test& t, const Document& d) override { inner_.create_test(t, d); }
    std::int64_t add_question(const Test& t, const Question& q) override {
        return inner_.add_question(t, q);
    }
    void update_test(const Test& t) override { inner_.update_test(t); }
    std::optional<Test> find_test(std::string_view id) override { return inner_.find_test(id); }
    std::vector<Question> questions(std::string_view id) override { return inner_.questions(id); }
    Document document(std::string_view id) override { return inner_.document(id); }
    std::vector<Test> tests() override { return inner_.tests(); }

  protected:
    Storage& inner_;
};

/// Keeps everything but batches: what an application's own older adapter looks like.
class NoBatchStorage final : public Forwarding {
  public:
    NoBatchStorage() : Forwarding(memory_) {}

  private:
    MemoryStorage memory_;
};

/// Forwards to `kept`, but loses the first record of a batch the API made and every batch record
/// after it: what a process killed between the API's answer to a create and the write of its
/// record leaves behind.
class DiesAfterCreate final : public Forwarding {
  public:
    explicit DiesAfterCreate(Storage& kept) : Forwarding(kept) {}
    bool keeps_batches() const override { return true; }
    void record_batch(std::string_view id, const BatchRecord& batch) override {
        dead_ = dead_ || batch.batch_id.starts_with("msgbatch_");
        if (!dead_) inner_.record_batch(id, batch);
    }
    std::vector<BatchRecord> batches(std::string_view id) override { return inner_.batches(id); }

  private:
    bool dead_ = false;
};

} // namespace

TEST_SUITE("batches") {
    TEST_CASE("20 questions as Message Batches at half the price of direct calls") {
        fake_claude::Server server(batch_server());
        test_support::TempDir dir;
        SqliteStorage storage(dir / "t.db");
        auto config = batch_config(server);
        std::vector<std::string> log;
        config.log = [&](std::string_view line) { log.emplace_back(line); };
        std::vector<int> created;
        const auto test = Generator(config).generate(test_support::sample_document(), 20, storage,
                                                     [&](const Progress& p) {
                                                         if (p.question)
                                                             created.push_back(p.created);
                                                     });
        check_questions(storage, test, 20);
        CHECK(created.size() == 20);
        check_submitted_once(storage, test.id, server);
        const auto batches = api_batches(storage, test.id);
        CHECK(batches.size() >= 2); // the authors', then the judges'
        for (const auto& batch : batches)
            CHECK(batch.status == "ended");
        CHECK(test.provider.find("batch") != std::string::npos);

        // The same test made with direct calls costs about twice as much.
        fake_claude::Server direct_server(test_support::fake_server_options(secret_key));
        auto direct = test_support::fake_claude_config(direct_server, secret_key);
        direct.pipeline.seed = 23;
        MemoryStorage direct_storage;
        const auto direct_test =
            Generator(direct).generate(test_support::sample_document(), 20, direct_storage);
        REQUIRE(direct_test.status == Status::completed);
        const double ratio = test.usage.estimated_cost_usd / direct_test.usage.estimated_cost_usd;
        CAPTURE(ratio);
        CHECK(ratio > 0.3);
        CHECK(ratio < 0.75); // the 1-hour cache writes cost more than the 5-minute ones
        for (const auto& call : storage.calls(test.id))
            CHECK(call.request_id.starts_with("msgbatch_"));
        // The key went nowhere but into the requests' headers.
        CHECK_FALSE(log.empty());
        for (const auto& line : log)
            CHECK(line.find(secret_key) == std::string::npos);
        CHECK(test_support::read_file(dir / "t.db").find(secret_key) == std::string::npos);
    }

    TEST_CASE("submit returns at once and resume in another generator submits nothing twice") {
        fake_claude::Server server(batch_server(300ms));
        test_support::TempDir dir;
        std::string test_id;
        {
            SqliteStorage storage(dir / "t.db");
            const auto submitted =
                Generator(batch_config(server)).submit(test_support::sample_document(), 6, storage);
            test_id = submitted.id;
            CHECK(submitted.status == Status::generating);
            CHECK(api_batches(storage, test_id).size() == 1);
            CHECK(server.stats().batches_created == 1);
            CHECK(server.stats().batch_results_downloads == 0);
        }
        SqliteStorage reopened(dir / "t.db");
        const auto test = Generator(batch_config(server)).resume(test_id, reopened);
        check_questions(reopened, test, 6);
        check_submitted_once(reopened, test_id, server);
        // Resuming a completed test changes nothing and calls nothing.
        const auto before = server.stats();
        CHECK(Generator(batch_config(server)).resume(test_id, reopened).status ==
              Status::completed);
        CHECK(server.stats().batches_created == before.batches_created);
    }

    TEST_CASE("expired and errored items are asked again in a follow-up batch") {
        fake_claude::Server server(batch_server(20ms, "item_expired#1,item_errored#3"));
        MemoryStorage storage;
        const auto test = generate_all(server, 6, storage, batch_config(server));
        CHECK(api_batches(storage, test.id).size() >= 3);
    }

    TEST_CASE(
        "items that expire beyond the attempt budget leave the test partial with the reason") {
        fake_claude::Server server(batch_server(10ms, "item_expired@0.55"));
        MemoryStorage storage;
        auto config = batch_config(server);
        config.http.max_retries = 0;
        const auto test = Generator(config).generate(test_support::sample_document(), 8, storage);
        CAPTURE(test.message);
        CHECK(test.status == Status::partial);
        CHECK(test.questions_generated > 0);
        CHECK(test.questions_generated < 8);
        CHECK(test.message.find("expired") != std::string::npos);
        CHECK(test.error == errc::timeout);
        check_submitted_once(storage, test.id, server);
    }

    TEST_CASE("a test whose every item errors fails with the reason") {
        fake_claude::Server server(batch_server(10ms, "item_errored*"));
        MemoryStorage storage;
        auto config = batch_config(server);
        config.http.max_retries = 1;
        const auto test = Generator(config).generate(test_support::sample_document(), 3, storage);
        CHECK(test.status == Status::failed);
        CHECK(test.questions_generated == 0);
        CHECK(test.error != errc::ok);
        CAPTURE(test.message);
        CHECK(test.message.find("batch item errored") != std::string::npos);
        CHECK(test.message.find(secret_key) == std::string::npos);
        check_submitted_once(storage, test.id, server);
    }

    TEST_CASE("polling and reading survive 5xx and broken connections without client retries") {
        fake_claude::Server server(batch_server(
            50ms, "500@retrieve#1,reset_before@retrieve#2,529@retrieve#4,500@results#1,"
                  "reset_mid@results#2"));
        MemoryStorage storage;
        auto config = batch_config(server);
        config.http.max_retries = 0; // only the provider's own polling keeps it going
        generate_all(server, 5, storage, config);
        CHECK(server.stats().faults_injected == 5);
    }

    TEST_CASE("a results file cut short is read again instead of asking again") {
        fake_claude::Server server(batch_server(20ms, "truncated@results#1"));
        MemoryStorage storage;
        const auto test = generate_all(server, 5, storage, batch_config(server));
        const auto stats = server.stats();
        CHECK(stats.faults_injected == 1);
        // The cut file was read again: one download more than there are batches.
        CHECK(stats.batch_results_downloads == stats.batches_created + 1);
        for (const auto& call : storage.calls(test.id))
            CHECK(call.error == errc::ok); // no call failed for the missing half
    }

    TEST_CASE("a batch whose create answer was lost is found by listing and not made again") {
        fake_claude::Server server(batch_server(20ms, "reset_mid@create#1"));
        MemoryStorage storage;
        auto config = batch_config(server);
        std::vector<std::string> log;
        config.log = [&](std::string_view line) { log.emplace_back(line); };
        const auto test = generate_all(server, 5, storage, config);
        const auto stats = server.stats();
        CHECK(stats.batch_lists == 1);
        CHECK(stats.batches_created == static_cast<int64_t>(api_batches(storage, test.id).size()));
        CHECK(std::any_of(log.begin(), log.end(), [](const std::string& line) {
            return line.find("answer to creating a Message Batch was lost") != std::string::npos;
        }));
    }

    TEST_CASE("a create lost before the batch was made is sent again after the listing") {
        fake_claude::Server server(batch_server(20ms, "reset_before@create#1,stall@create#2"));
        MemoryStorage storage;
        auto config = batch_config(server);
        config.http.request_timeout = 1s; // the stall's wait
        generate_all(server, 4, storage, config);
        CHECK(server.stats().batch_lists == 2);
    }

    TEST_CASE("a listed batch of the same size that is another test's is given up by its results") {
        // Another test's batch of four, still in progress when this test's create is lost.
        fake_claude::Server server(batch_server(300ms, "reset_before@create#2"));
        MemoryStorage storage;
        Generator generator(batch_config(server));
        const auto other = generator.submit(test_support::sample_document(), 4, storage);
        REQUIRE(server.stats().batch_items_submitted == 4);
        const auto test = generator.generate(test_support::sample_document(), 4, storage);
        check_questions(storage, test, 4);
        check_submitted_once(storage, test.id, server, 4);
        std::vector<std::string> disowned;
        for (const auto& batch : storage.batches(test.id))
            if (batch.status == "not_ours") disowned.push_back(batch.batch_id);
        CHECK(disowned ==
              std::vector<std::string>{api_batches(storage, other.id).front().batch_id});
        // The other test's own results are still there for it.
        const auto collected = generator.resume(other.id, storage);
        check_questions(storage, collected, 4);
    }

    TEST_CASE("a process that dies before it records a batch it made leaves a resume that finds "
              "the batch") {
        fake_claude::Server server(batch_server(100ms));
        MemoryStorage kept;
        DiesAfterCreate dying(kept);
        const auto submitted =
            Generator(batch_config(server)).submit(test_support::sample_document(), 4, dying);
        REQUIRE(server.stats().batches_created == 1);
        const auto left = kept.batches(submitted.id);
        REQUIRE(left.size() == 1);
        CHECK(left.front().status == "creating"); // the intent, and nothing else

        const auto test = Generator(batch_config(server)).resume(submitted.id, kept);
        check_questions(kept, test, 4);
        check_submitted_once(kept, test.id, server);
        CHECK(server.stats().batch_lists == 1);
        CHECK(kept.batches(submitted.id).front().status == "replaced");
    }

    TEST_CASE("cancelling a run cancels its batches") {
        fake_claude::Server server(batch_server(std::chrono::milliseconds(std::chrono::hours(1))));
        MemoryStorage storage;
        Generator generator(batch_config(server));
        auto job = generator.start(test_support::sample_document(), 4, storage);
        REQUIRE(server.wait_until([](const fake_claude::Stats& s) { return s.batch_retrieves > 0; },
                                  10s));
        job.cancel();
        const auto test = job.get();
        CHECK(test.status != Status::completed);
        CHECK(server.wait_until([](const fake_claude::Stats& s) { return s.batch_cancels >= 1; },
                                10s));
    }

    TEST_CASE("batch mode refuses a storage that keeps no batches and submit needs batch mode") {
        fake_claude::Server server(batch_server());
        NoBatchStorage plain;
        CHECK(
            test_support::error_of([&] {
                Generator(batch_config(server)).generate(test_support::sample_document(), 2, plain);
            }) == errc::invalid_argument);
        CHECK(plain.tests().empty()); // refused before anything was stored
        auto direct = batch_config(server);
        direct.batch.enabled = false;
        MemoryStorage storage;
        CHECK(test_support::error_of([&] {
                  Generator(direct).submit(test_support::sample_document(), 2, storage);
              }) == errc::invalid_argument);
        CHECK(storage.tests().empty());
        CHECK(server.stats().batches_created == 0);
    }
}
