#!/bin/sh
# ctest cross_aarch64_qemu: cross-builds tests/cross for aarch64 (NEON kernels) and runs its checkers under qemu-aarch64.
# Usage: run_cross.sh CONVGEN_ROOT BUILD_DIR
# Environment: LUA (default lua5.4), CONVGEN_REQUIRE_CROSS=1 (a missing tool
#   fails instead of skipping).
# Passes when the cross project's ctest passes: check_layers (every curated
# layer against the reference), check_sweep (the random sweep's f32 forward
# layers) and check_gemm, all run through qemu-aarch64; and when both layer
# checkers say their kernels were compiled with the NEON path and generated
# layers have one.
# Exit status: 0 pass, 1 fail, 77 skip (aarch64-linux-gnu-gcc, its libc or
# qemu-aarch64 missing; Debian: gcc-aarch64-linux-gnu qemu-user).
set -u
if [ $# -ne 2 ]; then
  echo "usage: run_cross.sh CONVGEN_ROOT BUILD_DIR" >&2
  exit 2
fi
root=$1 build=$2
lua=${LUA:-lua5.4}
sysroot=/usr/aarch64-linux-gnu

skip() {
  if [ "${CONVGEN_REQUIRE_CROSS:-0}" = 1 ]; then
    echo "FAIL: $1 (CONVGEN_REQUIRE_CROSS=1)"
    exit 1
  fi
  echo "SKIP: $1; scripts/setup.sh installs gcc-aarch64-linux-gnu qemu-user"
  exit 77
}
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || skip "aarch64-linux-gnu-gcc is not installed"
command -v qemu-aarch64 >/dev/null 2>&1 || skip "qemu-aarch64 is not installed"
[ -f "$sysroot/lib/ld-linux-aarch64.so.1" ] || skip "the aarch64 C library ($sysroot) is not installed"

echo "== configure and build $build"
mkdir -p "$build" || exit 1
cmake -S "$root/tests/cross" -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" \
  -DCONVGEN_LUA="$(command -v "$lua")" >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "FAIL: configuring the cross build"; exit 1; }
cmake --build "$build" --parallel 2 || { echo "FAIL: building the cross checkers"; exit 1; }
aarch64-linux-gnu-readelf -h "$build/check_layers" | grep -q "AArch64" ||
  { echo "FAIL: check_layers is not an aarch64 program"; exit 1; }

# The NEON kernels must be in the generated code, and compiled in (below: "kernels: neon").
for model in curated sweep; do
  f32=$(grep -l "^int [a-z0-9_]*_conv(const float \*x" "$build/cross_${model}_kernels/"*.c | wc -l)
  neon=$(grep -l "conv_neon(" "$build/cross_${model}_kernels/"*.c | wc -l)
  echo "$model: $neon of $f32 f32 conv2d layers have a NEON path"
  [ "$neon" -gt 0 ] || { echo "FAIL: no $model layer has a NEON path"; exit 1; }
done

# clang too, when it can target aarch64 with the cross libc's headers (syntax and warnings only).
clang_arm="clang --target=aarch64-linux-gnu --sysroot=$sysroot"
if command -v clang >/dev/null 2>&1 && echo '#include <arm_neon.h>
#include <string.h>' | $clang_arm -x c -fsyntax-only - 2>/dev/null; then
  echo "== clang (aarch64) warnings on the NEON layers"
  $clang_arm -std=c99 -fsyntax-only -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$root/runtime" \
    $(grep -l "conv_neon(" "$build"/cross_*_kernels/*.c) || { echo "FAIL: clang warnings"; exit 1; }
fi

echo "== ctest under qemu-aarch64 -L $sysroot"
(cd "$build" && ctest --output-on-failure -V) >"$build/ctest.log" 2>&1
status=$?
cat "$build/ctest.log"
[ $status -eq 0 ] || { echo "FAIL: cross checks"; exit 1; }
paths=$(grep -c "kernels: neon portable" "$build/ctest.log")
[ "$paths" -eq 2 ] ||
  { echo "FAIL: $paths of 2 checkers report 'kernels: neon portable' (NEON not compiled in)"; exit 1; }
echo "cross_aarch64_qemu: OK"
