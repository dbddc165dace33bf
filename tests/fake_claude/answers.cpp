#include "answers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <set>

namespace fake_claude::detail {
namespace {

constexpr size_t min_sentence_length = 40;
constexpr size_t min_key_length = 5;
constexpr int distractor_count = 3;
constexpr std::string_view blank = "_____";

// Words of five letters or more that say nothing about a passage's content.
constexpr std::array<std::string_view, 48> stopwords{
    "about",  "above",   "after",  "again",  "against", "along",   "among",  "another",
    "around", "because", "before", "being",  "below",   "between", "could",  "does",
    "doing",  "during",  "either", "every",  "first",   "further", "having", "however",
    "itself", "might",   "other",  "others", "ought",   "rather",  "should", "since",
    "still",  "their",   "theirs", "there",  "these",   "those",   "though", "through",
    "under",  "until",   "where",  "which",  "while",   "whose",   "within", "would",
};

// Used when a passage is too short to supply three distractors of its own.
constexpr std::array<std::string_view, 10> filler_words{
    "harbor", "silver", "window", "garden", "motion",
    "planet", "signal", "custom", "bridge", "lantern",
};

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_ascii_letter(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

// Bytes of multi-byte UTF-8 characters count as letters so that "Schrödinger" stays one word
// (and, not being pure ASCII, never becomes a key) instead of yielding "dinger".
bool is_word_byte(char c) {
    return is_ascii_letter(c) || static_cast<unsigned char>(c) >= 0x80;
}

std::string lower(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

struct Word {
    size_t offset; ///< within the text it was found in
    std::string_view text;
};

std::vector<Word> words_of(std::string_view text) {
    std::vector<Word> words;
    for (size_t i = 0; i < text.size();) {
        if (!is_word_byte(text[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && is_word_byte(text[end]))
            ++end;
        words.push_back({i, text.substr(i, end - i)});
        i = end;
    }
    return words;
}

bool usable_word(std::string_view word) {
    if (word.size() < min_key_length) return false;
    if (!std::all_of(word.begin(), word.end(), is_ascii_letter)) return false;
    return std::find(stopwords.begin(), stopwords.end(), lower(word)) == stopwords.end();
}

/// Sentences as views into the passage: ended by . ? or ! followed by white space.
std::vector<std::string_view> sentences_of(std::string_view passage) {
    std::vector<std::string_view> sentences;
    size_t start = 0;
    const auto emit = [&](size_t end) {
        while (start < end && is_space(passage[start]))
            ++start;
        if (start < end) sentences.push_back(passage.substr(start, end - start));
        start = end;
    };
    for (size_t i = 0; i < passage.size(); ++i) {
        const bool terminal = passage[i] == '.' || passage[i] == '?' || passage[i] == '!';
        if (terminal && i + 1 < passage.size() && is_space(passage[i + 1])) emit(i + 1);
    }
    size_t end = passage.size();
    while (end > start && is_space(passage[end - 1]))
        --end;
    emit(end);
    return sentences;
}

/// Words that may be blanked out of a sentence: usable and present exactly once.
std::vector<Word> key_words(std::string_view sentence) {
    const auto words = words_of(sentence);
    std::vector<Word> keys;
    for (const auto& word : words) {
        if (!usable_word(word.text)) continue;
        const auto folded = lower(word.text);
        const auto occurrences = std::count_if(words.begin(), words.end(), [&](const Word& w) {
            return w.text.size() == word.text.size() && lower(w.text) == folded;
        });
        if (occurrences == 1) keys.push_back(word);
    }
    return keys;
}

std::string collapse_spaces(std::string_view text) {
    std::string result;
    for (char c : text) {
        if (!is_space(c))
            result += c;
        else if (!result.empty() && result.back() != ' ')
            result += ' ';
    }
    return result;
}

std::string match_case(std::string word, std::string_view model) {
    const bool capital = std::isupper(static_cast<unsigned char>(model.front())) != 0;
    word.front() = static_cast<char>(capital ? std::toupper(static_cast<unsigned char>(word[0]))
                                             : std::tolower(static_cast<unsigned char>(word[0])));
    return word;
}

/// Three words of the passage, outside the sentence, of a length close to the key's.
std::vector<std::string> distractors(std::string_view passage, std::string_view sentence,
                                     std::string_view key, std::mt19937_64& rng) {
    std::set<std::string> excluded;
    for (const auto& word : words_of(sentence))
        excluded.insert(lower(word.text));
    std::vector<std::string> pool;
    for (const auto& word : words_of(passage))
        if (usable_word(word.text) && excluded.insert(lower(word.text)).second)
            pool.emplace_back(word.text);
    std::shuffle(pool.begin(), pool.end(), rng);
    const auto distance = [&](const std::string& word) {
        return std::abs(static_cast<long>(word.size()) - static_cast<long>(key.size()));
    };
    std::stable_sort(pool.begin(), pool.end(), [&](const std::string& a, const std::string& b) {
        return distance(a) < distance(b);
    });
    if (pool.size() > distractor_count) pool.resize(distractor_count);
    for (const auto filler : filler_words)
        if (pool.size() < distractor_count && excluded.insert(std::string(filler)).second)
            pool.emplace_back(filler);
    for (auto& word : pool)
        word = match_case(word, key);
    return pool;
}

Candidate make_candidate(std::string_view passage, std::string_view sentence, const Word& key,
                         std::mt19937_64& rng) {
    static constexpr std::array<const char*, 3> difficulties{"easy", "medium", "hard"};
    std::string blanked(sentence);
    blanked.replace(key.offset, key.text.size(), blank);

    Candidate candidate;
    candidate.key = std::string(key.text);
    candidate.stem = "Which word completes this statement from the passage: \"" +
                     collapse_spaces(blanked) + "\"?";
    candidate.options = distractors(passage, sentence, key.text, rng);
    candidate.answer_index = static_cast<int>(rng() % (candidate.options.size() + 1));
    candidate.options.insert(candidate.options.begin() + candidate.answer_index, candidate.key);
    candidate.explanation = "The passage states: \"" + collapse_spaces(sentence) + "\"";
    candidate.quote = std::string(sentence);
    candidate.difficulty = difficulties[rng() % difficulties.size()];
    return candidate;
}

struct KeyedSentence {
    std::string_view sentence;
    std::vector<Word> keys;
};

/// Sentences long enough to ask about (any with a key word if none is), each with its keys
/// in a random order, the sentences themselves in a random order.
std::vector<KeyedSentence> usable_sentences(std::string_view passage, std::mt19937_64& rng) {
    std::vector<KeyedSentence> long_ones, short_ones;
    for (const auto sentence : sentences_of(passage)) {
        auto keys = key_words(sentence);
        if (keys.empty()) continue;
        std::shuffle(keys.begin(), keys.end(), rng);
        auto& bucket = sentence.size() >= min_sentence_length ? long_ones : short_ones;
        bucket.push_back({sentence, std::move(keys)});
    }
    auto& chosen = long_ones.empty() ? short_ones : long_ones;
    std::shuffle(chosen.begin(), chosen.end(), rng);
    return std::move(chosen);
}

} // namespace

namespace {

bool has_word(std::string_view sentence, std::string_view term) {
    const auto folded = lower(term);
    const auto words = words_of(sentence);
    if (folded.find(' ') != std::string::npos)
        return lower(sentence).find(folded) != std::string::npos;
    return std::any_of(words.begin(), words.end(),
                       [&](const Word& w) { return lower(w.text) == folded; });
}

/// The sentences without an avoided term (all of them if none is left), those holding the
/// focus first with it as their first key; keys that are avoided terms dropped.
std::vector<KeyedSentence> steer(std::vector<KeyedSentence> sentences, const Steering& steering) {
    const auto avoided = [&](std::string_view text) {
        return std::any_of(steering.avoid.begin(), steering.avoid.end(),
                           [&](const std::string& term) { return has_word(text, term); });
    };
    std::vector<KeyedSentence> clean;
    for (auto& s : sentences)
        if (!avoided(s.sentence)) clean.push_back(s);
    if (!clean.empty()) sentences = std::move(clean);
    for (auto& s : sentences) {
        std::vector<Word> keys;
        for (const auto& key : s.keys)
            if (!avoided(key.text)) keys.push_back(key);
        if (!keys.empty()) s.keys = std::move(keys);
        const auto focus = std::find_if(s.keys.begin(), s.keys.end(), [&](const Word& w) {
            return !steering.focus.empty() && lower(w.text) == lower(steering.focus);
        });
        if (focus != s.keys.end()) std::rotate(s.keys.begin(), focus, focus + 1);
    }
    std::stable_partition(sentences.begin(), sentences.end(), [&](const KeyedSentence& s) {
        return !steering.focus.empty() && lower(s.keys.front().text) == lower(steering.focus);
    });
    return sentences;
}

} // namespace

std::vector<Candidate> write_candidates(std::string_view passage, int count, std::mt19937_64& rng,
                                        const Steering& steering) {
    const auto sentences = steer(usable_sentences(passage, rng), steering);
    std::vector<Candidate> candidates;
    if (sentences.empty()) return candidates;
    // Round-robin over the sentences first, then over each sentence's keys, so that candidates
    // differ as long as the passage allows.
    for (int i = 0; i < count; ++i) {
        const auto& chosen = sentences[static_cast<size_t>(i) % sentences.size()];
        const size_t round = static_cast<size_t>(i) / sentences.size();
        const auto& key = chosen.keys[round % chosen.keys.size()];
        candidates.push_back(make_candidate(passage, chosen.sentence, key, rng));
    }
    return candidates;
}

std::string_view tagged_section(std::string_view text, std::string_view tag) {
    const std::string open = "<" + std::string(tag) + ">\n";
    const std::string close = "\n</" + std::string(tag) + ">";
    const auto start = text.rfind(open);
    if (start == std::string_view::npos) return {};
    const auto body = start + open.size();
    const auto end = text.find(close, body);
    if (end == std::string_view::npos) return {};
    return text.substr(body, end - body);
}

int requested_candidate_count(std::string_view instructions, int fallback) {
    static constexpr std::string_view lead = "Write exactly ";
    for (auto at = instructions.find(lead); at != std::string_view::npos;
         at = instructions.find(lead, at + 1)) {
        size_t digits_end = at + lead.size();
        int value = 0;
        while (digits_end < instructions.size() &&
               std::isdigit(static_cast<unsigned char>(instructions[digits_end])) && value < 100000)
            value = value * 10 + (instructions[digits_end++] - '0');
        if (digits_end > at + lead.size() &&
            instructions.substr(digits_end).starts_with(" candidate"))
            return value;
    }
    return fallback;
}

} // namespace fake_claude::detail
