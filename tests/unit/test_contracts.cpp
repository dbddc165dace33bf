// The Generator's contracts in C++: one run at a time (errc::busy), arguments checked before a
// thread starts, a Generator moved or destroyed under a running Job, and the error table.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <latch>
#include <set>

using namespace mcqgen;
using test_support::offline_config;

namespace {

// A run that waits in its first progress event until released, so a test can act while it runs.
struct HeldRun {
    std::latch started{1}, release{1};
    ProgressCallback callback() {
        return [this](const Progress& p) {
            if (p.created == 0 && p.status == Status::generating) {
                started.count_down();
                release.wait();
            }
        };
    }
};

} // namespace

TEST_SUITE("contracts") {
    TEST_CASE("a second run on a busy Generator fails with errc::busy blocking or started") {
        MemoryStorage storage;
        Generator generator(offline_config());
        HeldRun held;
        auto job = generator.start(test_support::sample_document(), 3, storage, held.callback());
        held.started.wait();
        CHECK(test_support::error_of([&] {
                  generator.generate(test_support::sample_document(), 1, storage);
              }) == errc::busy);
        CHECK(test_support::error_of([&] {
                  (void)generator.start(test_support::sample_document(), 1, storage);
              }) == errc::busy);
        CHECK(test_support::error_of([&] { (void)generator.start_resume("any", storage); }) ==
              errc::busy);
        held.release.count_down();
        CHECK(job.get().status == Status::completed);
        // Free again once the run has ended: the refused calls stored nothing.
        CHECK(generator.generate(test_support::sample_document(), 1, storage).status ==
              Status::completed);
        CHECK(storage.tests().size() == 2);
    }

    TEST_CASE("start checks the count on the caller's thread before anything is stored") {
        MemoryStorage storage;
        Generator generator(offline_config());
        for (int count : {0, -1, 21})
            CHECK(test_support::error_of([&] {
                      (void)generator.start(test_support::sample_document(), count, storage);
                  }) == errc::invalid_argument);
        CHECK(storage.tests().empty());
        // The refused start did not leave the Generator claimed.
        CHECK(generator.start(test_support::sample_document(), 1, storage).get().status ==
              Status::completed);
    }

    TEST_CASE("a Generator moved while its Job runs: the Job finishes the new owner works") {
        MemoryStorage storage;
        auto original = std::make_unique<Generator>(offline_config());
        HeldRun held;
        auto job = original->start(test_support::sample_document(), 3, storage, held.callback());
        held.started.wait();
        Generator moved = std::move(*original);
        original.reset(); // the moved-from shell is gone too
        held.release.count_down();
        CHECK(job.get().status == Status::completed);
        CHECK(moved.generate(test_support::sample_document(), 1, storage).status ==
              Status::completed);
    }

    TEST_CASE("a Generator destroyed while its Job runs cancels the run which ends cleanly") {
        MemoryStorage storage;
        auto generator = std::make_unique<Generator>(offline_config());
        HeldRun held;
        auto job = generator->start(test_support::sample_document(), 10, storage, held.callback());
        held.started.wait();
        generator.reset();
        held.release.count_down();
        const Test test = job.get();
        CHECK(test.error == errc::cancelled);
        CHECK(test.questions_generated < 10);
        CHECK(storage.test(test.id).status != Status::generating);
    }

    TEST_CASE("a moved-from Generator refuses work with a clear error instead of crashing") {
        MemoryStorage storage;
        Generator generator(offline_config());
        Generator other = std::move(generator);
        CHECK(test_support::error_of([&] {
                  generator.generate(test_support::sample_document(), 1, storage);
              }) == errc::invalid_argument);
        CHECK(test_support::error_of([&] { (void)generator.config(); }) == errc::invalid_argument);
        generator.cancel(); // harmless
    }

    TEST_CASE("a cancel right after start is not lost") {
        MemoryStorage storage;
        Generator generator(offline_config());
        for (int i = 0; i < 20; ++i) {
            auto job = generator.start(test_support::sample_document(), 20, storage);
            generator.cancel();
            const Test test = job.get();
            CHECK(test.error == errc::cancelled);
            CHECK(test.questions_generated < 20);
        }
    }

    TEST_CASE("the error table: every code has one name that maps back to it") {
        std::set<std::string_view> names;
        for (int value = 0; value < errc_count; ++value) {
            const auto code = errc_from_int(value);
            REQUIRE(code.has_value());
            const auto name = to_string(*code);
            CHECK(name != "unknown");
            CHECK(names.insert(name).second);
            CHECK(errc_from_string(name) == code);
            CHECK(error_category().message(value) == name);
        }
        CHECK(to_string(errc::busy) == "busy");
        CHECK_FALSE(errc_from_int(errc_count).has_value());
        CHECK_FALSE(errc_from_int(-1).has_value());
        CHECK(to_string(static_cast<errc>(errc_count)) == "unknown");
        CHECK_FALSE(errc_from_string("no_such_code").has_value());
    }

    TEST_CASE("Storage::test returns the test or throws not_found with one message") {
        MemoryStorage memory;
        auto dir = test_support::TempDir();
        SqliteStorage sqlite(dir.path() / "t.db");
        for (Storage* storage : {static_cast<Storage*>(&memory), static_cast<Storage*>(&sqlite)}) {
            try {
                (void)storage->test("missing-id");
                FAIL("no exception");
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::not_found);
                CHECK(e.message() == "no test with id 'missing-id'");
            }
            Generator generator(offline_config());
            const Test made = generator.generate(test_support::sample_document(), 1, *storage);
            CHECK(storage->test(made.id).id == made.id);
        }
    }
}
