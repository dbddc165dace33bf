// mcqgen — the command-line program: turn a document into a stored multiple-choice test.
//
//   mcqgen generate FILE -n N [--db PATH] [--json] [--seed S] [--candidates K] [--style F]
//                   [--batch [--detach]] [Claude options]
//   mcqgen status TEST_ID --db PATH [--json]
//   mcqgen show   TEST_ID --db PATH [--json]
//   mcqgen list   --db PATH [--json]
//   mcqgen resume TEST_ID --db PATH [--json]
//
// Exit codes: 0 completed (or submitted, with --detach), 3 partial, 1 failed or error, 2 usage
// error.

#include <mcqgen/mcqgen.hpp>
#if MCQGEN_WITH_PDF
#include <mcqgen/pdf.hpp>
#endif

#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <pthread.h>
#include <stop_token>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr int exit_completed = 0, exit_failed = 1, exit_usage = 2, exit_partial = 3;

const char* usage_text =
    "usage:\n"
    "  mcqgen generate FILE -n N [--db PATH] [--json] [--seed S] [--candidates K]\n"
    "                  [--style cloze|question|statements|mixed] [--offline] [--model ID]\n"
    "                  [--judge-model ID] [--concurrency C] [--max-retries R] [--ca-file PEM]\n"
    "                  [--base-url URL] [--max-questions M] [--batch [--detach]]\n"
    "  mcqgen status TEST_ID --db PATH [--json]\n"
    "  mcqgen show TEST_ID --db PATH [--json]\n"
    "  mcqgen list --db PATH [--json]\n"
    "  mcqgen resume TEST_ID --db PATH [--json] [Claude options]\n"
    "Claude is used when MCQGEN_API_KEY (or ANTHROPIC_API_KEY, CLAUDE_API_KEY) is set, the\n"
    "offline generator otherwise. --db defaults to mcqgen.db for generate.\n"
    "--style is the form of the questions: cloze (a sentence with a blank), question (a\n"
    "wh-question), statements (\"Consider the following statements: 1. ... 2. ...\") or mixed\n"
    "(each sentence as it allows best; the default, or MCQGEN_STYLE).\n"
    "--batch sends Claude's calls as Message Batches (half the price; minutes to hours).\n"
    "--detach submits the first batch, prints the test id and exits; 'mcqgen resume ID --db\n"
    "PATH' collects the questions later (a test with batches is always resumed in batch\n"
    "mode).\n";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Arguments {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> options; // --name -> value ("" for flags)
};

bool is_flag(const std::string& name) {
    return name == "--json" || name == "--offline" || name == "--batch" || name == "--detach";
}

Arguments parse(int argc, char** argv) {
    if (argc < 2) throw UsageError("no command given");
    Arguments args;
    args.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string word = argv[i];
        if (word == "-n") word = "--count";
        if (word.rfind("--", 0) != 0) {
            args.positional.push_back(word);
        } else if (is_flag(word)) {
            args.options[word] = "";
        } else {
            if (i + 1 >= argc) throw UsageError(word + " needs a value");
            args.options[word] = argv[++i];
        }
    }
    return args;
}

// An integer option, refused (not wrapped) when it does not fit the range.
long long integer(const Arguments& args, const std::string& name, long long fallback,
                  long long lowest = std::numeric_limits<int>::min(),
                  long long highest = std::numeric_limits<int>::max()) {
    auto it = args.options.find(name);
    if (it == args.options.end()) return fallback;
    const std::string shown = name == "--count" ? "-n" : name;
    long long value = 0;
    const auto& text = it->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc{} && (value < lowest || value > highest)))
        throw UsageError(shown + " is out of range: " + text);
    if (ec != std::errc{} || end != text.data() + text.size())
        throw UsageError(shown + " takes an integer, got '" + text + "'");
    return value;
}

// The seed is a full unsigned 64-bit number.
std::uint64_t seed_option(const Arguments& args) {
    auto it = args.options.find("--seed");
    if (it == args.options.end()) return 0;
    std::uint64_t value = 0;
    const auto& text = it->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        throw UsageError("--seed takes an integer from 0 to 18446744073709551615, got '" + text +
                         "'");
    return value;
}

std::optional<std::string> text(const Arguments& args, const std::string& name) {
    auto it = args.options.find(name);
    if (it == args.options.end()) return std::nullopt;
    return it->second;
}

mcqgen::QuestionStyle style_option(const Arguments& args, mcqgen::QuestionStyle fallback) {
    const auto value = text(args, "--style");
    if (!value) return fallback;
    if (auto style = mcqgen::question_style_from_string(*value)) return *style;
    throw UsageError("--style takes cloze, question, statements or mixed, got '" + *value + "'");
}

void check_known(const Arguments& args, const std::vector<std::string>& known) {
    for (const auto& [name, value] : args.options)
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw UsageError("unknown option " + (name == "--count" ? std::string("-n") : name) +
                             " for '" + args.command + "'");
}

