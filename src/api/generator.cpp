#include "api/generator_impl.hpp"

#include "api/provider_factory.hpp"
#include "core/clock.hpp"
#include "pipeline/run.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace mcqgen {
namespace {

// A stored test is only resumed when its record makes sense: a damaged or hand-edited database
// must give a storage error, not a crash or a run built on nonsense.
void check_stored(const Test& test, const std::vector<Question>& questions) {
    auto corrupt = [&](const std::string& what) {
        return Error(errc::storage, "test '" + test.id + "' is corrupt: " + what);
    };
    if (!limits::max_questions.allows(test.target_questions))
        throw corrupt("its target of " + std::to_string(test.target_questions) +
                      " questions is outside 1.." + std::to_string(limits::max_questions.max));
    if (!limits::candidates.allows(test.candidates_per_question))
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

// ---- Generator::Impl --------------------------------------------------------------------------

Generator::Impl::Claim::Claim(Impl& impl) : impl_(&impl) {
    std::lock_guard lock(impl.mutex_);
    if (impl.busy_) throw Error(errc::busy, "this Generator is already running a generation");
    impl.busy_ = true;
    impl.cancel_requested_ = false;
}

Generator::Impl::Claim::~Claim() {
    if (!impl_) return;
    std::lock_guard lock(impl_->mutex_);
    impl_->busy_ = false;
}

Generator::Impl::Impl(Config c) : config(std::move(c)) {
    config.validate();
    // Built now, so a bad base URL or CA file fails the Generator's construction, not a run.
    provider_ = detail::make_provider(config, io_);
}

void Generator::Impl::check_count(int count) const {
    const int max = config.pipeline.max_questions;
    if (count < 1 || count > max)
        throw Error(errc::invalid_argument, "the question count must be between 1 and " +
                                                std::to_string(max) + ", got " +
                                                std::to_string(count));
}

detail::RunSetup Generator::Impl::setup_for(Test test, Document document, Storage& storage,
                                            const ProgressCallback& on_progress) {
    detail::RunSetup setup;
    setup.test = std::move(test);
    setup.document = std::move(document);
    setup.candidates = setup.test.candidates_per_question;
    if (config.online() && !config.batch.enabled) setup.slots_at_once = config.http.max_concurrency;
    if (config.online()) {
        setup.document_bytes = static_cast<std::size_t>(config.claude.document_tokens) *
                               detail::estimated_bytes_per_token;
        // A section never larger than what would have been sent whole.
        setup.section_bytes = static_cast<std::size_t>(std::min(config.claude.section_tokens,
                                                                config.claude.document_tokens)) *
                              detail::estimated_bytes_per_token;
    }
    setup.judge_threshold = config.pipeline.judge_threshold;
    setup.style = config.pipeline.style;
    setup.provider = provider_.get();
    setup.storage = &storage;
    setup.on_progress = &on_progress;
    setup.log = config.log;
    return setup;
}

void Generator::Impl::check_storage(const Storage& storage) const {
    if (provider_->batched() && !storage.keeps_batches())
        throw Error(errc::invalid_argument,
                    "batch mode needs a storage that keeps batches (SqliteStorage, "
                    "MemoryStorage, or an adapter that implements record_batch)");
}

Test Generator::Impl::generate(const Document& document, int count, Storage& storage,
                               const ProgressCallback& on_progress, std::stop_token stop,
                               Claim /*held until the run has ended*/, bool detach) {
    check_storage(storage);
    if (detach && !provider_->batched())
        throw Error(errc::invalid_argument,
                    "submit() needs batch mode (batch.enabled, a key, and not offline)");
    Test test;
    test.id = detail::random_uuid();
    test.target_questions = count;
    test.seed = config.pipeline.seed ? config.pipeline.seed : detail::random_seed();
    test.candidates_per_question = config.pipeline.candidates;
    test.provider = provider_->name();
    test.created_at = test.updated_at = detail::now_rfc3339();
    test.message = "0 of " + std::to_string(count) + " questions created";
    storage.create_test(test, document);
    auto setup = setup_for(std::move(test), document, storage, on_progress);
    setup.detach_after_submit = detach;
    return execute(std::move(setup), stop);
}

Test Generator::Impl::resume(std::string_view test_id, Storage& storage,
                             const ProgressCallback& on_progress, std::stop_token stop,
                             Claim /*held until the run has ended*/) {
    check_storage(storage);
    Test test = storage.test(test_id);
    auto accepted = storage.questions(test_id);
    check_stored(test, accepted);
    test.questions_generated = static_cast<int>(accepted.size());
    if (test.questions_generated >= test.target_questions && test.status == Status::completed)
        return test;
    test.status = Status::generating;
    test.error = errc::ok;
    test.provider = provider_->name();
    test.updated_at = detail::now_rfc3339();
    storage.update_test(test);
    auto setup = setup_for(std::move(test), storage.document(test_id), storage, on_progress);
    setup.accepted = std::move(accepted);
    return execute(std::move(setup), stop);
}

Test Generator::Impl::execute(detail::RunSetup setup, std::stop_token stop) {
    auto run = std::make_shared<detail::Run>(io_, std::move(setup));
    {
        std::lock_guard lock(mutex_);
        current_ = run;
        if (cancel_requested_) run->request_cancel();
    }
    std::stop_callback on_stop(stop, [this] { cancel(); });
    io_.restart();
    run->start();
    io_.run();
    {
        std::lock_guard lock(mutex_);
        current_.reset();
    }
    if (!run->finished()) throw Error(errc::internal, "the run stopped before it finished");
    if (auto failure = run->failure()) std::rethrow_exception(failure);
    const Test& test = run->test();
    if (test.error == errc::auth || test.error == errc::tls) throw Error(test.error, test.message);
    return test;
}

void Generator::Impl::cancel() {
    std::lock_guard lock(mutex_);
    if (busy_) cancel_requested_ = true;
    if (auto run = current_.lock()) {
        run->request_cancel();
        boost::asio::post(io_, [run] { run->cancel(); });
    }
}

// ---- Generator --------------------------------------------------------------------------------

Generator::Generator(Config config) : impl_(std::make_shared<Impl>(std::move(config))) {}

Generator::~Generator() {
    cancel();
}

Generator::Generator(Generator&&) noexcept = default;

Generator& Generator::operator=(Generator&& other) noexcept {
    if (this != &other) {
        cancel(); // as destruction: the run of the Impl let go is cancelled
        impl_ = std::move(other.impl_);
    }
    return *this;
}

const Config& Generator::config() const {
    return impl().config;
}

Generator::Impl& Generator::impl() const {
    if (!impl_) throw Error(errc::invalid_argument, "this Generator was moved from");
    return *impl_;
}

void Generator::cancel() noexcept {
    if (!impl_) return; // moved from
    try {
        impl_->cancel();
    } catch (...) {
    }
}

Test Generator::generate(const Document& document, int count, Storage& storage,
                         const ProgressCallback& on_progress, std::stop_token stop) {
    impl().check_count(count);
    return impl_->generate(document, count, storage, on_progress, stop, Impl::Claim(*impl_));
}

Test Generator::submit(const Document& document, int count, Storage& storage,
                       const ProgressCallback& on_progress) {
    impl().check_count(count);
    return impl_->generate(document, count, storage, on_progress, {}, Impl::Claim(*impl_), true);
}

Test Generator::resume(std::string_view test_id, Storage& storage,
                       const ProgressCallback& on_progress, std::stop_token stop) {
    return impl().resume(test_id, storage, on_progress, stop, Impl::Claim(*impl_));
}

} // namespace mcqgen
