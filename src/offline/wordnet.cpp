// WordNet through Debian's libwordnet (wn.h), which finds and opens the database and inflects
// collocations; the rest is read here. The library keeps its open files, its search state and
// its result buffers in globals, so every call into it, and every cache here, is guarded by one
// process-wide mutex. In memory: the index (lemma -> synsets, 3 MB), the tag counts and the
// exception lists; synset lines stay on disk, read by file offset and cached.

#include "offline/wordnet.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <list>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <unistd.h>

// Last: wn.h defines short macros (NOUN, CLASS, bit...) that must not reach other headers.
#include <wn.h>

namespace mcqgen::detail::offline::wordnet {
namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers on strings

/// The library's word buffers hold 256 bytes; longer input is no word of WordNet's anyway.
constexpr std::size_t max_word_bytes = 200;

/// The longest list of sister terms kept (a hypernym with many instances has hundreds).
constexpr std::size_t max_sisters = 200;

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool is_vowel(char c) {
    return std::strchr("aeiou", c) != nullptr && c != '\0';
}

/// WordNet's index form: lower case, words joined by '_'; "" when empty or too long.
std::string index_form(std::string_view text) {
    std::string key;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '_') {
            if (!key.empty() && key.back() != '_') key += '_';
        } else {
            key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    while (!key.empty() && key.back() == '_')
        key.pop_back();
    return key.size() > max_word_bytes ? std::string() : key;
}

/// A word as the data files store it ("New_York", "hot(p)") made readable: spaces, no marker.
std::string readable(std::string_view stored) {
    std::string text(stored.substr(0, stored.find('(')));
    std::replace(text.begin(), text.end(), '_', ' ');
    return text;
}

/// A stored word's index form: "New_York" -> "new_york", "hot(p)" -> "hot".
std::string stored_key(std::string_view stored) {
    return lower(stored.substr(0, stored.find('(')));
}

// ---------------------------------------------------------------------------------------------
// Bounded caches

/// A least-recently-used map of bounded size: the caches all generators of a process share.
template <class Value> class BoundedCache {
  public:
    explicit BoundedCache(std::size_t capacity) : capacity_(capacity) {}

    const Value* find(const std::string& key) {
        const auto at = index_.find(key);
        if (at == index_.end()) return nullptr;
        entries_.splice(entries_.begin(), entries_, at->second);
        return &at->second->second;
    }

    const Value& put(const std::string& key, Value value) {
        if (const auto at = index_.find(key); at != index_.end()) {
            entries_.erase(at->second);
            index_.erase(at);
        }
        entries_.emplace_front(key, std::move(value));
        index_.emplace(key, entries_.begin());
        if (entries_.size() > capacity_) {
            index_.erase(entries_.back().first);
            entries_.pop_back();
        }
        return entries_.front().second;
    }

  private:
    using Entries = std::list<std::pair<std::string, Value>>;
    std::size_t capacity_;
    Entries entries_;
    std::unordered_map<std::string, typename Entries::iterator> index_;
};

/// The cached value for `key`, made by `make()` on a miss. A copy: a later miss may evict it.
template <class Value, class Make>
Value cached(BoundedCache<Value>& cache, const std::string& key, Make&& make) {
    if (const Value* known = cache.find(key)) return *known;
    return cache.put(key, make());
}

// ---------------------------------------------------------------------------------------------
// The C library: handles and parsed synsets

int c_pos(Pos pos) {
    switch (pos) {
    case Pos::noun:
        return NOUN;
    case Pos::verb:
        return VERB;
    case Pos::adjective:
        return ADJ;
    case Pos::adverb:
        return ADV;
    }
    return NOUN;
}

/// What this module needs of one synset, copied out of the library's structure.
struct SynsetInfo {
    long offset = 0;
    int fnum = 0;
    bool satellite = false;         ///< an adjective satellite: its sense keys name a head
    std::vector<std::string> words; ///< as stored ("New_York", "hot(p)")
    std::vector<int> lexids;        ///< one per word, for sense keys
    std::vector<long> hypernyms;    ///< including instance-of, same pos
    std::vector<long> hyponyms;     ///< including instances, same pos
    std::vector<long> similar;      ///< adjectives' "similar to"
};

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// The whitespace-separated fields of a line, in order.
std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> fields;
    const char* at = line.data();
    const char* const end = at + line.size();
    while (true) {
        while (at != end && is_blank(*at))
            ++at;
        if (at == end) return fields;
        const char* const start = at;
        while (at != end && !is_blank(*at))
            ++at;
        fields.emplace_back(start, std::size_t(at - start));
    }
}

/// A number of the data files' lines, in base 10 or 16; -1 when it is none.
long number(std::string_view field, int base) {
    long value = -1;
    const auto [end, error] =
        std::from_chars(field.data(), field.data() + field.size(), value, base);
    return field.empty() || error != std::errc() || end != field.data() + field.size() || value < 0
               ? -1
               : value;
}

/// One synset line of a data file (wndb(5WN): "offset lex_filenum ss_type w_cnt word lex_id ...
/// p_cnt ptr ... | gloss"), read here rather than by the library's read_synset, which also looks
/// every word of the synset up in the index for its sense number: several binary searches per
/// synset that few callers need (sense_number_locked finds it for those). Null when the line
/// is not the synset at `offset`.
std::shared_ptr<const SynsetInfo> parse_synset_line(std::string_view line, long offset) {
    const auto f = fields_of(line.substr(0, line.find(" | ")));
    auto info = std::make_shared<SynsetInfo>();
    info->offset = offset;
    if (f.size() < 4 || number(f[0], 10) != offset) return nullptr;
    info->fnum = static_cast<int>(number(f[1], 10));
    info->satellite = f[2] == "s";
    const long words = number(f[3], 16);
    if (info->fnum < 0 || words < 0 || f.size() < 5 + 2 * std::size_t(words)) return nullptr;
    std::size_t at = 4;
    for (long i = 0; i < words; ++i, at += 2) {
        info->words.emplace_back(f[at]);
        info->lexids.push_back(static_cast<int>(number(f[at + 1], 16)));
    }
    const long pointers = number(f[at++], 10);
    if (pointers < 0 || f.size() < at + 4 * std::size_t(pointers)) return nullptr;
    for (long i = 0; i < pointers; ++i, at += 4) {
        const std::string_view symbol = f[at];
        const long to = number(f[at + 1], 10);
        if (to < 0) return nullptr;
        if (symbol == "@" || symbol == "@i")
            info->hypernyms.push_back(to);
        else if (symbol == "~" || symbol == "~i")
            info->hyponyms.push_back(to);
        else if (symbol == "&")
            info->similar.push_back(to);
    }
    return info;
}

