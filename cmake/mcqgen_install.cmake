# Install rules and the exported package, so find_package(mcqgen) works for an installed copy:
# mcqgen::mcqgen (static or shared, as built), mcqgen::mcqgen_c (the C ABI) and mcqgen::pdf.
include(CMakePackageConfigHelpers)

set(MCQGEN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mcqgen)
set(mcqgen_install_targets mcqgen)
if(MCQGEN_BUILD_CAPI)
  list(APPEND mcqgen_install_targets mcqgen_c)
endif()
# mcqgen::pdf (GPL-2.0-or-later, include/mcqgen/pdf.hpp), when MCQGEN_WITH_PDF built it.
set(mcqgen_header_filter PATTERN pdf.hpp EXCLUDE)
set(MCQGEN_PDF_LIBRARY_TYPE "")
if(TARGET mcqgen_pdf)
  list(APPEND mcqgen_install_targets mcqgen_pdf)
  set(mcqgen_header_filter "")
  get_target_property(MCQGEN_PDF_LIBRARY_TYPE mcqgen_pdf TYPE)
endif()

install(TARGETS ${mcqgen_install_targets} EXPORT mcqgenTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/mcqgen DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        ${mcqgen_header_filter})
install(FILES ${PROJECT_BINARY_DIR}/include/mcqgen/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mcqgen)
if(MCQGEN_BUILD_CAPI)
  install(FILES capi/include/mcqgen/mcqgen.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mcqgen)
endif()
# mcqgen is MIT-licensed; the licence travels with every binary copy (share/doc/mcqgen).
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The package config finds the dependencies only for a static mcqgen, whose consumers link them.
get_target_property(MCQGEN_LIBRARY_TYPE mcqgen TYPE)
install(EXPORT mcqgenTargets NAMESPACE mcqgen:: DESTINATION ${MCQGEN_CMAKE_DIR})
configure_package_config_file(cmake/mcqgenConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mcqgenConfig.cmake INSTALL_DESTINATION ${MCQGEN_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mcqgenConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
# FindWordNet.cmake: a static mcqgen's consumers find WordNet::WordNet with it.
install(FILES ${PROJECT_BINARY_DIR}/mcqgenConfig.cmake
              ${PROJECT_BINARY_DIR}/mcqgenConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindWordNet.cmake
        DESTINATION ${MCQGEN_CMAKE_DIR})
