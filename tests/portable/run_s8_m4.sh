#!/bin/sh
# ctest s8_m4_qemu: generated s8 layers (the Cortex-M4 SMLAD kernel and the direct depthwise loops) under QEMU, bit for bit against reference_s8.c run on the target.
# Usage: run_s8_m4.sh CONVGEN_ROOT BUILD_DIR
# Two runs of bench/firmware/run.sh with FW_DTYPE=s8: tests/specs/curated_s8.lua with a
# 256-byte workspace budget (every geometry in both layouts, extreme multipliers and every
# shift, banded and unbanded), then the ResNet-8 and DS-CNN layers of bench/bench_shapes.csv
# as the firmware builds them (budget 16384). Any output byte that differs fails the test.
# Exit status: 0 pass, 1 fail, 77 skip (cross tools missing; CONVGEN_REQUIRE_CROSS=1 makes it a failure).
set -u
if [ $# -ne 2 ]; then
  echo "usage: run_s8_m4.sh CONVGEN_ROOT BUILD_DIR" >&2
  exit 2
fi
root=$1 build=$2
for tool in arm-none-eabi-gcc qemu-system-arm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "${CONVGEN_REQUIRE_CROSS:-0}" = 1 ]; then
      echo "FAIL: $tool is not installed (CONVGEN_REQUIRE_CROSS=1)"
      exit 1
    fi
    echo "SKIP: $tool is not installed; scripts/setup.sh installs it"
    exit 77
  fi
done
FW_DTYPE=s8 FW_SPEC="$root/tests/specs/curated_s8.lua" FW_WORKSPACE_BUDGET=256 \
  sh "$root/bench/firmware/run.sh" "$root" "$build/curated" "$build/curated.txt" || exit 1
FW_DTYPE=s8 FW_SUITES=resnet8,dscnn \
  sh "$root/bench/firmware/run.sh" "$root" "$build/models" "$build/models.txt" || exit 1
