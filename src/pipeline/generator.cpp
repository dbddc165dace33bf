#include <mcqgen/generator.hpp>

#include "core/clock.hpp"
#include "offline/offline_provider.hpp"
#include "pipeline/provider_factory.hpp"
#include "pipeline/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <mutex>

namespace mcqgen {

class Generator::Impl {
  public:
    explicit Impl(Config c) : config(std::move(c)) { config.validate(); }

    Test execute(detail::RunSetup setup, std::stop_token stop) {
        setup.provider = &provider();
        setup.log = config.log;
        auto run = std::make_shared<detail::Run>(io, std::move(setup));
        {
            std::lock_guard lock(mutex);
            current = run;
        }
        std::stop_callback on_stop(stop, [this] { cancel(); });
        io.restart();
        run->start();
        io.run();
        {
            std::lock_guard lock(mutex);
            current.reset();
        }
        if (!run->finished()) throw Error(errc::internal, "the run stopped before it finished");
        if (auto failure = run->failure()) std::rethrow_exception(failure);
        const Test& test = run->test();
        if (test.error == errc::auth || test.error == errc::tls)
            throw Error(test.error, test.message);
        return test;
    }

    void cancel() {
        std::lock_guard lock(mutex);
        if (auto run = current.lock()) {
            run->request_cancel();
            boost::asio::post(io, [run] { run->cancel(); });
        }
    }

    detail::Provider& provider() {
        if (!provider_) provider_ = detail::make_provider(config, io);
        return *provider_;
    }

    Config config;
    boost::asio::io_context io{1};

  private:
    std::unique_ptr<detail::Provider> provider_;
    std::mutex mutex;
    std::weak_ptr<detail::Run> current;
};

namespace {

void check_count(int count, const Config& config) {
    if (count < 1 || count > config.max_questions)
        throw Error(errc::invalid_argument, "the question count must be between 1 and " +
                                                std::to_string(config.max_questions) + ", got " +
                                                std::to_string(count));
}

// Largest target a stored test may have: Config::validate caps max_questions at 1000.
constexpr int largest_target = 1000;

// A stored test is only resumed when its record makes sense: a damaged or hand-edited database
// must give a storage error, not a crash or a run built on nonsense.
void check_stored(const Test& test, const std::vector<Question>& questions) {
    auto corrupt = [&](const std::string& what) {
        return Error(errc::storage, "test '" + test.id + "' is corrupt: " + what);
    };
    if (test.target_questions < 1 || test.target_questions > largest_target)
        throw corrupt("its target of " + std::to_string(test.target_questions) +
                      " questions is outside 1.." + std::to_string(largest_target));
    if (test.candidates_per_question < 1 || test.candidates_per_question > 16)
        throw corrupt("it asks for " + std::to_string(test.candidates_per_question) +
                      " candidates per question");
    std::vector<bool> seen(static_cast<std::size_t>(test.target_questions), false);
    for (const auto& q : questions) {
        if (q.position < 0 || q.position >= test.target_questions ||
            seen[static_cast<std::size_t>(q.position)])
            throw corrupt("question " + std::to_string(q.id) + " has position " +
                          std::to_string(q.position));
        seen[static_cast<std::size_t>(q.position)] = true;
        if (q.answer_index < 0 || q.answer_index > 3)
            throw corrupt("question " + std::to_string(q.id) + " has key " +
                          std::to_string(q.answer_index));
    }
}

} // namespace

Generator::Generator(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

const Config& Generator::config() const noexcept {
    return impl_->config;
}

void Generator::cancel() noexcept {
    try {
        impl_->cancel();
    } catch (...) {
    }
}

Test Generator::generate(const Document& document, int count, Storage& storage,
                         const ProgressCallback& on_progress, std::stop_token stop) {
    check_count(count, impl_->config);
    Test test;
    test.id = detail::random_uuid();
    test.target_questions = count;
    test.seed = impl_->config.seed ? impl_->config.seed : detail::random_seed();
    test.candidates_per_question = impl_->config.candidates;
    test.provider = impl_->provider().name();
    test.created_at = test.updated_at = detail::now_rfc3339();
    test.message = "0 of " + std::to_string(count) + " questions created";
    storage.create_test(test, document.text());

    detail::RunSetup setup;
    setup.test = std::move(test);
    setup.document = document.text();
    setup.candidates = impl_->config.candidates;
    setup.judge_threshold = impl_->config.judge_threshold;
    setup.storage = &storage;
    setup.on_progress = &on_progress;
    return impl_->execute(std::move(setup), stop);
}

Test Generator::resume(std::string_view test_id, Storage& storage,
                       const ProgressCallback& on_progress, std::stop_token stop) {
    auto test = storage.find_test(test_id);
    if (!test) throw Error(errc::not_found, "no test with id '" + std::string(test_id) + "'");
    auto accepted = storage.questions(test_id);
    check_stored(*test, accepted);
    test->questions_generated = static_cast<int>(accepted.size());
    if (test->questions_generated >= test->target_questions && test->status == Status::completed)
        return *test;
    test->status = Status::generating;
    test->error = errc::ok;
    test->provider = impl_->provider().name();
    test->updated_at = detail::now_rfc3339();
    storage.update_test(*test);

    detail::RunSetup setup;
    setup.document = storage.document(test_id);
    setup.test = std::move(*test);
    setup.accepted = std::move(accepted);
    setup.candidates = setup.test.candidates_per_question;
    setup.judge_threshold = impl_->config.judge_threshold;
    setup.storage = &storage;
    setup.on_progress = &on_progress;
    return impl_->execute(std::move(setup), stop);
}

} // namespace mcqgen
