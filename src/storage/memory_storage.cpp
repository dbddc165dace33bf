#include <mcqgen/errors.hpp>
#include <mcqgen/storage.hpp>

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace mcqgen {

struct MemoryStorage::Impl {
    struct Entry {
        Test test;
        std::optional<Document> document;
        std::vector<Question> questions;
        std::vector<CallRecord> calls;
        std::vector<BatchRecord> batches;
        std::int64_t order = 0; // creation order, for newest-first listing
    };
    std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    std::int64_t next_question_id = 1;
    std::int64_t next_order = 0;

    Entry& at(std::string_view id) {
        auto it = entries.find(std::string(id));
        if (it == entries.end()) throw no_such_test(id);
        return it->second;
    }
};

MemoryStorage::MemoryStorage() : impl_(std::make_unique<Impl>()) {}
MemoryStorage::~MemoryStorage() = default;

void MemoryStorage::create_test(const Test& test, const Document& document) {
    std::lock_guard lock(impl_->mutex);
    auto [it, inserted] = impl_->entries.try_emplace(test.id);
    if (!inserted) throw Error(errc::storage, "a test with id '" + test.id + "' already exists");
    it->second = {test, document, {}, {}, {}, impl_->next_order++};
}

std::int64_t MemoryStorage::add_question(const Test& test, const Question& question) {
    std::lock_guard lock(impl_->mutex);
    auto& entry = impl_->at(test.id);
    for (const auto& q : entry.questions)
        if (q.position == question.position)
            throw Error(errc::storage, "position " + std::to_string(question.position) +
                                           " of test '" + test.id + "' is already taken");
    Question stored = question;
    stored.id = impl_->next_question_id++;
    entry.questions.push_back(stored);
    std::sort(entry.questions.begin(), entry.questions.end(),
              [](const Question& a, const Question& b) { return a.position < b.position; });
    entry.test = test;
    return stored.id;
}

void MemoryStorage::update_test(const Test& test) {
    std::lock_guard lock(impl_->mutex);
    impl_->at(test.id).test = test;
}

std::optional<Test> MemoryStorage::find_test(std::string_view test_id) {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->entries.find(std::string(test_id));
    if (it == impl_->entries.end()) return std::nullopt;
    return it->second.test;
}

std::vector<Question> MemoryStorage::questions(std::string_view test_id) {
    std::lock_guard lock(impl_->mutex);
    return impl_->at(test_id).questions;
}

Document MemoryStorage::document(std::string_view test_id) {
    std::lock_guard lock(impl_->mutex);
    return *impl_->at(test_id).document;
}

std::vector<Test> MemoryStorage::tests() {
    std::lock_guard lock(impl_->mutex);
    std::vector<const Impl::Entry*> entries;
    for (const auto& [id, entry] : impl_->entries)
        entries.push_back(&entry);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->order > b->order; });
    std::vector<Test> result;
    for (const auto* entry : entries)
        result.push_back(entry->test);
    return result;
}

void MemoryStorage::record_call(std::string_view test_id, const CallRecord& call) {
    std::lock_guard lock(impl_->mutex);
    impl_->at(test_id).calls.push_back(call);
}

std::vector<CallRecord> MemoryStorage::calls(std::string_view test_id) {
    std::lock_guard lock(impl_->mutex);
    return impl_->at(test_id).calls;
}

bool MemoryStorage::keeps_batches() const {
    return true;
}

void MemoryStorage::record_batch(std::string_view test_id, const BatchRecord& batch) {
    std::lock_guard lock(impl_->mutex);
    auto& batches = impl_->at(test_id).batches;
    auto same = std::find_if(batches.begin(), batches.end(), [&](const BatchRecord& kept) {
        return kept.batch_id == batch.batch_id;
    });
    if (same == batches.end())
        batches.push_back(batch);
    else
        *same = batch;
}

std::vector<BatchRecord> MemoryStorage::batches(std::string_view test_id) {
    std::lock_guard lock(impl_->mutex);
    return impl_->at(test_id).batches;
}

} // namespace mcqgen
