#include "test_support.hpp"

#include <doctest/doctest.h>

#include <latch>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace mcqgen;
using test_support::offline_config;
using test_support::squash;

namespace {

// Checks what every stored question must satisfy, whatever produced it.
void check_question(const Question& q, const std::string& document) {
    CHECK_FALSE(q.stem.empty());
    std::set<std::string> options(q.options.begin(), q.options.end());
    CHECK(options.size() == 4);
    for (const auto& o : q.options)
        CHECK_FALSE(o.empty());
    CHECK(q.answer_index >= 0);
    CHECK(q.answer_index <= 3);
    CHECK(squash(document).find(squash(q.source_quote)) != std::string::npos);
    CHECK_FALSE(q.explanation.empty());
    CHECK(q.score >= 0.5);
}

std::set<std::string> stems(const std::vector<Question>& questions) {
    std::set<std::string> out;
    for (const auto& q : questions)
        out.insert(q.stem);
    return out;
}

// A user's own adapter: a few dozen lines over a map.
class MapStorage : public Storage {
  public:
    void create_test(const Test& t, const Document& doc) override {
        tests_[t.id] = t;
        documents_[t.id] = {doc.text(), doc.layout()};
    }
    std::int64_t add_question(const Test& t, const Question& q) override {
        tests_[t.id] = t;
        auto& list = questions_[t.id];
        list.push_back(q);
        list.back().id = static_cast<std::int64_t>(++next_id_);
        return list.back().id;
    }
    void update_test(const Test& t) override { tests_[t.id] = t; }
    std::optional<Test> find_test(std::string_view id) override {
        auto it = tests_.find(std::string(id));
        return it == tests_.end() ? std::nullopt : std::optional<Test>(it->second);
    }
    std::vector<Question> questions(std::string_view id) override {
        auto list = questions_[std::string(id)];
        std::sort(list.begin(), list.end(),
                  [](auto& a, auto& b) { return a.position < b.position; });
        return list;
    }
    Document document(std::string_view id) override {
        const auto& [text, layout] = documents_.at(std::string(id));
        return Document::restore(text, layout);
    }
    std::vector<Test> tests() override {
        std::vector<Test> out;
        for (auto& [id, t] : tests_)
            out.push_back(t);
        return out;
    }

  private:
    std::map<std::string, Test> tests_;
    std::map<std::string, std::pair<std::string, std::string>> documents_; // text, layout
    std::map<std::string, std::vector<Question>> questions_;
    int next_id_ = 0;
};

} // namespace

