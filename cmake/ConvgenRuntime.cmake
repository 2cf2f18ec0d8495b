# The convgen runtime built from the source tree: target convgen_runtime (exported as convgen::runtime).
include_guard(GLOBAL)

option(CONVGEN_BLAS "Back the runtime's GEMM with CBLAS (OpenBLAS); OFF: the portable C GEMM, no BLAS" ON)

file(GLOB _convgen_runtime_sources CONFIGURE_DEPENDS "${CONVGEN_ROOT}/runtime/*.c")
add_library(convgen_runtime STATIC ${_convgen_runtime_sources})
set_target_properties(convgen_runtime PROPERTIES
  C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
  EXPORT_NAME runtime OUTPUT_NAME convgen_runtime POSITION_INDEPENDENT_CODE ON)
target_include_directories(convgen_runtime PUBLIC
  "$<BUILD_INTERFACE:${CONVGEN_ROOT}/runtime>" "$<INSTALL_INTERFACE:include>")
# The portable GEMM is the firmware's hot loop: optimized whatever the parent's build type.
if(NOT CONVGEN_OPTIMIZE STREQUAL "inherit")
  target_compile_options(convgen_runtime PRIVATE -O3)
endif()
if(CONVGEN_BLAS)
  find_package(PkgConfig)
  if(PkgConfig_FOUND)
    pkg_check_modules(CONVGEN_OPENBLAS IMPORTED_TARGET openblas)
  endif()
  if(NOT CONVGEN_OPENBLAS_FOUND)
    message(FATAL_ERROR "convgen: OpenBLAS not found through pkg-config (Debian/Ubuntu: apt-get install "
                        "libopenblas-dev pkg-config; Fedora: dnf install openblas-devel; macOS: brew install "
                        "openblas pkg-config), or configure with -DCONVGEN_BLAS=OFF for the portable GEMM")
  endif()
  target_link_libraries(convgen_runtime PUBLIC PkgConfig::CONVGEN_OPENBLAS)
else()
  target_compile_definitions(convgen_runtime PUBLIC CONVGEN_PORTABLE_GEMM)
endif()
