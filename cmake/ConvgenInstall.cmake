# install() rules: runtime library and headers, generator, templates, and the CMake package convgen (find_package(convgen)).
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CONVGEN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/convgen" CACHE STRING
    "Where convgenConfig.cmake is installed, relative to the prefix")
set(CONVGEN_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/convgen" CACHE STRING
    "Where the generator and templates are installed, relative to the prefix")

install(TARGETS convgen_runtime EXPORT convgenTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
# The headers generated code includes; the *_impl.h files are private to the runtime's sources.
file(GLOB _convgen_public_headers "${CONVGEN_ROOT}/runtime/*.h")
list(FILTER _convgen_public_headers EXCLUDE REGEX "_impl\\.h$")
install(FILES ${_convgen_public_headers} DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

# The generator runs at the consumer's build time, so it is installed with its templates,
# side by side as in the source tree (convgen.lua finds its modules relative to itself).
install(DIRECTORY "${CONVGEN_ROOT}/generator" DESTINATION "${CONVGEN_INSTALL_DATADIR}"
        FILES_MATCHING PATTERN "*.lua")
install(DIRECTORY "${CONVGEN_ROOT}/templates" DESTINATION "${CONVGEN_INSTALL_DATADIR}"
        FILES_MATCHING PATTERN "*.in")

install(EXPORT convgenTargets NAMESPACE convgen:: DESTINATION "${CONVGEN_INSTALL_CMAKEDIR}")
configure_package_config_file("${CONVGEN_ROOT}/cmake/convgenConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/convgenConfig.cmake"
  INSTALL_DESTINATION "${CONVGEN_INSTALL_CMAKEDIR}"
  PATH_VARS CONVGEN_INSTALL_DATADIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/convgenConfig.cmake"
  "${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake"
  "${CONVGEN_ROOT}/cmake/Convgen.cmake"
  "${CONVGEN_ROOT}/cmake/ConvgenIsa.cmake"
  "${CONVGEN_ROOT}/cmake/kernel_paths.c.in"
  "${CONVGEN_ROOT}/cmake/kernel_paths.h.in"
  "${CONVGEN_ROOT}/cmake/convgen.mk"
  DESTINATION "${CONVGEN_INSTALL_CMAKEDIR}")
