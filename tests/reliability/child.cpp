// A helper process for the reliability tests, written against the public API only.
//
//   mcqgen_reliability_child generate DOCUMENT DB COUNT
//       Generates COUNT questions from the file DOCUMENT into the SQLite database DB with
//       Config::from_env() (the tests point it at the fake Claude server through the
//       environment). Prints "started", then "created N" after each stored question, then
//       "done STATUS", a line each, flushed at once.
//       With MCQGEN_CHILD_KILL_AT_WRITE=N set, the process SIGKILLs itself just before the Nth
//       write SQLite makes to a file: a crash in the middle of a transaction. With N = 0 it
//       only counts them and prints "writes W" before "done".
//   mcqgen_reliability_child bigdoc DOCUMENT DB COUNT
//       The same, offline and silent: prints "done STATUS CREATED" only. The parent measures
//       the peak RSS of this process.
//   mcqgen_reliability_child lock DB
//       Opens DB with plain SQLite, takes the write lock (BEGIN EXCLUSIVE), prints "locked" and
//       holds it until killed: another program busy with the database.
//   mcqgen_reliability_child race DB TEST_ID BARRIER_FD
//       Prints "ready", waits until the descriptor BARRIER_FD (the read end of a pipe the parent
//       holds the write end of) reaches end of file, then opens DB with SqliteStorage and
//       creates one test TEST_ID: the parent releases many of these at once onto a new file.
//       Prints "created TEST_ID" when done.
//
// Exit status: 0 after a run (whatever its status), 1 with an mcqgen::Error (its code name and
// message on stderr), 2 for bad arguments.

#include <mcqgen/mcqgen.hpp>

#include <sqlite3.h>

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

long kill_at_write = 0;
long writes_seen = 0;

void count_write() {
    if (++writes_seen == kill_at_write) raise(SIGKILL);
}

using WriteFn = ssize_t (*)(int, const void*, size_t);
using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);
using Pwrite64Fn = ssize_t (*)(int, const void*, size_t, off64_t);
WriteFn real_write = nullptr;
PwriteFn real_pwrite = nullptr;
Pwrite64Fn real_pwrite64 = nullptr;

ssize_t hooked_write(int fd, const void* data, size_t size) {
    count_write();
    return real_write(fd, data, size);
}
ssize_t hooked_pwrite(int fd, const void* data, size_t size, off_t offset) {
    count_write();
    return real_pwrite(fd, data, size, offset);
}
ssize_t hooked_pwrite64(int fd, const void* data, size_t size, off64_t offset) {
    count_write();
    return real_pwrite64(fd, data, size, offset);
}

template <class F> void hook(sqlite3_vfs* vfs, const char* name, F& real, F replacement) {
    if (auto original = vfs->xGetSystemCall(vfs, name)) {
        real = reinterpret_cast<F>(original);
        vfs->xSetSystemCall(vfs, name, reinterpret_cast<sqlite3_syscall_ptr>(replacement));
    }
}

// SQLite's documented fault-injection hook (the unix VFS system-call table), as its own crash
// tests use it: every write to a database, WAL or journal file goes through one of these.
void install_write_hooks() {
    sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
    if (vfs == nullptr || vfs->iVersion < 3) return;
    hook<WriteFn>(vfs, "write", real_write, &hooked_write);
    hook<PwriteFn>(vfs, "pwrite", real_pwrite, &hooked_pwrite);
    hook<Pwrite64Fn>(vfs, "pwrite64", real_pwrite64, &hooked_pwrite64);
}

int run(const std::string& mode, const std::string& document, const std::string& db, int count) {
    const bool verbose = mode == "generate";
    if (const char* n = std::getenv("MCQGEN_CHILD_KILL_AT_WRITE")) {
        kill_at_write = std::atol(n);
        install_write_hooks();
    }
    auto config = mcqgen::Config::from_env();
    if (!verbose) config.pipeline.offline = true;
    mcqgen::Generator generator(config);
    const auto text = mcqgen::Document::from_file(document);
    mcqgen::SqliteStorage storage(db);
    if (verbose) std::cout << "started" << std::endl;
    const auto test =
        generator.generate(text, count, storage, [verbose](const mcqgen::Progress& p) {
            if (verbose && p.question) std::cout << "created " << p.created << std::endl;
        });
    if (std::getenv("MCQGEN_CHILD_KILL_AT_WRITE"))
        std::cout << "writes " << writes_seen << std::endl;
    std::cout << "done " << to_string(test.status);
    if (!verbose) std::cout << ' ' << test.questions_generated;
    std::cout << std::endl;
    return 0;
}

int hold_lock(const std::string& db) {
    sqlite3* handle = nullptr;
    if (sqlite3_open(db.c_str(), &handle) != SQLITE_OK ||
        sqlite3_exec(handle, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::cerr << "storage: " << sqlite3_errmsg(handle) << '\n';
        return 1;
    }
    std::cout << "locked" << std::endl;
    for (;;)
        pause();
}

// Blocks until every writer of `fd` has closed it: all children wake at the same instant.
void wait_for_release(int fd) {
    char byte;
    ssize_t n = 0;
    do
        n = read(fd, &byte, 1);
    while (n > 0 || (n < 0 && errno == EINTR));
    close(fd);
}

int race(const std::string& db, const std::string& test_id, int barrier_fd) {
    std::cout << "ready" << std::endl;
    wait_for_release(barrier_fd);
    mcqgen::SqliteStorage storage(db);
    mcqgen::Test test;
    test.id = test_id;
    test.target_questions = 1;
    test.created_at = test.updated_at = "2026-01-01T00:00:00Z";
    storage.create_test(test, mcqgen::Document::from_text("A document of one sentence."));
    std::cout << "created " << test_id << std::endl;
    return 0;
}

int dispatch(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (argc == 5 && mode == "race") return race(argv[2], argv[3], std::atoi(argv[4]));
    if (argc == 5 && (mode == "generate" || mode == "bigdoc"))
        return run(mode, argv[2], argv[3], std::atoi(argv[4]));
    std::cerr << "usage: " << argv[0]
              << " generate|bigdoc DOCUMENT DB COUNT | lock DB | race DB TEST_ID BARRIER_FD\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "lock") return hold_lock(argv[2]);
    try {
        return dispatch(argc, argv);
    } catch (const mcqgen::Error& e) {
        std::cerr << to_string(e.code_value()) << ": " << e.message() << '\n';
        return 1;
    }
}
