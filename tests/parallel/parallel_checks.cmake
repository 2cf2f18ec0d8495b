# convgen_add_parallel_check(): one executable that checks every layer's P_conv_parallel against its P_conv bit for bit.
set(CONVGEN_PARALLEL_DIR "${CMAKE_CURRENT_LIST_DIR}")
find_package(Threads REQUIRED)

#   convgen_add_parallel_check(NAME exe KERNELS target PREFIX spec_prefix [TEST_POOL_ONLY])
# The pools: the serial adapter and the test's own pthread pool always, the OpenMP and
# pthreadpool adapters when built (not with TEST_POOL_ONLY: ThreadSanitizer cannot see
# inside an uninstrumented libgomp or libpthreadpool).
function(convgen_add_parallel_check)
  cmake_parse_arguments(PC "TEST_POOL_ONLY" "NAME;KERNELS;PREFIX" "" ${ARGN})
  string(TOUPPER "${PC_PREFIX}" upper)
  add_executable(${PC_NAME} "${CONVGEN_PARALLEL_DIR}/check_parallel.c")
  target_compile_definitions(${PC_NAME} PRIVATE CG_TEST_MODEL_HEADER="${PC_PREFIX}model.h"
    CG_TEST_LAYERS_F32=${upper}MODEL_LAYERS_F32 CG_TEST_LAYERS_F64=${upper}MODEL_LAYERS_F64)
  target_link_libraries(${PC_NAME} PRIVATE ${PC_KERNELS} convgen_threads Threads::Threads m)
  if(TARGET convgen_threads_openmp AND NOT PC_TEST_POOL_ONLY)
    target_link_libraries(${PC_NAME} PRIVATE convgen_threads_openmp)
    target_compile_definitions(${PC_NAME} PRIVATE CG_TEST_OPENMP)
  endif()
  if(TARGET convgen_threads_pthreadpool AND NOT PC_TEST_POOL_ONLY)
    target_link_libraries(${PC_NAME} PRIVATE convgen_threads_pthreadpool)
    target_compile_definitions(${PC_NAME} PRIVATE CG_TEST_PTHREADPOOL)
  endif()
  set_target_properties(${PC_NAME} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  add_test(NAME ${PC_NAME} COMMAND ${PC_NAME})
  # OpenBLAS's own threads inside a task would only oversubscribe the cores
  set_tests_properties(${PC_NAME} PROPERTIES ENVIRONMENT "OPENBLAS_NUM_THREADS=1" TIMEOUT 300)
endfunction()
