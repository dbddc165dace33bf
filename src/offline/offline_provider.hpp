#pragma once
// The offline generator: questions written from the document alone, with no network.
// Author: picks informative sentences, blanks a key term and draws three distractors of the same
// kind from elsewhere in the document. Judge: answers each question blind by finding which
// option the passage supports, and scores clarity and distractor plausibility.

#include "provider/provider.hpp"

#include <memory>

namespace mcqgen::detail::offline {

class Inventory;

class OfflineProvider final : public Provider {
  public:
    OfflineProvider();
    ~OfflineProvider() override;

    void write(const AuthorRequest& request, std::function<void(AuthorResult)> done) override;
    void judge(const JudgeRequest& request, std::function<void(JudgeResult)> done) override;
    std::string name() const override { return "offline"; }
    /// Calls cost microseconds: a slot may try many passages before a test ends short.
    int author_calls_per_question() const override { return 40; }
    bool adaptive_candidates() const override { return false; } // its candidates are free
    bool steerable() const override { return false; }
    bool distinct_keys() const override { return true; } // it reads taken_keys
    void cancel() override {} // every call completes inline; nothing is in flight

    /// The candidates and verdicts write() and judge() complete with.
    AuthorResult author(const AuthorRequest& request);
    JudgeResult verdicts(const JudgeRequest& request);

  private:
    const Inventory& inventory_for(const std::shared_ptr<const std::string>& document);

    std::shared_ptr<const std::string> inventory_text_; ///< the text inventory_ points into
    std::shared_ptr<const std::string> last_document_;  ///< the last run's, known to match
    std::unique_ptr<Inventory> inventory_;
};

} // namespace mcqgen::detail::offline
