# Thread-pool adapters for P_conv_parallel (runtime/threads/, docs/threads.md): convgen_threads (serial) always,
# convgen_threads_openmp when the compiler supports OpenMP, convgen_threads_pthreadpool when libpthreadpool is found.
include_guard(GLOBAL)

set(_cg_threads_dir "${CMAKE_CURRENT_LIST_DIR}/../runtime/threads")
add_library(convgen_threads STATIC "${_cg_threads_dir}/threadpool_serial.c")
target_include_directories(convgen_threads PUBLIC "${_cg_threads_dir}")
target_link_libraries(convgen_threads PUBLIC convgen::runtime)
set_target_properties(convgen_threads PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)

find_package(OpenMP COMPONENTS C QUIET)
if(OpenMP_C_FOUND)
  add_library(convgen_threads_openmp STATIC "${_cg_threads_dir}/threadpool_openmp.c")
  target_link_libraries(convgen_threads_openmp PUBLIC convgen_threads OpenMP::OpenMP_C)
  set_target_properties(convgen_threads_openmp PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endif()

find_path(CONVGEN_PTHREADPOOL_INCLUDE_DIR pthreadpool.h)
find_library(CONVGEN_PTHREADPOOL_LIBRARY pthreadpool)
if(CONVGEN_PTHREADPOOL_INCLUDE_DIR AND CONVGEN_PTHREADPOOL_LIBRARY)
  find_package(Threads REQUIRED)
  add_library(convgen_threads_pthreadpool STATIC "${_cg_threads_dir}/threadpool_pthreadpool.c")
  target_include_directories(convgen_threads_pthreadpool PUBLIC "${CONVGEN_PTHREADPOOL_INCLUDE_DIR}")
  target_link_libraries(convgen_threads_pthreadpool PUBLIC convgen_threads "${CONVGEN_PTHREADPOOL_LIBRARY}"
                        Threads::Threads)
  set_target_properties(convgen_threads_pthreadpool PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON
                        C_EXTENSIONS OFF)
endif()
