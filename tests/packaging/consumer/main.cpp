// Generates two questions offline with the installed C++ library.
#include <mcqgen/mcqgen.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    mcqgen::Config config;
    config.pipeline.offline = true;
    mcqgen::MemoryStorage storage;
    const auto test =
        mcqgen::Generator(config).generate(mcqgen::Document::from_file(argv[1]), 2, storage);
    std::cout << "C++ " << MCQGEN_VERSION_STRING << ": " << test.message << '\n';
    return test.status == mcqgen::Status::completed ? 0 : 1;
}