/// The lexicographer file's name ("noun.location"), "" for a number out of range.
std::string lexfile_name(int fnum) {
    return fnum >= 0 && fnum <= MAXFNUM && lexfiles[fnum] != nullptr ? lexfiles[fnum] : "";
}

// ---------------------------------------------------------------------------------------------
// Exception lists, read in both directions

struct Exceptions {
    std::unordered_map<std::string, std::vector<std::string>> bases;       ///< form -> lemmas
    std::unordered_map<std::string, std::vector<std::string>> inflections; ///< lemma -> forms
};

Exceptions read_exceptions(const std::string& path) {
    Exceptions exceptions;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string form, base;
        fields >> form;
        while (fields >> base) {
            exceptions.bases[form].push_back(base);
            exceptions.inflections[base].push_back(form);
        }
    }
    return exceptions;
}

// ---------------------------------------------------------------------------------------------
// The database: opened once, every member guarded by database_mutex

/// The library's messages go to stderr by default; a library must not print.
int silent(char*) {
    return -1;
}

/// WNSEARCHDIR and WNHOME are copied into 256-byte buffers by the library.
bool environment_fits() {
    for (const char* name : {"WNSEARCHDIR", "WNHOME"})
        if (const char* value = std::getenv(name); value && std::strlen(value) > max_word_bytes)
            return false;
    return true;
}

struct Anchors {
    long person = -1, organization = -1, location = -1;
};

/// cntlist.rev (sense key, sense number, tag count per line) as sorted (key hash, count)
/// pairs: about 37,000 of them, 0.6 MB, looked up thousands of times per test.
class TagCounts {
  public:
    void read(const std::string& path) {
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            const auto f = fields_of(line);
            if (const long count = f.size() == 3 ? number(f[2], 10) : -1; count > 0)
                counts_.emplace_back(hash(f[0]), static_cast<int>(std::min(count, long(INT_MAX))));
        }
        std::sort(counts_.begin(), counts_.end());
        counts_.shrink_to_fit();
    }
    int of(std::string_view sense_key) const {
        const auto h = hash(sense_key);
        const auto at = std::lower_bound(counts_.begin(), counts_.end(), std::pair{h, 0});
        return at != counts_.end() && at->first == h ? at->second : 0;
    }

  private:
    static std::uint64_t hash(std::string_view text) { return std::hash<std::string_view>{}(text); }
    std::vector<std::pair<std::uint64_t, int>> counts_;
};

