#pragma once
// Helpers shared by the reliability tests: child processes, process statistics, the checks every
// stored question must pass, and the figures docs/reliability.md quotes.

#include "test_support.hpp"

#include <mcqgen/mcqgen.hpp>

#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace reliability {

/// True in AddressSanitizer and ThreadSanitizer builds, whose quarantine and shadow memory make
/// RSS figures say nothing about the program's own use.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
#else
inline constexpr bool sanitized = false;
#endif

/// Appends a line to the file named by MCQGEN_RELIABILITY_REPORT, if set: the figures quoted in
/// docs/reliability.md come from there (scripts/ci-sanitizers.sh prints it).
inline void report(const std::string& line) {
    if (const char* path = std::getenv("MCQGEN_RELIABILITY_REPORT")) {
        std::ofstream(path, std::ios::app) << line << '\n';
    }
}

/// A seed for the random choices of a test: MCQGEN_RELIABILITY_SEED when set (to replay a
/// failure), otherwise a fresh one. Either way it is printed with the test's messages.
inline std::uint64_t test_seed() {
    if (const char* s = std::getenv("MCQGEN_RELIABILITY_SEED"))
        return std::strtoull(s, nullptr, 10);
    return std::random_device{}() * 0x9E3779B97F4A7C15ull ^ std::random_device{}();
}

/// How many times to repeat a randomised experiment: MCQGEN_RELIABILITY_RUNS when set (for a
/// longer campaign), otherwise `fallback`.
inline int runs(int fallback) {
    if (const char* s = std::getenv("MCQGEN_RELIABILITY_RUNS")) return std::max(1, std::atoi(s));
    return fallback;
}

/// Environment variables that would change what a child does; removed before ours are added.
inline bool inherited(const std::string& entry) {
    for (const char* prefix : {"ANTHROPIC_", "CLAUDE_API_KEY=", "MCQGEN_", "MCQ_"})
        if (entry.rfind(prefix, 0) == 0) return false;
    return true;
}

