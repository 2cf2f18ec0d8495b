# The random sweep as one CTest test: write a seeded random spec, then generate, build and check it.
#   cmake -DSOURCE_DIR=<repo> -DWORK_DIR=<dir> -DLUA=<lua5.4> -DC_COMPILER=<cc>
#         -DBUILD_TYPE=<type> -DSANITIZE=ON|OFF -DBLAS=ON|OFF -DNO_SIMD=ON|OFF -P run_sweep.cmake
# CONVGEN_SEED picks the seed (default 20261121), CONVGEN_SWEEP_LAYERS the count (default 300).
if(DEFINED ENV{CONVGEN_SEED} AND NOT "$ENV{CONVGEN_SEED}" STREQUAL "")
  set(seed "$ENV{CONVGEN_SEED}")
else()
  set(seed 20261121)
endif()
if(DEFINED ENV{CONVGEN_SWEEP_LAYERS} AND NOT "$ENV{CONVGEN_SWEEP_LAYERS}" STREQUAL "")
  set(count "$ENV{CONVGEN_SWEEP_LAYERS}")
else()
  set(count 300)
endif()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "random sweep (seed ${seed}): ${step} failed; rerun with CONVGEN_SEED=${seed}")
  endif()
endfunction()

file(MAKE_DIRECTORY "${WORK_DIR}")
set(spec "${WORK_DIR}/sweep_spec.lua")
run("writing the spec" "${LUA}" "${SOURCE_DIR}/tests/random_spec.lua" ${seed} ${count} "${spec}")
run("configuring" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/sweep" -B "${WORK_DIR}/build"
    -DSWEEP_SPEC=${spec} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
    -DCONVGEN_SANITIZE=${SANITIZE} -DCONVGEN_BLAS=${BLAS} -DSWEEP_NO_SIMD=${NO_SIMD} --log-level=WARNING)
run("building" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" -j 2)
run("checking" "${WORK_DIR}/build/sweep_checks")
if(NO_SIMD)
  set(path "portable path")
else()
  set(path "SIMD path where the CPU has one")
endif()
message(STATUS "random sweep: seed ${seed}, ${count} layers (${path}), all checks passed")
