# convgen_add_kernels(): runs the generator at build time and wraps its output in a static library.
#
#   find_package(convgen)                          # installed, or
#   add_subdirectory(path/to/convgen)              # in-tree / FetchContent, or
#   include(path/to/convgen/cmake/Convgen.cmake)   # the module alone
#
#   convgen_add_kernels(TARGET mymodel SPEC model.lua
#                       [ISA native|avx512|avx2|neon|portable] [OPTIMIZE <flags>|inherit]
#                       [OUTPUT_DIR dir] [UNROLL auto|full|loops] [UNROLL_BUDGET n]
#                       [WORKSPACE_BUDGET bytes] [NO_SIMD] [PREFIX prefix]
#                       [L1_CACHE bytes] [L2_CACHE bytes]   # --l1-cache / --l2-cache
#                       [BATCH n] [LAYOUT NCHW|NHWC])   # the last two: ONNX models only
#   target_link_libraries(app PRIVATE mymodel)
#
# PREFIX is --prefix (every symbol and file name); BATCH and LAYOUT are the ONNX
# importer's --batch (a symbolic batch dimension) and --layout (docs/onnx.md).
#
# The library compiles every generated layer with flags of its own: OPTIMIZE
# (default -O3, the level the kernels are benchmarked at; -O2 on bare-metal
# targets; `inherit` keeps the build type's) and the ISA's (default: -march=native
# when building for the build machine and the parent chose no CPU, else what the
# compiler targets). These flags are PRIVATE: code that includes the headers is
# untouched. It exports the output directory as an include directory, links
# convgen::runtime and defines `const char <TARGET>_kernel_paths[]` (header
# <TARGET>_kernel_paths.h): the SIMD paths compiled in, then "portable" (what the
# layers without one use), e.g. "avx2 portable".
# Configuring prints one line saying which paths the build contains and warns
# when a SIMD path the generated code offers is compiled out although the ISA
# did not ask for that. Edits to the spec, the generator or the templates
# regenerate the code; unchanged files keep their timestamps.

include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/ConvgenIsa.cmake")

