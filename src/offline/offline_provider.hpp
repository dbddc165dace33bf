#pragma once
// The offline generator: questions written from the document alone, with no network.
// Author: picks informative sentences, blanks a key term and draws three distractors of the same
// kind from elsewhere in the document. Judge: answers each question blind by finding which
// option the passage supports, and scores clarity and distractor plausibility.

#include "pipeline/provider.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace mcqgen::detail::offline {

class Inventory;

class OfflineProvider final : public Provider {
  public:
    explicit OfflineProvider(boost::asio::io_context& io);
    ~OfflineProvider() override;

    void write(const AuthorRequest& request, std::function<void(AuthorResult)> done) override;
    void judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) override;
    std::string name() const override { return "offline"; }
    void cancel() override {} // every call completes at once; nothing is in flight

    /// The candidates for a request, computed synchronously (for tests).
    AuthorResult author(const AuthorRequest& request);
    JudgeResult verdicts(const JudgeRequest& request);

  private:
    const Inventory& inventory_for(const std::shared_ptr<const std::string>& document);

    boost::asio::io_context& io_;
    std::shared_ptr<const std::string> inventory_text_; ///< the text inventory_ points into
    std::shared_ptr<const std::string> last_document_;  ///< the last run's, known to match
    std::unique_ptr<Inventory> inventory_;
};

} // namespace mcqgen::detail::offline
