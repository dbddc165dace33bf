#pragma once
// Generator::Impl, shared by the blocking runs (generator.cpp) and the Jobs (job.cpp). The
// composition root: the one place that sees the pipeline, the providers and the storage.

#include "provider/provider.hpp"

#include <mcqgen/generator.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <mutex>
#include <stop_token>
#include <utility>

namespace mcqgen {
namespace detail {
class Run;
struct RunSetup;
} // namespace detail

class Generator::Impl {
  public:
    /// The Generator's one run at a time: held while a run goes, released when it ends.
    class Claim {
      public:
        explicit Claim(Impl& impl);
        Claim(Claim&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}
        Claim& operator=(Claim&&) = delete;
        ~Claim();

      private:
        Impl* impl_;
    };

    explicit Impl(Config c);

    /// Checks the count against the configuration: Error(errc::invalid_argument).
    void check_count(int count) const;

    /// `detach`: Generator::submit.
    Test generate(const Document& document, int count, Storage& storage,
                  const ProgressCallback& on_progress, std::stop_token stop, Claim claim,
                  bool detach = false);
    Test resume(std::string_view test_id, Storage& storage, const ProgressCallback& on_progress,
                std::stop_token stop, Claim claim);
    void cancel();

    const Config config;

  private:
    /// Batch mode needs a storage that keeps its batches: Error(errc::invalid_argument).
    void check_storage(const Storage& storage) const;
    Test execute(detail::RunSetup setup, std::stop_token stop);
    detail::RunSetup setup_for(Test test, Document document, Storage& storage,
                               const ProgressCallback& on_progress);

    boost::asio::io_context io_{1};
    std::unique_ptr<detail::Provider> provider_; ///< built with the Impl, never null
    // cancel() comes from any thread; the mutex orders it against a run's start and end, so a
    // cancel between the claim and the run's first step is not lost.
    std::mutex mutex_;
    bool busy_ = false;
    bool cancel_requested_ = false;
    std::weak_ptr<detail::Run> current_;
};

} // namespace mcqgen