# Where the generator and templates live: the source tree (this file in
# <root>/cmake), or an installed share/convgen (set by convgenConfig.cmake).
if(NOT CONVGEN_ROOT OR NOT EXISTS "${CONVGEN_ROOT}/generator/convgen.lua")
  get_filename_component(CONVGEN_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
if(NOT EXISTS "${CONVGEN_ROOT}/generator/convgen.lua")
  message(FATAL_ERROR "convgen: no generator at ${CONVGEN_ROOT}/generator/convgen.lua "
                      "(set CONVGEN_ROOT to the convgen source tree or its installed share/convgen)")
endif()
# Functions run in their caller's scope (a parent project's directory), so what
# they need is kept in global properties.
set_property(GLOBAL PROPERTY CONVGEN_ROOT "${CONVGEN_ROOT}")
set_property(GLOBAL PROPERTY CONVGEN_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")
# What generated code depends on, globbed once per configure (a glob repeated per
# target fails the configure if a file appears in between).
file(GLOB_RECURSE _convgen_generator_files CONFIGURE_DEPENDS
  "${CONVGEN_ROOT}/generator/*.lua" "${CONVGEN_ROOT}/templates/*.in")
set_property(GLOBAL PROPERTY CONVGEN_GENERATOR_FILES "${_convgen_generator_files}")

find_program(CONVGEN_LUA NAMES lua5.4 lua54)
if(NOT CONVGEN_LUA)
  message(FATAL_ERROR "convgen: lua5.4 not found; the generator needs Lua 5.4 "
                      "(Debian/Ubuntu: apt-get install lua5.4; macOS: brew install lua; or set -DCONVGEN_LUA=/path/to/lua)")
endif()

# The runtime: convgen::runtime from an installed package, a convgen_runtime a
# project defined before including this file (the firmware's portable subset),
# or built here from the source tree.
if(NOT TARGET convgen::runtime)
  if(NOT TARGET convgen_runtime)
    include("${CMAKE_CURRENT_LIST_DIR}/ConvgenRuntime.cmake")
  endif()
  add_library(convgen::runtime ALIAS convgen_runtime)
endif()

# Appends the --prefix and ONNX importer options to the generator options in `out`,
# rejecting malformed values with the target named (the generator itself rejects
# BATCH and LAYOUT for a spec that is not an ONNX model, when configuring).
function(_convgen_importer_options out target prefix batch layout)
  set(options ${${out}})
  if(NOT prefix STREQUAL "")
    list(APPEND options --prefix ${prefix})
  endif()
  if(NOT batch STREQUAL "")
    if(NOT batch MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "convgen_add_kernels(${target}): BATCH must be a positive integer, not '${batch}'")
    endif()
    list(APPEND options --batch ${batch})
  endif()
  if(NOT layout STREQUAL "")
    if(NOT layout MATCHES "^(NCHW|NHWC)$")
      message(FATAL_ERROR "convgen_add_kernels(${target}): LAYOUT must be NCHW or NHWC, not '${layout}'")
    endif()
    list(APPEND options --layout ${layout})
  endif()
  set(${out} "${options}" PARENT_SCOPE)
endfunction()

function(convgen_add_kernels)
  cmake_parse_arguments(CG "NO_SIMD"
                        "TARGET;SPEC;OUTPUT_DIR;UNROLL;UNROLL_BUDGET;WORKSPACE_BUDGET;ISA;PREFIX;BATCH;LAYOUT;PARALLEL_TASKS;PARALLEL_GRAIN;L1_CACHE;L2_CACHE"
                        "OPTIMIZE"
                        ${ARGN})
  if(NOT CG_TARGET OR NOT CG_SPEC)
    message(FATAL_ERROR "convgen_add_kernels: TARGET and SPEC are required")
  endif()
  if(CG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "convgen_add_kernels(${CG_TARGET}): unknown arguments ${CG_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(spec "${CG_SPEC}" ABSOLUTE)
  get_property(root GLOBAL PROPERTY CONVGEN_ROOT)
  get_property(module_dir GLOBAL PROPERTY CONVGEN_MODULE_DIR)
  if(NOT CG_OUTPUT_DIR)
    set(CG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${CG_TARGET}")
  endif()
  get_filename_component(outdir "${CG_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")

  if(CG_NO_SIMD)
    if(CG_ISA AND NOT CG_ISA STREQUAL "portable")
      message(FATAL_ERROR "convgen_add_kernels(${CG_TARGET}): NO_SIMD contradicts ISA ${CG_ISA}")
    endif()
    set(CG_ISA portable)
  endif()
  _convgen_isa_flags("${CG_ISA}" isa_flags options isa_description)

  if(DEFINED CG_OPTIMIZE)
    set(optimize ${CG_OPTIMIZE})
  elseif(DEFINED CONVGEN_OPTIMIZE)
    set(optimize ${CONVGEN_OPTIMIZE})
  elseif(CMAKE_SYSTEM_NAME STREQUAL "Generic")
    set(optimize -O2)
  else()
    set(optimize -O3) # the level make bench measures at
  endif()
  if(optimize STREQUAL "inherit")
    set(optimize "")
  endif()

  if(CG_UNROLL)
    list(APPEND options --unroll ${CG_UNROLL})
  endif()
  if(DEFINED CG_UNROLL_BUDGET)
    list(APPEND options --unroll-budget ${CG_UNROLL_BUDGET})
  endif()
  if(DEFINED CG_WORKSPACE_BUDGET)
    list(APPEND options --workspace-budget ${CG_WORKSPACE_BUDGET})
  endif()
  if(DEFINED CG_L1_CACHE) # the SIMD kernels' cache blocking (docs/benchmark.md)
    list(APPEND options --l1-cache ${CG_L1_CACHE})
  endif()
  if(DEFINED CG_L2_CACHE)
    list(APPEND options --l2-cache ${CG_L2_CACHE})
  endif()
  if(DEFINED CG_PARALLEL_TASKS) # P_conv_parallel's split (docs/threads.md)
    list(APPEND options --parallel-tasks ${CG_PARALLEL_TASKS})
  endif()
  if(DEFINED CG_PARALLEL_GRAIN)
    list(APPEND options --parallel-grain ${CG_PARALLEL_GRAIN})
  endif()
  _convgen_importer_options(options "${CG_TARGET}" "${CG_PREFIX}" "${CG_BATCH}" "${CG_LAYOUT}")
  set(generator "${root}/generator/convgen.lua")

  # The set of files depends on the spec's layers, so the generator runs at
  # configure time too (a file whose text is unchanged keeps its timestamp), and
  # editing the spec re-runs the configure step. The written code also says
  # which SIMD paths it offers.
  execute_process(
    COMMAND "${CONVGEN_LUA}" "${generator}" ${options} --list-files "${spec}" -o "${outdir}"
    OUTPUT_VARIABLE listed ERROR_VARIABLE errors RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    string(STRIP "${errors}" errors)
    message(FATAL_ERROR "convgen: ${CG_TARGET}: ${CG_SPEC} is not a valid spec:\n${errors}")
  endif()
  execute_process(
    COMMAND "${CONVGEN_LUA}" "${generator}" ${options} "${spec}" -o "${outdir}"
    ERROR_VARIABLE errors RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "convgen: ${CG_TARGET}: generating ${CG_SPEC} failed:\n${errors}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${spec}")
  string(REGEX REPLACE "\n$" "" listed "${listed}")
  string(REPLACE "\n" ";" outputs "${listed}")
  set(sources ${outputs})
  list(FILTER sources INCLUDE REGEX "\\.c$")

  get_property(generator_files GLOBAL PROPERTY CONVGEN_GENERATOR_FILES)
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

  # Which paths the code offers, and which of them these flags compile in.
  _convgen_offered_paths(offered ${sources})
  get_target_property(runtime_includes convgen::runtime INTERFACE_INCLUDE_DIRECTORIES)
  string(REGEX REPLACE "\\$<BUILD_INTERFACE:([^>]*)>" "\\1" runtime_includes "${runtime_includes}")
  string(REGEX REPLACE "\\$<INSTALL_INTERFACE:[^>]*>" "" runtime_includes "${runtime_includes}")
  list(GET runtime_includes 0 runtime_include)
  # try_compile sees CMAKE_C_FLAGS but not the directory's options: pass its target flags.
  get_directory_property(dir_options COMPILE_OPTIONS)
  list(FILTER dir_options INCLUDE REGEX "^-m")
  _convgen_compiled_paths(compiled "${runtime_include}" "${dir_options};${isa_flags};${optimize}" ${offered})
  set(missing ${offered})
  if(compiled)
    list(REMOVE_ITEM missing ${compiled})
  endif()
  # Of those compiled out, the ones this machine's CPU has (what -march=native would keep).
  set(host_has "")
  if(missing AND NOT CMAKE_CROSSCOMPILING)
    _convgen_first_accepted(native_flags "-march=native" "-mcpu=native")
    if(native_flags)
      _convgen_compiled_paths(host_has "${runtime_include}" "${native_flags}" ${missing})
    endif()
  endif()
  _convgen_path_names(compiled_names ${compiled})
  _convgen_path_names(missing_names ${missing})
  _convgen_path_names(lost_names ${host_has})
  string(REPLACE ";" " " paths "${compiled_names};portable")
  string(STRIP "${paths}" paths)
  string(REPLACE ";" " " flag_text "${optimize};${isa_flags}")
  string(STRIP "${flag_text}" flag_text)
  if(flag_text STREQUAL "")
    set(flag_text "none added (the build type's)")
  endif()
  set(summary "convgen: ${CG_TARGET}: kernel paths: ${paths}")
  if(missing_names)
    string(REPLACE ";" ", " missing_text "${missing_names}")
    string(APPEND summary "; compiled out: ${missing_text}")
    if(NOT lost_names)
      string(APPEND summary " (not for this CPU)")
    endif()
  endif()
  message(STATUS "${summary}; ISA ${isa_description}; kernel flags: ${flag_text}")
  # Compiled out although the build machine has it and no ISA asked for that:
  # the silent slowdown this warns about.
  if(lost_names AND NOT CG_ISA)
    string(REPLACE ";" ", " lost_text "${lost_names}")
    message(WARNING "convgen: ${CG_TARGET}: the generated code has the ${lost_text} path and this machine's CPU runs "
                    "it, but the flags compile it out (the parent's C flags select another CPU). Pass ISA native "
                    "(or avx512/avx2) to convgen_add_kernels for it, or ISA portable to make the choice explicit.")
  endif()

  # <TARGET>_kernel_paths: what the kernels were compiled with, for programs and tests.
  string(MAKE_C_IDENTIFIER "${CG_TARGET}" CONVGEN_SYMBOL)
  set(paths_dir "${CMAKE_CURRENT_BINARY_DIR}/${CG_TARGET}_convgen")
  set(CONVGEN_PATH_CHECKS "")
  foreach(macro IN LISTS offered)
    string(REGEX REPLACE "^CONVGEN_" "" name "${macro}")
    string(TOLOWER "${name}" name)
    string(APPEND CONVGEN_PATH_CHECKS "#if defined(${macro}) && ${macro}\n  \"${name} \"\n#endif\n")
  endforeach()
  configure_file("${module_dir}/kernel_paths.c.in" "${paths_dir}/${CONVGEN_SYMBOL}_kernel_paths.c" @ONLY)
  configure_file("${module_dir}/kernel_paths.h.in" "${paths_dir}/${CONVGEN_SYMBOL}_kernel_paths.h" @ONLY)

  add_library(${CG_TARGET} STATIC ${sources} "${paths_dir}/${CONVGEN_SYMBOL}_kernel_paths.c")
  add_dependencies(${CG_TARGET} ${CG_TARGET}_generate)
  target_include_directories(${CG_TARGET} PUBLIC "${outdir}" "${paths_dir}")
  target_link_libraries(${CG_TARGET} PUBLIC convgen::runtime)
  target_compile_options(${CG_TARGET} PRIVATE ${optimize} ${isa_flags})
  set_target_properties(${CG_TARGET} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endfunction()