/// A child process with its stdout (and, if asked, its stderr) on a pipe.
class Child {
  public:
    Child(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
          bool merge_stderr = false) {
        std::vector<std::string> env;
        for (char** e = environ; *e; ++e)
            if (inherited(*e)) env.emplace_back(*e);
        env.insert(env.end(), environment.begin(), environment.end());
        std::vector<char*> args, envp;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        for (const auto& e : env)
            envp.push_back(const_cast<char*>(e.c_str()));
        args.push_back(nullptr);
        envp.push_back(nullptr);

        int fds[2];
        REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        if (merge_stderr) posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
        const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        out_ = fds[0];
        REQUIRE_MESSAGE(rc == 0, "cannot start ", argv[0], ": ", std::strerror(rc));
    }
    ~Child() {
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) close(out_);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }

    /// The next line the child printed, or nothing at end of file.
    std::optional<std::string> read_line() {
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            char chunk[512];
            const ssize_t n = read(out_, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    /// Reads lines until one equals `wanted`; false if the child's output ended first.
    bool wait_for_line(const std::string& wanted) {
        while (auto line = read_line()) {
            lines_.push_back(*line);
            if (*line == wanted) return true;
        }
        return false;
    }

    const std::vector<std::string>& lines() const { return lines_; }

    /// Waits for the child; returns its wait status and fills `usage` when given.
    int wait(rusage* usage = nullptr) {
        int status = 0;
        rusage ignored{};
        while (wait4(pid_, &status, 0, usage ? usage : &ignored) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        return status;
    }

    /// The rest of the child's output.
    std::string drain() {
        std::string all;
        while (auto line = read_line())
            all += *line + '\n';
        return all;
    }

  private:
    pid_t pid_ = -1;
    int out_ = -1;
    bool reaped_ = false;
    std::string buffer_;
    std::vector<std::string> lines_;
};

/// Sets (or with nullptr removes) an environment variable for the life of the object.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_)
            setenv(name_.c_str(), old_->c_str(), 1);
        else
            unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    std::string name_;
    std::optional<std::string> old_;
};

/// Open file descriptors of this process.
inline int open_fds() {
    int count = 0;
    if (DIR* dir = opendir("/proc/self/fd")) {
        while (dirent* entry = readdir(dir))
            if (entry->d_name[0] != '.') ++count;
        closedir(dir);
        --count; // the descriptor opendir itself holds
    }
    return count;
}

/// A field of /proc/self/status in kB (VmRSS, VmHWM, ...), or -1.
inline long status_kb(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    return -1;
}

/// Prose of about `bytes` bytes that never repeats itself: invented people, places, years and
/// numbers in a dozen sentence shapes, five sentences to a paragraph. Deterministic per seed.
inline std::string varied_document(std::size_t bytes, std::uint64_t seed = 1) {
    std::mt19937_64 random(seed);
    const auto pick = [&](std::initializer_list<const char*> list) {
        return std::string(list.begin()[random() % list.size()]);
    };
    const auto name = [&] {
        static const char* syllables[] = {"var", "nok", "tel", "lin", "bra", "dos", "mir", "ka",
                                          "zu",  "ren", "ost", "el",  "vi",  "tam", "gor", "sha"};
        std::string n;
        for (int i = 0, count = 2 + static_cast<int>(random() % 2); i < count; ++i)
            n += syllables[random() % std::size(syllables)];
        n[0] = static_cast<char>(n[0] - 'a' + 'A');
        return n;
    };
    const auto year = [&] { return std::to_string(1400 + random() % 620); };
    const auto number = [&] { return std::to_string(12 + random() % 9000); };
    std::string text;
    text.reserve(bytes + 1024);
    for (int sentence = 0; text.size() < bytes; ++sentence) {
        switch (random() % 12) {
        case 0:
            text += "In " + year() + ", the Council of " + name() + " elected " + name() + " " +
                    name() + " as its chair with " + number() + " votes.";
            break;
        case 1:
            text += "The " + name() + " Assembly has " + number() + " members and meets in " +
                    name() + " every " + pick({"spring", "winter", "autumn", "summer"}) + ".";
            break;
        case 2:
            text += name() + " " + name() + " founded the " + name() + " Institute of " +
                    pick({"Astronomy", "Law", "Botany", "Medicine", "Music", "Trade"}) + " in " +
                    year() + ".";
            break;
        case 3:
            text += "The river " + name() + " flows for " + number() + " kilometres through " +
                    name() + " before it reaches the " + name() + " Sea.";
            break;
        case 4:
            text += "Under the " + name() + " Act of " + year() + ", the " + name() +
                    " Tribunal hears appeals on " +
                    pick({"land", "water", "tax", "trade", "labour"}) + " disputes.";
            break;
        case 5:
            text += "The " + name() + " Observatory, built in " + year() +
                    ", houses a telescope with a mirror of " + number() + " millimetres.";
            break;
        case 6:
            text += name() + " " + name() + " wrote the treatise " + name() +
                    " while serving as governor of " + name() + " from " + year() + ".";
            break;
        case 7:
            text += "A census in " + year() + " counted " + number() +
                    " households in the valley of " + name() + ".";
            break;
        case 8:
            text += "The " + name() + " Bridge, which spans " + number() +
                    " metres, was opened by " + name() + " " + name() + ".";
            break;
        case 9:
            text += "Merchants from " + name() + " brought " +
                    pick({"silk", "salt", "copper", "tea", "amber"}) + " to the port of " + name() +
                    " after the treaty of " + year() + ".";
            break;
        case 10:
            text += "The " + name() + " Library keeps " + number() +
                    " manuscripts, the oldest of them copied in " + year() + ".";
            break;
        default:
            text += "Every " + pick({"April", "June", "October"}) + " the people of " + name() +
                    " honour " + name() + " " + name() + ", who drafted their charter.";
            break;
        }
        text += sentence % 5 == 4 ? "\n\n" : " ";
    }
    return text;
}

/// What every stored question must be, whoever wrote it and whatever happened to the process.
inline void check_whole(const mcqgen::Question& q, int target) {
    CHECK_FALSE(q.stem.empty());
    std::set<std::string> distinct(q.options.begin(), q.options.end());
    CHECK(distinct.size() == 4);
    for (const auto& o : q.options)
        CHECK_FALSE(o.empty());
    CHECK(q.answer_index >= 0);
    CHECK(q.answer_index <= 3);
    CHECK_FALSE(q.source_quote.empty());
    CHECK_FALSE(q.explanation.empty());
    CHECK(q.position >= 0);
    CHECK(q.position < target);
}

/// Checks a whole test: `target` distinct questions at positions 0..target-1.
inline void check_complete(mcqgen::Storage& storage, const std::string& id, int target) {
    const auto test = storage.find_test(id);
    REQUIRE(test);
    CHECK(test->status == mcqgen::Status::completed);
    CHECK(test->questions_generated == target);
    const auto questions = storage.questions(id);
    CHECK(static_cast<int>(questions.size()) == target);
    std::set<int> positions;
    std::set<std::string> stems;
    for (const auto& q : questions) {
        check_whole(q, target);
        positions.insert(q.position);
        stems.insert(q.stem);
    }
    CHECK(static_cast<int>(positions.size()) == target);
    CHECK(static_cast<int>(stems.size()) == target);
}

} // namespace reliability
