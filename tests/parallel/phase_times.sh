#!/bin/sh
# phase_times.sh: per bench layer, the thread CPU time of P_conv and of P_conv_parallel's phases (phase_times.c).
#   tests/parallel/phase_times.sh [ROUNDS] LAYER...   (names of bench/bench_shapes.csv; f32 layers whose AVX2 branch splits)
# Generates the bench spec without gradients into a temporary directory, builds one probe per layer
# (-O3 -mavx2 -mfma, as the bench's AVX2 kernels) and runs them one after the other.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=21
case "${1:-}" in [0-9]*) rounds=$1; shift ;; esac
work=$(mktemp -d /tmp/phase_times.XXXXXX)
trap 'rm -rf "$work"' EXIT
lua5.4 "$root/bench/csv_to_spec.lua" "$root/bench/bench_shapes.csv" -o "$work/spec.lua" --prefix bench_ --no-backward
lua5.4 "$root/generator/convgen.lua" "$work/spec.lua" -o "$work/gen"
for layer in "$@"; do
  upper=$(echo "bench_$layer" | tr 'a-z' 'A-Z')
  cc -std=c99 -O3 -mavx2 -mfma -I"$root/runtime" -I"$work/gen" -DLAYER_C="\"bench_$layer.c\"" -DSYM="bench_$layer" \
    -DUSYM="$upper" -DNAME="\"$layer\"" "$root/tests/parallel/phase_times.c" "$root/runtime/sizes.c" \
    "$root/runtime/gemm_cblas.c" -lopenblas -lm -o "$work/$layer"
done
for layer in "$@"; do "$work/$layer" "$rounds"; done
