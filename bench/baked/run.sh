#!/bin/sh
# P_run (baked weights, pre-packed where the kernel packs) against P_conv (the same weights from RAM) for the MLPerf Tiny suites of bench_shapes.csv.
#
#   sh bench/baked/run.sh CONVGEN_ROOT WORK_DIR OUT.txt [REPS]
#
# The suites' layers become ONNX models (suite_onnx.lua: ResNet-8 NCHW; DS-CNN and VWW NHWC,
# seeded random weights), imported and built twice: as `make bench`'s kernels are (-O3
# -march=native, OpenBLAS runtime: the SIMD path, weights in their plain order) and as the
# portable build (--no-simd, -O3, the runtime's portable GEMM: weights pre-packed for it).
# tests/onnx/bench_run.c times each layer (fastest of REPS interleaved calls) and checks that
# P_run and P_conv give identical outputs. docs/onnx.md quotes the result.
set -eu
root=$(cd "$1" && pwd)
work=$2
out=$3
reps=${4:-300}
cc=${CC:-cc}
lua=${LUA:-lua5.4}
mkdir -p "$work"
blas=$(pkg-config --cflags --libs openblas 2>/dev/null || echo "-I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas")

"$lua" "$root/bench/baked/suite_onnx.lua" "$root/bench/bench_shapes.csv" NCHW "$work/resnet8.onnx" resnet8
"$lua" "$root/bench/baked/suite_onnx.lua" "$root/bench/bench_shapes.csv" NHWC "$work/tiny_nhwc.onnx" dscnn vww

{
  echo "# P_run / P_conv: bench/baked/run.sh (fastest of $reps interleaved calls each, one thread)"
  echo "# $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $($cc --version | head -n 1)"
  for build in native portable; do
    for model in resnet8:NCHW tiny_nhwc:NHWC; do
      name=${model%%:*}
      layout=${model#*:}
      gen="$work/$build-$name"
      rm -rf "$gen"
      if [ $build = native ]; then
        flags="-O3 -march=native"
        genflags=""
        runtime="$root/runtime/gemm_cblas.c $blas"
      else
        flags="-O3 -DCONVGEN_PORTABLE_GEMM"
        genflags="--no-simd"
        runtime="$root/runtime/gemm_portable.c"
      fi
      # shellcheck disable=SC2086
      "$lua" "$root/generator/convgen.lua" $genflags --layout $layout "$work/$name.onnx" -o "$gen" > /dev/null
      # shellcheck disable=SC2086
      $cc -std=c99 $flags -I"$root/runtime" -I"$gen" "$root/tests/onnx/bench_run.c" "$gen"/*.c \
        "$root/runtime/sizes.c" $runtime -o "$gen/bench_run" -lm
      echo ""
      echo "## $build build ($flags${genflags:+, $genflags}), $name ($layout)"
      OPENBLAS_NUM_THREADS=1 "$gen/bench_run" "$reps"
    done
  done
} | tee "$out"
