// Replays fuzz inputs without libFuzzer: the seed corpus and every crash ever found
// (tests/fuzz/regressions/) go through the very entry points the fuzzers run, in a plain
// executable built by the normal compiler, so every build and every sanitizer build checks them.
//
//   mcqgen_fuzz_replay TARGET PATH...   (PATH: a file, or a directory read recursively)
//
// Each fuzz_TARGET.cpp is compiled here with LLVMFuzzerTestOneInput renamed to
// mcqgen_fuzz_TARGET (see tests/reliability/CMakeLists.txt); fuzz_targets.inc lists them.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#define MCQGEN_FUZZ_TARGET(name)                                                                   \
    extern "C" int mcqgen_fuzz_##name(const std::uint8_t* data, std::size_t size);
#include "fuzz_targets.inc"
#undef MCQGEN_FUZZ_TARGET

namespace {

using Entry = int (*)(const std::uint8_t*, std::size_t);

const std::map<std::string, Entry>& targets() {
#define MCQGEN_FUZZ_TARGET(name) {#name, &mcqgen_fuzz_##name},
    static const std::map<std::string, Entry> table = {
#include "fuzz_targets.inc"
    };
#undef MCQGEN_FUZZ_TARGET
    return table;
}

std::vector<std::filesystem::path> inputs(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    if (fs::is_regular_file(path)) {
        files.push_back(path);
    } else if (fs::is_directory(path)) {
        for (const auto& entry : fs::recursive_directory_iterator(path))
            if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
                files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3 || !targets().count(argv[1])) {
        std::fprintf(stderr, "usage: %s TARGET PATH...\ntargets:", argv[0]);
        for (const auto& [name, entry] : targets())
            std::fprintf(stderr, " %s", name.c_str());
        std::fprintf(stderr, "\n");
        return 2;
    }
    const Entry entry = targets().at(argv[1]);
    int replayed = 0;
    for (int i = 2; i < argc; ++i) {
        for (const auto& file : inputs(argv[i])) {
            std::ifstream in(file, std::ios::binary);
            const std::string bytes{std::istreambuf_iterator<char>(in), {}};
            std::printf("replaying %s (%zu bytes)\n", file.filename().c_str(), bytes.size());
            std::fflush(stdout);
            entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++replayed;
        }
    }
    std::printf("%d inputs replayed through %s without a failure\n", replayed, argv[1]);
    return replayed > 0 ? 0 : 1;
}
