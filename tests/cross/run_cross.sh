#!/bin/sh
# ctest cross_aarch64_qemu: cross-builds tests/cross for aarch64 (portable GEMM) and runs its checkers under qemu-aarch64.
# Usage: run_cross.sh CONVGEN_ROOT BUILD_DIR
# Environment: LUA (default lua5.4), CONVGEN_REQUIRE_CROSS=1 (a missing tool
#   fails instead of skipping).
# Passes when the cross project's ctest passes: check_layers (every curated
# layer against the reference) and check_gemm, both run through qemu-aarch64.
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
cmake --build "$build" || { echo "FAIL: building the cross checkers"; exit 1; }
aarch64-linux-gnu-readelf -h "$build/check_layers" | grep -q "AArch64" ||
  { echo "FAIL: check_layers is not an aarch64 program"; exit 1; }

echo "== ctest under qemu-aarch64 -L $sysroot"
(cd "$build" && ctest --output-on-failure -V) || { echo "FAIL: cross checks"; exit 1; }
echo "cross_aarch64_qemu: OK"