mcqgen::Config config_from(const Arguments& args) {
    auto config = mcqgen::Config::from_env();
    config.pipeline.seed = seed_option(args);
    config.pipeline.candidates =
        static_cast<int>(integer(args, "--candidates", config.pipeline.candidates));
    config.pipeline.max_questions =
        static_cast<int>(integer(args, "--max-questions", config.pipeline.max_questions));
    config.http.max_concurrency =
        static_cast<int>(integer(args, "--concurrency", config.http.max_concurrency));
    config.http.max_retries =
        static_cast<int>(integer(args, "--max-retries", config.http.max_retries));
    config.pipeline.style = style_option(args, config.pipeline.style);
    if (auto v = text(args, "--model")) config.claude.model = *v;
    if (auto v = text(args, "--judge-model")) config.claude.judge_model = *v;
    if (auto v = text(args, "--ca-file")) config.http.ca_file = *v;
    if (auto v = text(args, "--base-url")) config.http.base_url = *v;
    if (args.options.count("--offline")) config.pipeline.offline = true;
    if (args.options.count("--batch")) config.batch.enabled = true;
    config.validate();
    return config;
}

// Progress on stderr: a redrawn bar on a terminal, plain lines otherwise.
mcqgen::ProgressCallback progress_printer() {
    const bool terminal = isatty(STDERR_FILENO) != 0;
    return [terminal](const mcqgen::Progress& p) {
        if (!terminal) {
            if (p.question)
                std::cerr << p.message << '\n';
            else if (p.status != mcqgen::Status::generating)
                std::cerr << to_string(p.status) << ": " << p.message << '\n';
            return;
        }
        constexpr int width = 30;
        const int filled = static_cast<int>(p.fraction * width + 0.5);
        std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                  << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << p.message
                  << "\033[K" << (p.status != mcqgen::Status::generating ? "\n" : "") << std::flush;
    };
}

void print_test(const mcqgen::Test& t) {
    std::cout << "Test " << t.id << '\n'
              << "  status:    " << to_string(t.status) << " (" << t.message << ")\n"
              << "  questions: " << t.questions_generated << " of " << t.target_questions << '\n'
              << "  provider:  " << t.provider << ", seed " << t.seed << '\n'
              << "  candidates: " << t.candidates_generated << " written, " << t.candidates_rejected
              << " rejected\n";
    if (t.usage.requests > 0)
        std::cout << "  tokens:    " << t.usage.input_tokens << " in, " << t.usage.output_tokens
                  << " out, " << t.usage.cache_read_input_tokens << " cache reads, about $"
                  << t.usage.estimated_cost_usd << '\n';
    if (t.usage.requests > 0 && t.questions_generated > 0) {
        const auto each = t.usage_per_question();
        std::cout << "  per question: " << std::llround(each.input_tokens) << " in, "
                  << std::llround(each.cache_read_input_tokens) << " cached, "
                  << std::llround(each.cache_creation_input_tokens) << " cache writes, "
                  << std::llround(each.output_tokens) << " out, about $" << each.estimated_cost_usd
                  << '\n';
    }
}

void print_batches(const std::vector<mcqgen::BatchRecord>& batches) {
    for (const auto& b : batches)
        if (b.status != "replaced") // the record of a create whose batch is the next row
            std::cout << "  batch:     " << b.batch_id << " " << b.status << " ("
                      << b.custom_ids.size() << " requests, since " << b.created_at << ")\n";
}

void print_questions(const std::vector<mcqgen::Question>& questions) {
    for (const auto& q : questions) {
        std::cout << '\n' << q.position + 1 << ". " << q.stem << '\n';
        for (int i = 0; i < 4; ++i)
            std::cout << "   " << static_cast<char>('A' + i) << ") "
                      << q.options[static_cast<std::size_t>(i)] << '\n';
        std::cout << "   Answer: " << static_cast<char>('A' + q.answer_index) << " ("
                  << q.difficulty << ", score " << q.score << ")\n   " << q.explanation << '\n';
        if (const auto where = mcqgen::citation(q); !where.empty())
            std::cout << "   Source: " << where << '\n';
    }
}

int exit_code(const mcqgen::Test& t) {
    switch (t.status) {
    case mcqgen::Status::completed:
        return exit_completed;
    case mcqgen::Status::partial:
        return exit_partial;
    default:
        return exit_failed;
    }
}

int report(mcqgen::Storage& storage, const mcqgen::Test& test, bool json) {
    const auto questions = storage.questions(test.id);
    if (json) {
        std::cout << mcqgen::to_json(test, questions) << '\n';
    } else {
        print_test(test);
        print_questions(questions);
    }
    return exit_code(test);
}

// Ctrl-C cancels the run and keeps what was stored: a thread waits for the signal.
class InterruptWatcher {
  public:
    explicit InterruptWatcher(mcqgen::Generator& generator) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        thread_ = std::jthread([&generator, set](std::stop_token stop) {
            while (!stop.stop_requested()) {
                timespec tick{0, 100'000'000};
                if (sigtimedwait(&set, nullptr, &tick) > 0) generator.cancel();
            }
        });
    }

  private:
    std::jthread thread_;
};

std::string need_db(const Arguments& args) {
    auto db = text(args, "--db");
    if (!db) throw UsageError("'" + args.command + "' needs --db PATH");
    return *db;
}

