# The fuzz targets: tests/fuzz/fuzz_<name>.cpp, seeds in corpus/<name>/, crashes found in
# regressions/<name>/. Shared by tests/fuzz (the fuzzers) and tests/reliability (the replay).
set(MCQGEN_FUZZ_TARGETS messages validation document sqlite html docx epub)
if(MCQGEN_BUILD_CAPI) # the C ABI's target, when it is built
  list(APPEND MCQGEN_FUZZ_TARGETS capi)
endif()
if(MCQGEN_WITH_PDF) # the PDF reader's target, when it is built
  list(APPEND MCQGEN_FUZZ_TARGETS pdf)
endif()