/// An index file (wndb(5WN): "lemma pos synset_cnt ... offset...", one line per lemma) held
/// in memory as (lemma hash, offsets) entries sorted by hash: about 150,000 lemmas in 3 MB over
/// all four files, read in a few milliseconds. Looked up tens of thousands of times per test,
/// which as binary searches on disk (the library's index_lookup: 17 seeks and reads a word)
/// were a third of the offline generator's time.
class Index {
  public:
    void read(FILE* stream) {
        if (stream == nullptr || std::fseek(stream, 0, SEEK_SET) != 0) return;
        entries_.reserve(expected_entries);
        offsets_.reserve(expected_entries * 4 / 3);
        // Line by line through a buffer: the whole noun index would be 4.8 MB at once.
        std::vector<char> buffer(1 << 16);
        std::size_t held = 0;
        for (std::size_t n;
             (n = std::fread(buffer.data() + held, 1, buffer.size() - held, stream)) > 0 ||
             held > 0;) {
            const std::string_view text(buffer.data(), held + n);
            std::size_t at = 0;
            for (std::size_t end; (end = text.find('\n', at)) != std::string_view::npos;
                 at = end + 1)
                add(text.substr(at, end - at));
            if (n == 0) { // the last line, without a newline
                add(text.substr(at));
                break;
            }
            held = text.size() - at;
            if (held == buffer.size()) held = 0; // a line longer than the buffer: no lemma's
            std::memmove(buffer.data(), buffer.data() + at, held);
        }
        std::sort(entries_.begin(), entries_.end(),
                  [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
        entries_.shrink_to_fit();
        offsets_.shrink_to_fit();
    }

    /// The synset offsets listed for `key`, most frequent sense first; none when not listed.
    std::vector<long> offsets(std::string_view key) const {
        const std::uint64_t h = hash(key);
        const auto at =
            std::lower_bound(entries_.begin(), entries_.end(), h,
                             [](const Entry& e, std::uint64_t v) { return e.hash < v; });
        if (at == entries_.end() || at->hash != h) return {};
        return {offsets_.begin() + at->first, offsets_.begin() + at->first + at->count};
    }

  private:
    struct Entry {
        std::uint64_t hash;
        std::uint32_t first, count;
    };

    static std::uint64_t hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

    /// The noun index's lemmas, near enough: reserved so loading does not regrow the vectors.
    static constexpr std::size_t expected_entries = 1 << 17;

    /// One line; the license lines at the top start with spaces and are skipped. Only the
    /// lemma, synset_cnt and the offsets that end the line are read: this runs 150,000 times.
    void add(std::string_view line) {
        if (line.empty() || line.front() == ' ') return;
        const std::size_t lemma_end = line.find(' ');
        const std::size_t pos_end = line.find(' ', std::min(lemma_end, line.size() - 1) + 1);
        const std::size_t count_end = line.find(' ', std::min(pos_end, line.size() - 1) + 1);
        if (count_end == std::string_view::npos) return;
        const long count = number(line.substr(pos_end + 1, count_end - pos_end - 1), 10);
        if (count <= 0) return;
        const auto first = static_cast<std::uint32_t>(offsets_.size());
        std::size_t end = line.size();
        for (long i = 0; i < count; ++i) { // the offsets, read from the end
            while (end > count_end && is_blank(line[end - 1]))
                --end;
            const std::size_t begin = line.rfind(' ', end - 1) + 1;
            const long offset =
                begin > count_end ? number(line.substr(begin, end - begin), 10) : -1;
            if (offset < 0 || offset > long(UINT32_MAX)) {
                offsets_.resize(first);
                return;
            }
            offsets_.push_back(static_cast<std::uint32_t>(offset));
            end = begin;
        }
        std::reverse(offsets_.begin() + first, offsets_.end());
        entries_.push_back({hash(line.substr(0, lemma_end)), first, std::uint32_t(count)});
    }

    std::vector<Entry> entries_;
    std::vector<std::uint32_t> offsets_;
};

/// What related() compares of a word: its senses, their hypernyms and similar synsets.
struct Closure {
    std::vector<long> own;       ///< every sense of every base form, sorted
    std::vector<long> ancestors; ///< sorted
    std::vector<long> similar;   ///< sorted
};

struct Database {
    bool open = false;
    Index indexes[NUMPARTS + 1];
    TagCounts tag_counts;
    Exceptions nouns, verbs, adjectives, adverbs;
    Anchors anchors;
    BoundedCache<std::shared_ptr<const SynsetInfo>> synsets{8192}; ///< null: unreadable
    BoundedCache<std::vector<std::string>> base_forms{8192};
    BoundedCache<int> familiarity{16384};
    BoundedCache<std::shared_ptr<const std::vector<Sister>>> sisters{512}; ///< up to 200 each
    BoundedCache<NameKind> names{8192};
    BoundedCache<std::vector<long>> ancestors{4096};
    BoundedCache<std::shared_ptr<const Closure>> closures{2048};
};

std::mutex database_mutex;

// Every function below named *_locked runs with database_mutex held and the database open.

/// The synsets of `key`, most frequent sense first; none when it is not a lemma.
std::vector<long> senses_locked(const Database& db, std::string_view key, int pos) {
    if (key.empty() || key.size() > max_word_bytes || pos < 1 || pos > NUMPARTS) return {};
    return db.indexes[pos].offsets(key);
}

long first_sense_locked(const Database& db, std::string_view key, int pos) {
    const auto offsets = senses_locked(db, key, pos);
    return offsets.empty() ? -1 : offsets.front();
}

using SynsetRef = std::shared_ptr<const SynsetInfo>;

/// The line of a data file at `offset` without its newline, "" when there is none. Read with
/// pread: a stdio seek drops its buffer and refills 4 KB for a line of a few hundred bytes.
std::string data_line_locked(int pos, long offset) {
    FILE* data = pos >= 1 && pos <= NUMPARTS ? datafps[pos] : nullptr;
    if (data == nullptr || offset < 0) return {};
    std::string line;
    char buffer[1024];
    for (off_t at = offset;;) {
        const ssize_t n = pread(fileno(data), buffer, sizeof buffer, at);
        if (n <= 0) return line;
        const char* end = static_cast<const char*>(std::memchr(buffer, '\n', std::size_t(n)));
        line.append(buffer, end != nullptr ? std::size_t(end - buffer) : std::size_t(n));
        if (end != nullptr || line.size() > 64 * 1024) return line;
        at += n;
    }
}

SynsetRef read_synset_locked(int pos, long offset) {
    return parse_synset_line(data_line_locked(pos, offset), offset);
}

/// A synset's gloss: its definition and examples, after the line's " | ".
std::string gloss_locked(int pos, long offset) {
    std::string line = data_line_locked(pos, offset);
    const auto bar = line.find(" | ");
    const auto first = line.find(' ');
    // An offset from a caller may point into the middle of a line.
    if (bar == std::string::npos || number(std::string_view(line).substr(0, first), 10) != offset)
        return {};
    line.erase(0, bar + 3);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
        line.pop_back();
    return line;
}

std::string synset_key(int pos, long offset) {
    return std::to_string(pos) + ':' + std::to_string(offset);
}

/// The synset at `offset`, null when there is none.
SynsetRef synset_locked(Database& db, int pos, long offset) {
    return cached(db.synsets, synset_key(pos, offset),
                  [&] { return read_synset_locked(pos, offset); });
}

/// The same, not kept when it is not cached yet: for the many hyponyms a sister search reads
/// once (its result is cached), which would otherwise crowd the cache out.
SynsetRef passing_synset_locked(Database& db, int pos, long offset) {
    if (const SynsetRef* known = db.synsets.find(synset_key(pos, offset))) return *known;
    return read_synset_locked(pos, offset);
}

bool open_locked(Database& db) {
    if (!environment_fits()) return false;
    display_message = silent;
    if (wninit() != 0) return false;
    const std::string dir = SetSearchdir();
    db.nouns = read_exceptions(dir + "/noun.exc");
    db.verbs = read_exceptions(dir + "/verb.exc");
    db.adjectives = read_exceptions(dir + "/adj.exc");
    db.adverbs = read_exceptions(dir + "/adv.exc");
    db.tag_counts.read(dir + "/cntlist.rev");
    // The first senses of these are the roots name_kind looks for among a name's hypernyms.
    for (int pos = 1; pos <= NUMPARTS; ++pos)
        db.indexes[pos].read(indexfps[pos]);
    db.anchors = {first_sense_locked(db, "person", NOUN),
                  first_sense_locked(db, "organization", NOUN),
                  first_sense_locked(db, "location", NOUN)};
    return true;
}

/// The database, opened on first use. Call with database_mutex held.
Database& database_locked() {
    static Database db;
    static const bool opened = db.open = open_locked(db);
    (void)opened;
    return db;
}

// ---------------------------------------------------------------------------------------------
// Lemmas and counts

const Exceptions& exceptions_of(const Database& db, int pos) {
    return pos == NOUN   ? db.nouns
           : pos == VERB ? db.verbs
           : pos == ADJ  ? db.adjectives
                         : db.adverbs;
}

/// Morphy's detachment rules (morphy(7WN)) by part of speech: an inflectional ending and what
/// replaces it, tried in this order.
const std::vector<std::pair<std::string_view, std::string_view>>& detachments(int pos) {
    static const std::vector<std::pair<std::string_view, std::string_view>> noun = {
        {"s", ""},      {"ses", "s"},   {"xes", "x"},   {"zes", "z"},
        {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
    static const std::vector<std::pair<std::string_view, std::string_view>> verb = {
        {"s", ""},   {"ies", "y"}, {"es", "e"},  {"es", ""},
        {"ed", "e"}, {"ed", ""},   {"ing", "e"}, {"ing", ""}};
    static const std::vector<std::pair<std::string_view, std::string_view>> adjective = {
        {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
    static const std::vector<std::pair<std::string_view, std::string_view>> none;
    return pos == NOUN ? noun : pos == VERB ? verb : pos == ADJ ? adjective : none;
}

/// Morphy on one word, as the library's morphstr does it (its exception list, else the first
/// detachment rule that gives a lemma), from the exception lists in memory and the cached index:
/// the library searches the exception file and the index on disk for every rule it tries.
std::vector<std::string> morphy_locked(Database& db, const std::string& word, int pos) {
    std::vector<std::string> bases;
    if (const auto at = exceptions_of(db, pos).bases.find(word);
        at != exceptions_of(db, pos).bases.end()) {
        for (const auto& base : at->second)
            if (base != word) bases.push_back(base);
        return bases; // listed ("his" as itself): no rule applies
    }
    std::string stem = word, tail; // "cupsful": the rules apply to "cups", "ful" goes back on
    if (pos == NOUN && ends_with(word, "ful")) {
        stem = word.substr(0, word.size() - 3);
        tail = "ful";
    } else if (pos == NOUN && (ends_with(word, "ss") || word.size() <= 2)) {
        return bases;
    }
    for (const auto& [ending, replacement] : detachments(pos)) {
        if (!ends_with(stem, ending)) continue;
        std::string base = stem.substr(0, stem.size() - ending.size()) + std::string(replacement);
        if (base != stem && !senses_locked(db, base, pos).empty()) {
            bases.push_back(base + tail);
            break;
        }
    }
    return bases;
}

/// The library's morphstr for what morphy_locked does not cover: collocations and phrasal verbs.
std::vector<std::string> morphstr_locked(const std::string& key, int pos) {
    std::vector<std::string> bases;
    std::string buffer = key; // morphstr takes a char* and keeps state between calls
    for (const char* form = morphstr(buffer.data(), pos); form != nullptr;
         form = morphstr(nullptr, pos))
        bases.emplace_back(form);
    return bases;
}

/// Base forms in index form; the word first when it is a lemma.
std::vector<std::string> base_forms_locked(Database& db, const std::string& key, int pos) {
    return cached(db.base_forms, std::to_string(pos) + ':' + key, [&] {
        std::vector<std::string> forms;
        if (key.empty()) return forms;
        if (!senses_locked(db, key, pos).empty()) forms.push_back(key);
        const bool one_word = key.find_first_of("_-") == std::string::npos;
        for (auto& base : one_word ? morphy_locked(db, key, pos) : morphstr_locked(key, pos))
            if (std::find(forms.begin(), forms.end(), base) == forms.end() &&
                !senses_locked(db, base, pos).empty())
                forms.push_back(std::move(base));
        return forms;
    });
}

/// The tag count of word `which` of a synset, from cntlist.rev by its sense key (wndb(5WN)).
int tag_count_locked(Database& db, int pos, const SynsetInfo& s, std::size_t which) {
    const std::string word = stored_key(s.words[which]);
    char key[2 * WORDBUF + 64];
    if (s.satellite) {
        const SynsetRef head = s.similar.empty() ? nullptr : synset_locked(db, ADJ, s.similar[0]);
        if (!head || head->words.empty()) return 0;
        std::snprintf(key, sizeof key, "%s%%%d:%02d:%02d:%s:%02d", word.c_str(), SATELLITE, s.fnum,
                      s.lexids[which], stored_key(head->words.front()).c_str(),
                      head->lexids.front());
    } else {
        std::snprintf(key, sizeof key, "%s%%%d:%02d:%02d::", word.c_str(), pos, s.fnum,
                      s.lexids[which]);
    }
    return db.tag_counts.of(key);
}

/// Which sense of its word word `which` of a synset is (1 the most frequent), 0 when unknown.
int sense_number_locked(Database& db, const SynsetInfo& s, std::size_t which, int pos) {
    const auto senses = senses_locked(db, stored_key(s.words[which]), pos);
    const auto at = std::find(senses.begin(), senses.end(), s.offset);
    return at == senses.end() ? 0 : static_cast<int>(at - senses.begin()) + 1;
}

/// The position of `key` among a synset's words, or npos.
std::size_t word_in_locked(const SynsetInfo& s, const std::string& key) {
    for (std::size_t i = 0; i < s.words.size(); ++i)
        if (stored_key(s.words[i]) == key) return i;
    return std::string::npos;
}

/// The tag count of `key` in each of its senses, most frequent first.
std::vector<int> sense_tag_counts_locked(Database& db, const std::string& key, int pos) {
    std::vector<int> counts;
    for (const long offset : senses_locked(db, key, pos)) {
        const auto s = synset_locked(db, pos, offset);
        const auto which = s ? word_in_locked(*s, key) : std::string::npos;
        counts.push_back(which == std::string::npos ? 0 : tag_count_locked(db, pos, *s, which));
    }
    return counts;
}

int familiarity_locked(Database& db, const std::string& key, int pos) {
    return cached(db.familiarity, std::to_string(pos) + ':' + key, [&] {
        const auto counts = sense_tag_counts_locked(db, key, pos);
        return std::accumulate(counts.begin(), counts.end(), 0);
    });
}

/// Whether sense `i` (by tag counts, most frequent first) is a real share of a word's use: the
/// first always, a later one with two tags and a tenth of the first's.
bool attested(const std::vector<int>& counts, std::size_t i) {
    return i == 0 || (i < counts.size() && counts[i] >= 2 && counts[i] * 10 >= counts.front());
}

/// The first of the `most` most frequent senses, and those after it that the tagged corpus
/// attests as a real share of the word's use: "city" as a district too (13 tags against 103),
/// but "teacher" not as a personified abstraction (1 against 41), nor "dog" as a frump (0).
std::vector<long> attested_senses_locked(Database& db, const std::string& key, int pos, int most) {
    const auto offsets = senses_locked(db, key, pos);
    if (offsets.empty() || most <= 0) return {};
    const auto counts = sense_tag_counts_locked(db, key, pos);
    std::vector<long> kept = {offsets.front()};
    for (std::size_t i = 1; i < offsets.size() && kept.size() < std::size_t(most); ++i)
        if (attested(counts, i)) kept.push_back(offsets[i]);
    return kept;
}

/// Every hypernym (instance-of included) of the synsets, at any depth, sorted.
std::vector<long> ancestors_locked(Database& db, const std::vector<long>& synsets, int pos) {
    std::unordered_set<long> seen;
    std::vector<long> frontier = synsets, found;
    // The deepest noun hierarchy is under 20 levels; the bound guards against a damaged file.
    for (int depth = 0; depth < MAXDEPTH && !frontier.empty(); ++depth) {
        std::vector<long> next;
        for (const long offset : frontier) {
            const auto s = synset_locked(db, pos, offset);
            if (!s) continue;
            for (const long up : s->hypernyms)
                if (seen.insert(up).second) {
                    found.push_back(up);
                    next.push_back(up);
                }
        }
        frontier = std::move(next);
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::vector<long> lemma_ancestors_locked(Database& db, const std::string& key, int pos) {
    return cached(db.ancestors, std::to_string(pos) + ':' + key,
                  [&] { return ancestors_locked(db, senses_locked(db, key, pos), pos); });
}

bool contains(const std::vector<long>& sorted, long offset) {
    return std::binary_search(sorted.begin(), sorted.end(), offset);
}

// ---------------------------------------------------------------------------------------------
// Names

NameKind kind_of_locked(Database& db, const SynsetInfo& s) {
    const auto up = ancestors_locked(db, {s.offset}, NOUN);
    const Anchors& a = db.anchors;
    if (contains(up, a.organization)) return NameKind::organization;
    if (contains(up, a.person)) return NameKind::person;
    if (contains(up, a.location)) return NameKind::place;
    const std::string file = lexfile_name(s.fnum);
    if (file == "noun.person") return NameKind::person;
    if (file == "noun.location") return NameKind::place;
    if (file == "noun.group") return NameKind::organization;
    return NameKind::other;
}

NameKind name_kind_locked(Database& db, const std::string& key) {
    return cached(db.names, key, [&] {
        for (const long offset : senses_locked(db, key, NOUN)) {
            const auto s = synset_locked(db, NOUN, offset);
            if (!s) continue;
            const auto which = word_in_locked(*s, key);
            // A proper noun is stored capitalised ("Paris"; "paris" is a herb).
            if (which != std::string::npos &&
                std::isupper(static_cast<unsigned char>(s->words[which][0])))
                return kind_of_locked(db, *s);
        }
        return NameKind::unknown;
    });
}

// ---------------------------------------------------------------------------------------------
// Sister terms

/// What a key's sister terms must not be: its own synsets, words, hypernyms and text.
struct Exclusions {
    std::vector<long> own;                 ///< the key's synsets, every sense, sorted
    std::vector<long> ancestors;           ///< of the senses examined, sorted
    std::unordered_set<std::string> words; ///< lower case, with spaces: the key and synonyms
    std::string text;                      ///< the key, lower case, with spaces

    bool overlaps(const std::string& lower_text) const {
        return words.count(lower_text) != 0 || lower_text.find(text) != std::string::npos ||
               text.find(lower_text) != std::string::npos;
    }
};

Exclusions exclusions_locked(Database& db, const std::string& key, int pos,
                             const std::vector<long>& examined) {
    Exclusions ex;
    ex.own = senses_locked(db, key, pos);
    std::sort(ex.own.begin(), ex.own.end());
    ex.ancestors = ancestors_locked(db, examined, pos);
    ex.text = lower(readable(key));
    ex.words.insert(ex.text);
    for (const long offset : ex.own)
        if (const auto s = synset_locked(db, pos, offset))
            for (const auto& w : s->words)
                ex.words.insert(lower(readable(w)));
    return ex;
}

/// More familiar in its meaning first, then the more dominant meaning of its word.
bool more_familiar(const Sister& a, const Sister& b) {
    return a.familiarity != b.familiarity ? a.familiarity > b.familiarity : a.sense < b.sense;
}

/// The sister a synset offers: its most familiar acceptable word, or nullopt.
std::optional<Sister> best_word_locked(Database& db, const SynsetInfo& s, int pos,
                                       const Exclusions& ex) {
    std::optional<Sister> best;
    for (std::size_t i = 0; i < s.words.size(); ++i) {
        Sister candidate;
        candidate.lemma = readable(s.words[i]);
        if (ex.overlaps(lower(candidate.lemma))) continue;
        candidate.familiarity = tag_count_locked(db, pos, s, i);
        candidate.sense = sense_number_locked(db, s, i, pos);
        if (!best || more_familiar(candidate, *best)) best = std::move(candidate);
    }
    return best;
}

bool is_hyponym_of(const SynsetInfo& s, const std::vector<long>& sorted_synsets) {
    return std::any_of(s.hypernyms.begin(), s.hypernyms.end(),
                       [&](long up) { return contains(sorted_synsets, up); });
}

/// Orders sisters by familiarity in their meaning, then by the dominance of that meaning. Ties
/// of untagged meanings, the long tail, go first by the word's total familiarity when the
/// meaning is among the word's first three, so that a word known from its other senses comes
/// before an obscure one.
void rank_locked(Database& db, std::vector<Sister>& sisters, int pos) {
    std::vector<std::pair<Sister, int>> ranked;
    for (auto& sister : sisters) {
        const bool tail = sister.familiarity == 0 && sister.sense <= 3;
        const int total = tail ? familiarity_locked(db, index_form(sister.lemma), pos) : 0;
        ranked.emplace_back(std::move(sister), total);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        if (a.first.familiarity != b.first.familiarity)
            return a.first.familiarity > b.first.familiarity;
        if (a.second != b.second) return a.second > b.second;
        return a.first.sense < b.first.sense;
    });
    sisters.clear();
    for (auto& entry : ranked)
        sisters.push_back(std::move(entry.first));
}

/// The hypernyms `generation` levels above a synset (1: its parents), deduplicated.
std::vector<long> uppers_locked(Database& db, int pos, const SynsetInfo& s, int generation) {
    std::vector<long> level = s.hypernyms;
    for (int g = 1; g < generation; ++g) {
        std::vector<long> next;
        for (const long offset : level)
            if (const auto up = synset_locked(db, pos, offset))
                for (const long above : up->hypernyms)
                    if (std::find(next.begin(), next.end(), above) == next.end())
                        next.push_back(above);
        level = std::move(next);
    }
    return level;
}

std::vector<Sister> sisters_locked(Database& db, const std::string& key, int pos,
                                   const std::vector<long>& examined, int generation) {
    const Exclusions ex = exclusions_locked(db, key, pos, examined);
    std::vector<Sister> found;
    std::unordered_set<std::string> seen;
    std::unordered_set<long> visited;
    for (const long sense : examined) {
        const auto s = synset_locked(db, pos, sense);
        if (!s) continue;
        for (const long parent_offset : uppers_locked(db, pos, *s, generation)) {
            const auto parent = synset_locked(db, pos, parent_offset);
            if (!parent || parent->words.empty()) continue;
            for (const long child_offset : parent->hyponyms) {
                if (contains(ex.own, child_offset) || contains(ex.ancestors, child_offset) ||
                    !visited.insert(child_offset).second)
                    continue;
                const auto child = passing_synset_locked(db, pos, child_offset);
                if (!child || is_hyponym_of(*child, ex.own)) continue;
                auto best = best_word_locked(db, *child, pos, ex);
                if (!best || !seen.insert(lower(best->lemma)).second) continue;
                best->hypernym = readable(parent->words.front());
                best->lexical_class = lexfile_name(child->fnum);
                best->synset = child_offset;
                found.push_back(std::move(*best));
            }
        }
    }
    rank_locked(db, found, pos);
    // Bounds the cache entry; no caller wants a distractor this far down.
    if (found.size() > max_sisters) found.resize(max_sisters);
    return found;
}

/// The first `limit` sisters of `key` in the senses `examined()` gives, `generation` levels out,
/// cached under `which` (the choice of senses).
template <class Examined>
std::vector<Sister> cached_sisters_locked(Database& db, const std::string& key, int pos,
                                          const std::string& which, std::size_t limit,
                                          int generation, Examined&& examined) {
    const std::string cache_key =
        std::to_string(pos) + ':' + which + ':' + std::to_string(generation) + ':' + key;
    const auto all = cached(db.sisters, cache_key, [&] {
        return std::make_shared<const std::vector<Sister>>(
            sisters_locked(db, key, pos, examined(), generation));
    });
    return std::vector<Sister>(all->begin(), all->begin() + std::min(limit, all->size()));
}

// ---------------------------------------------------------------------------------------------
// Relatedness

Closure uncached_closure_locked(Database& db, std::string_view word, int pos) {
    Closure c;
    for (const auto& base : base_forms_locked(db, index_form(word), pos)) {
        const auto senses = senses_locked(db, base, pos);
        c.own.insert(c.own.end(), senses.begin(), senses.end());
        const auto up = lemma_ancestors_locked(db, base, pos);
        c.ancestors.insert(c.ancestors.end(), up.begin(), up.end());
        for (const long offset : senses)
            if (const auto s = synset_locked(db, pos, offset))
                c.similar.insert(c.similar.end(), s->similar.begin(), s->similar.end());
    }
    for (auto* list : {&c.own, &c.ancestors, &c.similar})
        std::sort(list->begin(), list->end());
    return c;
}

/// The closure of a word, cached: a key is compared with every candidate distractor.
std::shared_ptr<const Closure> closure_locked(Database& db, std::string_view word, int pos) {
    return cached(db.closures, std::to_string(pos) + ':' + std::string(word), [&] {
        return std::make_shared<const Closure>(uncached_closure_locked(db, word, pos));
    });
}

bool intersects(const std::vector<long>& a, const std::vector<long>& sorted_b) {
    return std::any_of(a.begin(), a.end(), [&](long x) { return contains(sorted_b, x); });
}

// ---------------------------------------------------------------------------------------------
// Inflection

enum class Form { base, plural, third, past, participle, ing };

/// Words that bear WordNet exception forms English mostly no longer uses.
bool archaic(std::string_view form) {
    static const std::unordered_set<std::string_view> words = {"brethren", "kine", "genii",
                                                               "pence"};
    return words.count(form) != 0;
}

/// Irregular past participles mostly end so (taken, known, done, sworn, begun, lain, sung).
bool looks_like_participle(std::string_view w) {
    for (const char* tail : {"en", "wn", "ne", "rn", "un", "ain", "ung", "unk", "um"})
        if (ends_with(w, tail)) return true;
    return false;
}

/// A single consonant after a single vowel in a one-syllable word: "stop" -> "stopped".
bool doubles_final_consonant(std::string_view w) {
    if (w.size() < 3) return false;
    const char last = w.back(), mid = w[w.size() - 2], before = w[w.size() - 3];
    if (is_vowel(last) || std::strchr("wxy", last) || !is_vowel(mid) || is_vowel(before))
        return false;
    return std::count_if(w.begin(), w.end() - 2, [](char c) { return is_vowel(c); }) == 0;
}

bool sibilant(std::string_view w) {
    return ends_with(w, "s") || ends_with(w, "x") || ends_with(w, "z") || ends_with(w, "ch") ||
           ends_with(w, "sh");
}

bool consonant_y(std::string_view w) {
    return w.size() >= 2 && w.back() == 'y' && !is_vowel(w[w.size() - 2]);
}

/// Nouns whose plural is the word itself ("news", "physics", "series", "species"): the regular
/// rules would write "newses".
bool invariant_plural(std::string_view w) {
    return ends_with(w, "ics") || ends_with(w, "ies") || ends_with(w, "ws");
}

std::string regular_plural(const std::string& w) {
    if (invariant_plural(w)) return w;
    if (consonant_y(w)) return w.substr(0, w.size() - 1) + "ies";
    if (sibilant(w)) return w + "es";
    // Compounds of "man" ("policeman", "woman"), not "human" or "German": morphy's own rule
    // runs the other way ("-men" -> "-man"), so the exception list does not have them.
    if (ends_with(w, "man")) {
        std::string head = w.substr(0, w.size() - 3);
        if (head.empty() || head == "wo" || (head.size() >= 3 && in_wn(head.data(), ALL_POS)))
            return w.substr(0, w.size() - 2) + "en";
    }
    return w + "s";
}

std::string regular_third(const std::string& w) {
    if (consonant_y(w)) return w.substr(0, w.size() - 1) + "ies";
    if (sibilant(w) || ends_with(w, "o")) return w + "es";
    return w + "s";
}

std::string regular_past(const std::string& w) {
    if (ends_with(w, "e")) return w + "d";
    if (consonant_y(w)) return w.substr(0, w.size() - 1) + "ied";
    if (doubles_final_consonant(w)) return w + w.back() + "ed";
    return w + "ed";
}

std::string regular_ing(const std::string& w) {
    if (ends_with(w, "ie")) return w.substr(0, w.size() - 2) + "ying";
    if (ends_with(w, "e") && !ends_with(w, "ee") && !ends_with(w, "ye") && !ends_with(w, "oe") &&
        w.size() > 2)
        return w.substr(0, w.size() - 1) + "ing";
    if (doubles_final_consonant(w)) return w + w.back() + "ing";
    return w + "ing";
}

std::string first_word(const std::string& key) {
    return key.substr(0, key.find('_'));
}

/// Which verb form an exception-list form is ("ran" past, "running" ing, "has" third).
Form verb_exception_form(const std::string& form) {
    const std::string word = first_word(form);
    if (ends_with(word, "ing")) return Form::ing;
    if (ends_with(word, "s") && word != "was") return Form::third;
    return looks_like_participle(word) ? Form::participle : Form::past;
}

/// True when `key` is a lemma but reads as an inflection of a more familiar one ("glasses",
/// "found"), not a word of its own that only looks so ("physics", "data").
bool inflection_first_locked(Database& db, const std::string& key,
                             const std::vector<std::string>& bases, int pos) {
    const int own = familiarity_locked(db, key, pos);
    return std::any_of(bases.begin(), bases.end(), [&](const std::string& base) {
        return base != key && familiarity_locked(db, base, pos) > own;
    });
}

/// The lemma a word stands for: itself when WordNet lists it, unless it reads first as an
/// inflection of a more familiar one ("elements" is the weather, but mostly the plural of
/// "element"); else its first base form.
std::string lemma_key_locked(Database& db, std::string_view word, int pos) {
    const std::string key = index_form(word);
    const auto forms = base_forms_locked(db, key, pos);
    if (forms.empty()) return std::string();
    if (forms.front() != key || !inflection_first_locked(db, key, forms, pos)) return forms.front();
    return *std::max_element(forms.begin() + 1, forms.end(), [&](const auto& a, const auto& b) {
        return familiarity_locked(db, a, pos) < familiarity_locked(db, b, pos);
    });
}

Form noun_form_locked(Database& db, const std::string& key) {
    const auto bases = base_forms_locked(db, key, NOUN);
    if (bases.empty()) return Form::base;
    if (bases.front() != key) return Form::plural;
    return inflection_first_locked(db, key, bases, NOUN) ? Form::plural : Form::base;
}

Form verb_form_locked(Database& db, const std::string& key) {
    const auto bases = base_forms_locked(db, key, VERB);
    if (bases.empty()) return Form::base;
    if (bases.front() == key && !inflection_first_locked(db, key, bases, VERB)) return Form::base;
    if (db.verbs.bases.count(key)) return verb_exception_form(key);
    const std::string word = first_word(key);
    if (ends_with(word, "ing")) return Form::ing;
    if (ends_with(word, "ed")) return Form::past;
    if (ends_with(word, "s")) return Form::third;
    return Form::base;
}

/// Replaces the word at [begin, end) of a multiword key by `word`.
std::string with_word(const std::string& key, std::size_t begin, std::size_t end,
                      const std::string& word) {
    return key.substr(0, begin) + word + key.substr(end);
}

std::string plural_locked(Database& db, const std::string& key) {
    if (const auto at = db.nouns.inflections.find(key); at != db.nouns.inflections.end())
        for (const auto& form : at->second)
            if (!archaic(form)) return form;
    const std::size_t begin = key.rfind('_') == std::string::npos ? 0 : key.rfind('_') + 1;
    const std::string last = key.substr(begin);
    if (begin > 0) return with_word(key, begin, key.size(), plural_locked(db, last));
    return regular_plural(last);
}

std::string verb_inflection_locked(Database& db, const std::string& key, Form wanted) {
    // An irregular form of the wanted kind, else (past or participle) of the other past kind.
    std::vector<std::string> exact, near;
    const auto past_like = [](Form f) { return f == Form::past || f == Form::participle; };
    if (const auto at = db.verbs.inflections.find(key); at != db.verbs.inflections.end()) {
        for (const auto& form : at->second) {
            const Form f = verb_exception_form(form);
            if (f == wanted)
                exact.push_back(form);
            else if (past_like(f) && past_like(wanted))
                near.push_back(form);
        }
    }
    if (!exact.empty()) return exact.front();
    if (!near.empty()) return near.front();
    const std::string word = first_word(key);
    if (word.size() < key.size()) // a phrasal verb: inflect its verb ("look up" -> "looked up")
        return with_word(key, 0, word.size(), verb_inflection_locked(db, word, wanted));
    switch (wanted) {
    case Form::third:
        return regular_third(word);
    case Form::ing:
        return regular_ing(word);
    case Form::past:
    case Form::participle:
        return regular_past(word);
    default:
        return word;
    }
}

std::vector<std::string> readable_all(const std::vector<std::string>& keys) {
    std::vector<std::string> out;
    out.reserve(keys.size());
    for (const auto& key : keys)
        out.push_back(readable(key));
    return out;
}

/// An inflected form in the lemma's case: "Londoner" -> "Londoners", not "londoners".
std::string in_case_of(std::string_view lemma, std::string form) {
    for (std::size_t i = 0; i < lemma.size() && i < form.size() && lemma[i] != ' '; ++i)
        if (std::tolower(static_cast<unsigned char>(lemma[i])) == form[i]) form[i] = lemma[i];
    return form;
}

std::string inflect_like_locked(Database& db, std::string_view lemma, std::string_view like,
                                Pos pos) {
    const std::string key = index_form(lemma), like_key = index_form(like);
    if (key.empty() || like_key.empty()) return std::string(lemma);
    if (pos == Pos::noun && noun_form_locked(db, like_key) == Form::plural)
        return in_case_of(lemma, readable(plural_locked(db, key)));
    if (pos == Pos::verb)
        if (const Form form = verb_form_locked(db, like_key); form != Form::base)
            return in_case_of(lemma, readable(verb_inflection_locked(db, key, form)));
    return std::string(lemma);
}

/// Runs `query` on the open database under the lock, or returns `none` without one.
template <class Result, class Query> Result with_database(Result none, Query&& query) {
    const std::lock_guard lock(database_mutex);
    Database& db = database_locked();
    if (!db.open) return none;
    return query(db);
}

} // namespace

bool available() {
    return with_database(false, [](Database&) { return true; });
}

std::vector<std::string> base_forms(std::string_view word, Pos pos) {
    return with_database(std::vector<std::string>{}, [&](Database& db) {
        return readable_all(base_forms_locked(db, index_form(word), c_pos(pos)));
    });
}

int sense_count(std::string_view lemma, Pos pos) {
    return with_database(0, [&](Database& db) {
        return static_cast<int>(
            senses_locked(db, lemma_key_locked(db, lemma, c_pos(pos)), c_pos(pos)).size());
    });
}

int familiarity(std::string_view lemma, Pos pos) {
    return with_database(0, [&](Database& db) {
        return familiarity_locked(db, lemma_key_locked(db, lemma, c_pos(pos)), c_pos(pos));
    });
}

std::string lexical_class(std::string_view lemma, Pos pos) {
    return with_database(std::string(), [&](Database& db) {
        const auto senses = senses_locked(db, lemma_key_locked(db, lemma, c_pos(pos)), c_pos(pos));
        if (senses.empty()) return std::string();
        const auto s = synset_locked(db, c_pos(pos), senses.front());
        return s ? lexfile_name(s->fnum) : std::string();
    });
}

NameKind name_kind(std::string_view name) {
    return with_database(NameKind::unknown,
                         [&](Database& db) { return name_kind_locked(db, index_form(name)); });
}

std::vector<Sister> sister_terms(std::string_view lemma, Pos pos, int senses, std::size_t limit) {
    return with_database(std::vector<Sister>{}, [&](Database& db) {
        const int p = c_pos(pos);
        const std::string key = lemma_key_locked(db, lemma, p);
        if (key.empty()) return std::vector<Sister>{};
        return cached_sisters_locked(db, key, p, std::to_string(senses), limit, 1,
                                     [&] { return attested_senses_locked(db, key, p, senses); });
    });
}

std::vector<Sense> senses(std::string_view lemma, Pos pos, std::size_t most) {
    return with_database(std::vector<Sense>{}, [&](Database& db) {
        const int p = c_pos(pos);
        const std::string key = lemma_key_locked(db, lemma, p);
        const auto offsets = senses_locked(db, key, p);
        const auto tags = sense_tag_counts_locked(db, key, p);
        std::vector<Sense> found;
        for (std::size_t i = 0; i < offsets.size() && i < most; ++i)
            found.push_back({gloss_locked(p, offsets[i]), attested(tags, i)});
        return found;
    });
}

std::string gloss(Pos pos, long synset) {
    return with_database(std::string(),
                         [&](Database&) { return gloss_locked(c_pos(pos), synset); });
}

std::vector<Sister> sense_sisters(std::string_view lemma, Pos pos, std::size_t sense,
                                  std::size_t limit, int generation) {
    return with_database(std::vector<Sister>{}, [&](Database& db) {
        const int p = c_pos(pos);
        const std::string key = lemma_key_locked(db, lemma, p);
        const auto offsets = senses_locked(db, key, p);
        if (sense >= offsets.size() || generation < 1 || generation > 3)
            return std::vector<Sister>{};
        return cached_sisters_locked(db, key, p, "#" + std::to_string(sense), limit, generation,
                                     [&] { return std::vector<long>{offsets[sense]}; });
    });
}

bool related(std::string_view a, std::string_view b, Pos pos) {
    return with_database(false, [&](Database& db) {
        const int p = c_pos(pos);
        const auto ca = closure_locked(db, a, p), cb = closure_locked(db, b, p);
        return intersects(ca->own, cb->own) || intersects(ca->own, cb->ancestors) ||
               intersects(cb->own, ca->ancestors) || intersects(ca->own, cb->similar) ||
               intersects(cb->own, ca->similar);
    });
}

std::string inflect_like(std::string_view lemma, std::string_view like, Pos pos) {
    return with_database(std::string(lemma),
                         [&](Database& db) { return inflect_like_locked(db, lemma, like, pos); });
}

} // namespace mcqgen::detail::offline::wordnet
