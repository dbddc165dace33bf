// What every storage adapter shares: the optional call and batch records, and the
// test-or-not_found read.
#include <mcqgen/storage.hpp>

namespace mcqgen {

void Storage::record_call(std::string_view, const CallRecord&) {}

std::vector<CallRecord> Storage::calls(std::string_view) {
    return {};
}

bool Storage::keeps_batches() const {
    return false;
}

void Storage::record_batch(std::string_view, const BatchRecord&) {
    throw Error(errc::storage, "this storage does not keep batches");
}

std::vector<BatchRecord> Storage::batches(std::string_view) {
    return {};
}

Test Storage::test(std::string_view test_id) {
    auto found = find_test(test_id);
    if (!found) throw no_such_test(test_id);
    return std::move(*found);
}

Error Storage::no_such_test(std::string_view test_id) {
    return Error(errc::not_found, "no test with id '" + std::string(test_id) + "'");
}

} // namespace mcqgen