TEST_SUITE("generator") {
    TEST_CASE("generates 10 grounded distinct questions with ordered progress") {
        test_support::TempDir dir;
        SqliteStorage storage(dir / "t.db");
        Generator generator(offline_config());
        const auto document = test_support::sample_document();
        std::vector<std::pair<int, std::string>> events;
        const auto test = generator.generate(document, 10, storage, [&](const Progress& p) {
            if (p.question) events.emplace_back(p.created, std::string(p.message));
        });
        CHECK(test.status == Status::completed);
        CHECK(test.questions_generated == 10);
        CHECK(test.progress == doctest::Approx(1.0));
        CHECK(test.message == "10 of 10 questions created");
        REQUIRE(events.size() == 10);
        for (int i = 0; i < 10; ++i) {
            CHECK(events[static_cast<std::size_t>(i)].first == i + 1);
            CHECK(events[static_cast<std::size_t>(i)].second ==
                  std::to_string(i + 1) + " of 10 questions created");
        }
        const auto questions = storage.questions(test.id);
        REQUIRE(questions.size() == 10);
        for (const auto& q : questions)
            check_question(q, document.text());
        CHECK(stems(questions).size() == 10);
        const auto stored = storage.find_test(test.id);
        REQUIRE(stored);
        CHECK(stored->status == Status::completed);
        CHECK(stored->candidates_generated >= 10);
        CHECK(stored->provider == "offline");
    }

    TEST_CASE("keys are spread evenly over A-D and positions are 0..N-1") {
        MemoryStorage storage;
        Generator generator(offline_config(7));
        const auto test = generator.generate(test_support::sample_document(), 20, storage);
        REQUIRE(test.status == Status::completed);
        std::array<int, 4> per_key{};
        std::set<int> positions;
        for (const auto& q : storage.questions(test.id)) {
            ++per_key[static_cast<std::size_t>(q.answer_index)];
            positions.insert(q.position);
        }
        CHECK(per_key == std::array<int, 4>{5, 5, 5, 5});
        CHECK(positions.size() == 20);
        CHECK(*positions.rbegin() == 19);
    }

    TEST_CASE("questions cover the whole document not its first page") {
        MemoryStorage storage;
        Generator generator(offline_config(3));
        const auto document = test_support::sample_document();
        const auto test = generator.generate(document, 10, storage);
        const auto half = document.text().size() / 2;
        int in_second_half = 0;
        for (const auto& q : storage.questions(test.id))
            in_second_half += squash(document.text()).find(squash(q.source_quote)) > half;
        CHECK(in_second_half >= 3);
    }

    TEST_CASE("the same seed gives the same test") {
        MemoryStorage a, b;
        const auto doc = test_support::sample_document("solar_system.txt");
        const auto ta = Generator(offline_config(11)).generate(doc, 6, a);
        const auto tb = Generator(offline_config(11)).generate(doc, 6, b);
        const auto qa = a.questions(ta.id), qb = b.questions(tb.id);
        REQUIRE(qa.size() == qb.size());
        for (std::size_t i = 0; i < qa.size(); ++i) {
            CHECK(qa[i].stem == qb[i].stem);
            CHECK(qa[i].options == qb[i].options);
            CHECK(qa[i].answer_index == qb[i].answer_index);
        }
    }

    TEST_CASE("counts outside 1..max are refused before anything is stored") {
        test_support::TempDir dir;
        SqliteStorage storage(dir / "t.db");
        Generator generator(offline_config());
        const auto doc = test_support::sample_document();
        for (int count : {0, -1, 21, 1 << 30}) {
            try {
                generator.generate(doc, count, storage);
                FAIL("no exception for count " << count);
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::invalid_argument);
            }
        }
        CHECK(storage.tests().empty());
        Config wide = offline_config();
        wide.pipeline.max_questions = 500;
        CHECK_NOTHROW(Generator(wide).generate(doc, 25, storage));
    }

    TEST_CASE("a short document ends partial instead of padding") {
        MemoryStorage storage;
        Generator generator(offline_config());
        const auto doc = test_support::short_document();
        const auto test = generator.generate(doc, 10, storage);
        CHECK(test.status == Status::partial);
        CHECK(test.questions_generated < 10);
        CHECK(test.message.find("of 10 questions created") != std::string::npos);
        CHECK(test.message.find("yielded no further") != std::string::npos);
        const auto questions = storage.questions(test.id);
        CHECK(static_cast<int>(questions.size()) == test.questions_generated);
        for (const auto& q : questions)
            check_question(q, doc.text());
    }

    TEST_CASE("a document with no usable sentences fails with a reason") {
        MemoryStorage storage;
        const auto test =
            Generator(offline_config()).generate(Document::from_text("Hello"), 3, storage);
        CHECK(test.status == Status::failed);
        CHECK(test.questions_generated == 0);
        CHECK_FALSE(test.message.empty());
    }

    TEST_CASE("cancelling from another thread stops the run and keeps what was stored") {
        test_support::TempDir dir;
        SqliteStorage storage(dir / "t.db");
        Generator generator(offline_config());
        std::latch first_question(1), cancelled(1);
        std::jthread canceller([&] {
            first_question.wait();
            generator.cancel();
            cancelled.count_down();
        });
        const auto test = generator.generate(test_support::sample_document(), 10, storage,
                                             [&](const Progress& p) {
                                                 if (p.question && p.created == 1) {
                                                     first_question.count_down();
                                                     cancelled.wait();
                                                 }
                                             });
        CHECK(test.status == Status::partial);
        CHECK(test.error == errc::cancelled);
        CHECK(test.questions_generated >= 1);
        CHECK(test.questions_generated < 10);
        CHECK(storage.questions(test.id).size() ==
              static_cast<std::size_t>(test.questions_generated));
        CHECK(storage.find_test(test.id)->status == Status::partial);
    }

    TEST_CASE("a stop token cancels too and resume fills exactly the missing questions") {
        MemoryStorage storage;
        Generator generator(offline_config());
        std::stop_source stop;
        const auto first = generator.generate(
            test_support::sample_document(), 12, storage,
            [&](const Progress& p) {
                if (p.created == 4) stop.request_stop();
            },
            stop.get_token());
        CHECK(first.status == Status::partial);
        CHECK(first.questions_generated == 4);
        const auto resumed = generator.resume(first.id, storage);
        CHECK_MESSAGE(resumed.status == Status::completed, resumed.message);
        const auto questions = storage.questions(first.id);
        CHECK(questions.size() == 12);
        CHECK(stems(questions).size() == 12);
        std::array<int, 4> per_key{};
        for (const auto& q : questions)
            ++per_key[static_cast<std::size_t>(q.answer_index)];
        CHECK(per_key == std::array<int, 4>{3, 3, 3, 3});
    }

    TEST_CASE("a process killed mid-run leaves a test that resume completes") {
        test_support::TempDir dir;
        const auto db = dir / "t.db";
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // The child dies abruptly after its fifth commit: no destructors, no final update.
            SqliteStorage storage(db);
            Generator generator(offline_config(5));
            generator.generate(test_support::sample_document(), 15, storage, [](const Progress& p) {
                if (p.created == 5) raise(SIGKILL);
            });
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        REQUIRE(WIFSIGNALED(status));
        SqliteStorage storage(db);
        const auto tests = storage.tests();
        REQUIRE(tests.size() == 1);
        CHECK(tests[0].status == Status::generating);
        CHECK(storage.questions(tests[0].id).size() == 5);
        const auto resumed = Generator(offline_config()).resume(tests[0].id, storage);
        CHECK(resumed.status == Status::completed);
        const auto questions = storage.questions(tests[0].id);
        CHECK(questions.size() == 15);
        CHECK(stems(questions).size() == 15);
    }

    TEST_CASE("resuming a completed test changes nothing - an unknown id is not_found") {
        MemoryStorage storage;
        Generator generator(offline_config());
        const auto done = generator.generate(test_support::sample_document(), 3, storage);
        CHECK(generator.resume(done.id, storage).updated_at == done.updated_at);
        try {
            generator.resume("no-such-test", storage);
            FAIL("no exception");
        } catch (const Error& e) {
            CHECK(e.code_value() == errc::not_found);
        }
    }

    TEST_CASE("an exception from the progress callback ends the run and reaches the caller") {
        MemoryStorage storage;
        Generator generator(offline_config());
        struct Stop {};
        CHECK_THROWS_AS(generator.generate(test_support::sample_document(), 10, storage,
                                           [](const Progress& p) {
                                               if (p.created == 2) throw Stop{};
                                           }),
                        Stop);
        const auto tests = storage.tests();
        REQUIRE(tests.size() == 1);
        CHECK(storage.questions(tests[0].id).size() == 2);
        CHECK(tests[0].status == Status::partial);
    }

    TEST_CASE("a user-written storage adapter works with the generator") {
        MapStorage storage;
        const auto test =
            Generator(offline_config()).generate(test_support::sample_document(), 5, storage);
        CHECK(test.status == Status::completed);
        CHECK(storage.questions(test.id).size() == 5);
        CHECK(storage.find_test(test.id)->status == Status::completed);
    }

    TEST_CASE("the test records candidates written and rejected with reasons") {
        MemoryStorage storage;
        const auto test =
            Generator(offline_config()).generate(test_support::sample_document(), 20, storage);
        int by_reason = 0;
        for (const auto& [reason, count] : test.rejections)
            by_reason += count;
        CHECK(by_reason == test.candidates_rejected);
        CHECK(test.candidates_generated >= test.questions_generated + test.candidates_rejected);
    }
}

