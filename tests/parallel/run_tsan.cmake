# The ThreadSanitizer run of P_conv_parallel's check as one CTest test: configure, build and run tests/parallel/tsan.
#   cmake -DSOURCE_DIR=<repo> -DWORK_DIR=<dir> -DC_COMPILER=<cc> -P run_tsan.cmake
# The portable GEMM (no OpenBLAS threads TSan cannot see into); a report fails the run (halt_on_error).
function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "parallel_tsan: ${step} failed")
  endif()
endfunction()

run("configuring" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/parallel/tsan" -B "${WORK_DIR}"
    -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVGEN_BLAS=OFF
    "-DCMAKE_C_FLAGS=-fsanitize=thread -fno-omit-frame-pointer" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread"
    --log-level=WARNING)
run("building" "${CMAKE_COMMAND}" --build "${WORK_DIR}" -j 2)
set(ENV{TSAN_OPTIONS} "halt_on_error=1 exitcode=66")
run("checking" "${WORK_DIR}/parallel_tsan_check")
