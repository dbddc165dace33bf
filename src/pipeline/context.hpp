#pragma once
// What each call sends as "the document": the whole of it when it is small enough to be sent
// (and cached) in every call, otherwise the section(s) around the call's passage, so that no
// request outgrows the model's context window and a long book costs per question about what a
// chapter does. Calls on passages of one context share its prefix, and so its cache entry.

#include "provider/provider.hpp"

#include <mcqgen/document.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace mcqgen::detail {

struct Context {
    std::size_t begin = 0; ///< byte range of the document it covers
    std::size_t end = 0;
    std::shared_ptr<const std::string> text; ///< what is sent, headed by its section path
};

/// Consecutive blocks of the document cut into contexts of at most `max_bytes` (a block longer
/// than that is cut at white space), breaking preferably where a top-level section begins.
std::vector<Context> make_contexts(const Document& document, std::size_t max_bytes);

/// The index of the context holding `offset` (contexts as make_contexts returns them).
std::size_t context_of(const std::vector<Context>& contexts, std::size_t offset);

} // namespace mcqgen::detail
