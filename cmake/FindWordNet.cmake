# SPDX-License-Identifier: MIT
# Finds the WordNet C library (Debian: wordnet-dev; its database is wordnet-base) and defines
# the imported target WordNet::WordNet. Installed beside mcqgenConfig.cmake, so that a consumer
# of a static mcqgen finds it as the build did.
find_path(WordNet_INCLUDE_DIR NAMES wn.h)
find_library(WordNet_LIBRARY NAMES wordnet)
mark_as_advanced(WordNet_INCLUDE_DIR WordNet_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(WordNet REQUIRED_VARS WordNet_LIBRARY WordNet_INCLUDE_DIR)

if(WordNet_FOUND AND NOT TARGET WordNet::WordNet)
  add_library(WordNet::WordNet UNKNOWN IMPORTED)
  set_target_properties(WordNet::WordNet PROPERTIES
    IMPORTED_LOCATION "${WordNet_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${WordNet_INCLUDE_DIR}")
endif()
