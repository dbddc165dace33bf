#pragma once
// Splitting a document into passages, ranking passages (BM25 over the document's
// own key terms) and spreading question slots over the whole document.

#include "core/text.hpp"
#include "provider/provider.hpp"

#include <mcqgen/document.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mcqgen::detail {

/// Groups sentences into passages of about `target_bytes` that never cross a paragraph break
/// unless a paragraph is tiny; scores each passage.
std::vector<Passage> make_passages(std::string_view text, std::size_t target_bytes = 700);

/// The same over a document's prose only (its list items when it has no prose): a passage
/// never takes in a heading, list, table or code block, nor crosses a section.
std::vector<Passage> make_passages(const Document& document, std::size_t target_bytes = 700);

/// Orders passages for `slots` questions: the best passage of each of `slots` equal stretches
/// of the document first (coverage), then the rest by score (replacements).
std::vector<int> plan_passages(const std::vector<Passage>& passages, int slots);

} // namespace mcqgen::detail