TEST_SUITE("job") {
    TEST_CASE("start runs in the background and get returns the test") {
        MemoryStorage storage;
        Generator generator(offline_config());
        std::thread::id progress_thread;
        std::atomic<bool> completed{false};
        auto job = generator.start(
            test_support::sample_document(), 5, storage,
            [&](const Progress&) { progress_thread = std::this_thread::get_id(); },
            [&](const Test* test, std::exception_ptr error) {
                completed = test != nullptr && !error;
            });
        CHECK(job.wait_for(std::chrono::seconds(60)));
        const auto test = job.get();
        CHECK(job.done());
        CHECK(completed);
        CHECK(test.status == Status::completed);
        CHECK(progress_thread != std::this_thread::get_id());
        CHECK(storage.questions(test.id).size() == 5);
    }

    TEST_CASE("a job can be cancelled and its errors come out of get") {
        MemoryStorage storage;
        Generator generator(offline_config());
        std::latch started(1), cancelled(1);
        auto job =
            generator.start(test_support::sample_document(), 10, storage, [&](const Progress& p) {
                if (p.created == 1) {
                    started.count_down();
                    cancelled.wait();
                }
            });
        started.wait();
        job.cancel();
        cancelled.count_down();
        const auto test = job.get();
        CHECK(test.error == errc::cancelled);
        CHECK(test.questions_generated < 10);

        auto unknown = generator.start_resume("nope", storage);
        CHECK_THROWS_AS(unknown.get(), Error);
    }

    TEST_CASE("destroying a running job cancels and waits for it") {
        MemoryStorage storage;
        Generator generator(offline_config());
        { auto job = generator.start(test_support::sample_document(), 20, storage); }
        const auto tests = storage.tests();
        REQUIRE(tests.size() == 1);
        CHECK(tests[0].status != Status::generating);
    }
}
