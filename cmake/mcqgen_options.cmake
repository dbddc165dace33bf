# Every option of the project, and the private compile settings every in-tree target shares.
# Tests, examples, benchmarks and install rules default to on only for a top-level build, so a
# project that embeds mcqgen with add_subdirectory gets the libraries alone.
option(MCQGEN_BUILD_TESTS "Build and register the tests" ${PROJECT_IS_TOP_LEVEL})
option(MCQGEN_BUILD_EXAMPLES "Build the CLI and the example programs" ${PROJECT_IS_TOP_LEVEL})
option(MCQGEN_BUILD_BENCH "Build the benchmarks (bench/, run with bench/run.sh)"
       ${PROJECT_IS_TOP_LEVEL})
option(MCQGEN_BUILD_FUZZERS "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)
option(MCQGEN_BUILD_CAPI "Build the C ABI library mcqgen_c" ON)
# mcqgen::pdf reads PDFs through poppler-cpp; a build with it is GPL-2.0-or-later as a whole.
option(MCQGEN_WITH_PDF "Build mcqgen::pdf, the PDF reader (poppler-cpp, GPL-2.0-or-later)" ON)
option(MCQGEN_INSTALL "Generate install rules" ${PROJECT_IS_TOP_LEVEL})
option(MCQGEN_WERROR "Treat warnings as errors" OFF)
set(MCQGEN_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address,undefined' or 'thread'")

# mcqgen::mcqgen is static or shared as BUILD_SHARED_LIBS says, CMake's usual switch. Declared
# only at the top level: a parent project owns its own BUILD_SHARED_LIBS.
if(PROJECT_IS_TOP_LEVEL)
  option(BUILD_SHARED_LIBS "Build mcqgen::mcqgen as a shared library" OFF)
endif()

# A default build type for a top-level build only; a parent project chooses its own.
if(PROJECT_IS_TOP_LEVEL AND NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

# Warnings and sanitizers: linked PRIVATE to in-tree targets, never leaked to consumers.
add_library(mcqgen_project_options INTERFACE)
target_compile_options(mcqgen_project_options INTERFACE -Wall -Wextra -Wpedantic
                       $<$<BOOL:${MCQGEN_WERROR}>:-Werror>)
if(MCQGEN_SANITIZE)
  target_compile_options(mcqgen_project_options INTERFACE -fsanitize=${MCQGEN_SANITIZE}
                         -fno-omit-frame-pointer)
  # gcc's flow analysis is confused by the sanitizers' instrumentation and reports
  # -Wmaybe-uninitialized inside std::regex and Beast's parser, which the normal build does not.
  # -Wtsan: Asio's fenced blocks use atomic_thread_fence, which TSan does not model; Asio's
  # handler queues synchronise with mutexes as well, so the reports it could cause do not arise.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(mcqgen_project_options INTERFACE -Wno-maybe-uninitialized
                           $<$<COMPILE_LANGUAGE:CXX>:-Wno-tsan>)
  endif()
  target_link_options(mcqgen_project_options INTERFACE -fsanitize=${MCQGEN_SANITIZE})
endif()

# Asio and Beast are compiled once (src/core/asio_impl.cpp) instead of in every TU that uses
# them: a large saving on a two-core CI machine. Every internal target that touches Asio links
# this, so the definitions agree everywhere. Nothing else that changes Asio's classes is defined
# (no BOOST_ASIO_NO_DEPRECATED): a program linking the static library with its own header-only
# Asio shares those symbols, and a different layout crashed the embed example under clang.
add_library(mcqgen_asio INTERFACE)
target_compile_definitions(mcqgen_asio INTERFACE BOOST_ASIO_SEPARATE_COMPILATION
                           BOOST_BEAST_SEPARATE_COMPILATION)
target_link_libraries(mcqgen_asio INTERFACE Boost::headers OpenSSL::SSL OpenSSL::Crypto
                      Threads::Threads)