std::string one_positional(const Arguments& args, const char* what) {
    if (args.positional.size() != 1) throw UsageError(args.command + " takes one " + what);
    return args.positional[0];
}

int generate(const Arguments& args) {
    const auto file = one_positional(args, "FILE");
    if (!args.options.count("--count")) throw UsageError("generate needs -n N");
    const int count = static_cast<int>(integer(args, "--count", 0));
    const bool detach = args.options.count("--detach") > 0;
    auto config = config_from(args);
    if (detach && !config.batch.enabled) throw UsageError("--detach needs --batch");
    mcqgen::Generator generator(std::move(config));
    const auto document = mcqgen::Document::from_file(file);
    mcqgen::SqliteStorage storage(text(args, "--db").value_or("mcqgen.db"));
    InterruptWatcher watcher(generator);
    if (detach) { // the test id on stdout, for 'mcqgen resume'
        const auto test = generator.submit(document, count, storage, progress_printer());
        if (args.options.count("--json"))
            std::cout << mcqgen::to_json(test) << '\n';
        else
            std::cout << test.id << '\n';
        return test.status == mcqgen::Status::generating ? exit_completed : exit_code(test);
    }
    const auto test = generator.generate(document, count, storage, progress_printer());
    return report(storage, test, args.options.count("--json") > 0);
}

int resume(const Arguments& args) {
    const auto id = one_positional(args, "TEST_ID");
    auto config = config_from(args); // a usage error before anything is opened
    mcqgen::SqliteStorage storage(need_db(args));
    // A test that has batches goes on as one: its calls are paid for already.
    if (!storage.batches(id).empty()) config.batch.enabled = true;
    mcqgen::Generator generator(std::move(config));
    InterruptWatcher watcher(generator);
    const auto test = generator.resume(id, storage, progress_printer());
    return report(storage, test, args.options.count("--json") > 0);
}

int status(const Arguments& args) {
    mcqgen::SqliteStorage storage(need_db(args));
    const auto test = storage.test(one_positional(args, "TEST_ID"));
    if (args.options.count("--json")) {
        std::cout << mcqgen::to_json(test) << '\n';
    } else {
        print_test(test);
        print_batches(storage.batches(test.id));
    }
    return exit_code(test);
}

int show(const Arguments& args) {
    mcqgen::SqliteStorage storage(need_db(args));
    const auto test = storage.test(one_positional(args, "TEST_ID"));
    return report(storage, test, args.options.count("--json") > 0);
}

int list(const Arguments& args) {
    if (!args.positional.empty()) throw UsageError("list takes no arguments");
    mcqgen::SqliteStorage storage(need_db(args));
    const auto tests = storage.tests();
    if (args.options.count("--json")) {
        std::cout << mcqgen::to_json(tests) << '\n';
    } else {
        for (const auto& t : tests)
            std::cout << t.id << "  " << t.created_at << "  " << to_string(t.status) << "  "
                      << t.questions_generated << "/" << t.target_questions << '\n';
    }
    return exit_completed;
}

int help(const Arguments&) {
    std::cout << usage_text;
    return exit_completed;
}

// The options of a command that runs a generation: where, how and with which provider.
const std::vector<std::string> run_options = {
    "--json",          "--db",          "--seed",        "--candidates", "--offline",
    "--model",         "--concurrency", "--max-retries", "--ca-file",    "--base-url",
    "--max-questions", "--style",       "--batch",       "--judge-model"};
const std::vector<std::string> read_options = {"--json", "--db"};

struct Command {
    const char* name;
    const std::vector<std::string>* options; ///< besides these, -n for generate
    int (*handler)(const Arguments&);
};

int run(const Arguments& args) {
    static const std::vector<std::string> generate_options = [] {
        auto known = run_options;
        known.push_back("--count");
        known.push_back("--detach");
        return known;
    }();
    static const std::vector<std::string> none;
    static const Command commands[] = {
        {"generate", &generate_options, generate},
        {"resume", &run_options, resume},
        {"status", &read_options, status},
        {"show", &read_options, show},
        {"list", &read_options, list},
        {"help", &none, help},
        {"--help", &none, help},
        {"-h", &none, help},
    };
    for (const auto& command : commands) {
        if (args.command != command.name) continue;
        check_known(args, *command.options);
        return command.handler(args);
    }
    throw UsageError("unknown command '" + args.command + "'");
}

} // namespace

int main(int argc, char** argv) {
#if MCQGEN_WITH_PDF
    mcqgen::enable_pdf(); // this build links mcqgen::pdf
#endif
    try {
        return run(parse(argc, argv));
    } catch (const UsageError& e) {
        std::cerr << "mcqgen: " << e.what() << '\n' << usage_text;
        return exit_usage;
    } catch (const mcqgen::Error& e) {
        std::cerr << "mcqgen: error (" << to_string(e.code_value()) << "): " << e.message() << '\n';
        return exit_failed;
    } catch (const std::exception& e) {
        std::cerr << "mcqgen: error: " << e.what() << '\n';
        return exit_failed;
    }
}
