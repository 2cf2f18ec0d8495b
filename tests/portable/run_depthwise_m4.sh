#!/bin/sh
# ctest depthwise_m4_qemu: the Cortex-M direct depthwise loops (templates/depthwise_m4.c.in) on edge-case shapes, run under QEMU against the host reference.
# Usage: run_depthwise_m4.sh CONVGEN_ROOT BUILD_DIR
# The layers of depthwise_m4_shapes.csv (both layouts, batches, dilation, strides 1-3,
# asymmetric padding, 1x3 / 3x1 / 5x5 / 7x7 kernels, an image smaller than the kernel,
# no bias) go through bench/firmware/run.sh, which checks every output against
# cg_ref_conv_f32 within the rounding bound and fails on any mismatch.
# Exit status: 0 pass, 1 fail, 77 skip (cross tools missing; CONVGEN_REQUIRE_CROSS=1 makes it a failure).
set -u
if [ $# -ne 2 ]; then
  echo "usage: run_depthwise_m4.sh CONVGEN_ROOT BUILD_DIR" >&2
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
FW_SHAPES="$root/tests/portable/depthwise_m4_shapes.csv" FW_SUITES=dwm4 \
  sh "$root/bench/firmware/run.sh" "$root" "$build" "$build/result.txt"
