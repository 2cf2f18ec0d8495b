# convgen_add_kernels(): runs the generator at build time and wraps its output in a static library.
#
#   include(path/to/convgen/cmake/Convgen.cmake)
#   convgen_add_kernels(TARGET mymodel SPEC model.lua
#                       [OUTPUT_DIR dir] [UNROLL auto|full|loops] [UNROLL_BUDGET n]
#                       [WORKSPACE_BUDGET bytes] [NO_SIMD])
#   target_link_libraries(app PRIVATE mymodel)
#
# The library compiles every generated layer, exports the output directory as an
# include directory and links the convgen runtime (target convgen_runtime). Edits
# to the spec, the generator or the templates regenerate the code; files whose
# text did not change keep their timestamps, so only changed layers recompile.

include_guard(GLOBAL)

get_filename_component(CONVGEN_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CONVGEN_ROOT "${CONVGEN_ROOT}" CACHE INTERNAL "convgen source tree")

find_program(CONVGEN_LUA NAMES lua5.4 lua54 REQUIRED)

option(CONVGEN_BLAS "Back the runtime's GEMM with CBLAS (OpenBLAS); OFF: the portable C GEMM, no BLAS" ON)

if(NOT TARGET convgen_runtime)
  file(GLOB _convgen_runtime_sources CONFIGURE_DEPENDS "${CONVGEN_ROOT}/runtime/*.c")
  add_library(convgen_runtime STATIC ${_convgen_runtime_sources})
  target_include_directories(convgen_runtime PUBLIC "${CONVGEN_ROOT}/runtime")
  set_target_properties(convgen_runtime PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  if(CONVGEN_BLAS)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(CONVGEN_OPENBLAS REQUIRED IMPORTED_TARGET openblas)
    target_link_libraries(convgen_runtime PUBLIC PkgConfig::CONVGEN_OPENBLAS)
  else()
    target_compile_definitions(convgen_runtime PUBLIC CONVGEN_PORTABLE_GEMM)
  endif()
endif()

function(convgen_add_kernels)
  cmake_parse_arguments(CG "NO_SIMD" "TARGET;SPEC;OUTPUT_DIR;UNROLL;UNROLL_BUDGET;WORKSPACE_BUDGET" "" ${ARGN})
  if(NOT CG_TARGET OR NOT CG_SPEC)
    message(FATAL_ERROR "convgen_add_kernels: TARGET and SPEC are required")
  endif()
  get_filename_component(spec "${CG_SPEC}" ABSOLUTE)
  if(NOT CG_OUTPUT_DIR)
    set(CG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${CG_TARGET}")
  endif()
  get_filename_component(outdir "${CG_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  set(options)
  if(CG_UNROLL)
    list(APPEND options --unroll ${CG_UNROLL})
  endif()
  if(DEFINED CG_UNROLL_BUDGET)
    list(APPEND options --unroll-budget ${CG_UNROLL_BUDGET})
  endif()
  if(DEFINED CG_WORKSPACE_BUDGET)
    list(APPEND options --workspace-budget ${CG_WORKSPACE_BUDGET})
  endif()
  if(CG_NO_SIMD)
    list(APPEND options --no-simd)
  endif()
  set(generator "${CONVGEN_ROOT}/generator/convgen.lua")

  # The set of files depends on the spec's layers, so it is read at configure
  # time, and editing the spec re-runs the configure step.
  execute_process(
    COMMAND "${CONVGEN_LUA}" "${generator}" ${options} --list-files "${spec}" -o "${outdir}"
    OUTPUT_VARIABLE listed ERROR_VARIABLE errors RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "convgen: ${spec} is not a valid spec:\n${errors}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${spec}")
  string(REGEX REPLACE "\n$" "" listed "${listed}")
  string(REPLACE "\n" ";" outputs "${listed}")
  set(sources ${outputs})
  list(FILTER sources INCLUDE REGEX "\\.c$")

  file(GLOB generator_files CONFIGURE_DEPENDS
    "${CONVGEN_ROOT}/generator/*.lua" "${CONVGEN_ROOT}/templates/*.in")
  set(stamp "${outdir}/.convgen.stamp")
  add_custom_command(
    OUTPUT "${stamp}"
    BYPRODUCTS ${outputs}
    COMMAND "${CONVGEN_LUA}" "${generator}" ${options} "${spec}" -o "${outdir}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${spec}" ${generator_files}
    COMMENT "convgen: generating ${CG_TARGET} from ${CG_SPEC}"
    VERBATIM)
  add_custom_target(${CG_TARGET}_generate DEPENDS "${stamp}")

  add_library(${CG_TARGET} STATIC ${sources})
  add_dependencies(${CG_TARGET} ${CG_TARGET}_generate)
  target_include_directories(${CG_TARGET} PUBLIC "${outdir}")
  target_link_libraries(${CG_TARGET} PUBLIC convgen_runtime)
  set_target_properties(${CG_TARGET} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endfunction()
