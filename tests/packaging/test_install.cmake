# Installs mcqgen into a fresh prefix, checks what was installed, then configures, builds and
# runs a consumer project that finds it with find_package(mcqgen), and the installed CLI.
#   cmake -DKIND=static|shared -DWORK_DIR=... -DCONSUMER_DIR=... -DSAMPLE=...
#         -DBUILD_DIR=<a built tree of that kind>        install that tree, or
#         -DSOURCE_DIR=<the source tree>                 build the libraries and the CLI first
#         [-DGENERATOR=... -DBUILD_TYPE=... -DC_COMPILER=... -DCXX_COMPILER=...]
#         [-DWITH_PDF=ON|OFF: whether mcqgen::pdf is expected among the exported targets]
#         -P test_install.cmake
foreach(variable KIND WORK_DIR CONSUMER_DIR SAMPLE)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "${variable} is not set")
  endif()
endforeach()
if(KIND STREQUAL "shared")
  set(shared ON)
elseif(KIND STREQUAL "static")
  set(shared OFF)
else()
  message(FATAL_ERROR "KIND is '${KIND}', not static or shared")
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}")
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
if(NOT BUILD_DIR)
  set(BUILD_DIR ${WORK_DIR}/mcqgen)
  set(options -DBUILD_SHARED_LIBS=${shared} -DMCQGEN_BUILD_TESTS=OFF -DMCQGEN_BUILD_BENCH=OFF
              -DMCQGEN_WITH_PDF=${WITH_PDF})
  if(GENERATOR)
    list(APPEND options -G ${GENERATOR})
  endif()
  if(BUILD_TYPE)
    list(APPEND options -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
  endif()
  if(C_COMPILER)
    list(APPEND options -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  endif()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BUILD_DIR} ${options})
  run(${CMAKE_COMMAND} --build ${BUILD_DIR} --parallel 2 --target mcqgen mcqgen_c mcqgen_cli)
endif()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# The package: the licence, and exactly the C++ target and the C target (no variants).
if(NOT EXISTS ${prefix}/share/doc/mcqgen/LICENSE)
  message(FATAL_ERROR "LICENSE is not installed in share/doc/mcqgen")
endif()
file(GLOB_RECURSE config ${prefix}/*/mcqgenConfig.cmake)
if(NOT config)
  message(FATAL_ERROR "no mcqgenConfig.cmake under ${prefix}")
endif()
file(STRINGS ${config} spdx REGEX "SPDX-License-Identifier: MIT")
if(NOT spdx)
  message(FATAL_ERROR "${config} has no SPDX licence identifier")
endif()
get_filename_component(package_dir ${config} DIRECTORY)
file(STRINGS ${package_dir}/mcqgenTargets.cmake exported REGEX "^add_library\\(")
list(TRANSFORM exported REPLACE "^add_library\\(([^ ]+) .*" "\\1")
list(SORT exported)
set(expected "mcqgen::mcqgen;mcqgen::mcqgen_c")
if(WITH_PDF)
  list(APPEND expected mcqgen::pdf) # the PDF component, when it was built
endif()
if(NOT exported STREQUAL expected)
  message(FATAL_ERROR "exported '${exported}', expected '${expected}'")
endif()

# A consumer that finds the package, checks the library's kind and links each target.
if(shared)
  set(type SHARED_LIBRARY)
else()
  set(type STATIC_LIBRARY)
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_BUILD_TYPE=Release -DEXPECTED_TYPE=${type})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer_cxx ${SAMPLE})
run(${WORK_DIR}/build/consumer_c ${SAMPLE})

# The installed command-line program runs from the prefix (a shared build finds libmcqgen there).
run(${prefix}/bin/mcqgen generate ${SAMPLE} -n 2 --db ${WORK_DIR}/cli.db)
file(REMOVE_RECURSE ${WORK_DIR})
