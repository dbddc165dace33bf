# The fuzz targets: tests/fuzz/fuzz_<name>.cpp, seeds in corpus/<name>/, crashes found in
# regressions/<name>/. Shared by tests/fuzz (the fuzzers) and tests/reliability (the replay).
set(MCQGEN_FUZZ_TARGETS messages validation document sqlite)
if(TARGET mcqgen_c AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/fuzz_capi.cpp)
  list(APPEND MCQGEN_FUZZ_TARGETS capi)
endif()
