# convgen_add_layer_checks(): one Check executable that runs every layer (forward, gradients, transposed) of a model against the reference.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CHECK REQUIRED IMPORTED_TARGET check)

set(CONVGEN_HARNESS_DIR "${CMAKE_CURRENT_LIST_DIR}/harness")

#   convgen_add_layer_checks(NAME exe KERNELS target PREFIX spec_prefix)
# The kernels target comes from convgen_add_kernels; PREFIX is the spec's prefix,
# which names the model header (<prefix>model.h) and its X-macros.
function(convgen_add_layer_checks)
  cmake_parse_arguments(LC "" "NAME;KERNELS;PREFIX" "" ${ARGN})
  string(TOUPPER "${LC_PREFIX}" upper)
  add_executable(${LC_NAME} "${CONVGEN_HARNESS_DIR}/harness_main.c" "${CONVGEN_HARNESS_DIR}/harness_util.c")
  target_include_directories(${LC_NAME} PRIVATE "${CONVGEN_HARNESS_DIR}")
  target_compile_definitions(${LC_NAME} PRIVATE
    CG_TEST_MODEL_HEADER="${LC_PREFIX}model.h"
    CG_TEST_LAYERS_F32=${upper}MODEL_LAYERS_F32
    CG_TEST_LAYERS_F64=${upper}MODEL_LAYERS_F64
    CG_TEST_LAYERS_S8=${upper}MODEL_LAYERS_S8
    CG_TEST_BACKWARD_F32=${upper}MODEL_BACKWARD_F32
    CG_TEST_BACKWARD_F64=${upper}MODEL_BACKWARD_F64
    CG_TEST_TRANSPOSE_F32=${upper}MODEL_TRANSPOSE_F32
    CG_TEST_TRANSPOSE_F64=${upper}MODEL_TRANSPOSE_F64)
  target_link_libraries(${LC_NAME} PRIVATE ${LC_KERNELS} PkgConfig::CHECK m)
  set_target_properties(${LC_NAME} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  add_test(NAME ${LC_NAME} COMMAND ${LC_NAME})
endfunction()
