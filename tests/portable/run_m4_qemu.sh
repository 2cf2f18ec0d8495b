#!/bin/sh
# ctest portable_gemm_m4_qemu: builds check_gemm_m4.c with the portable GEMM for a Cortex-M4F and runs it under qemu-system-arm -M mps2-an386.
# Usage: run_m4_qemu.sh CONVGEN_ROOT BUILD_DIR
# Exit status: 0 pass, 1 fail, 77 skip (arm-none-eabi-gcc, its newlib or
# qemu-system-arm missing; CONVGEN_REQUIRE_CROSS=1 turns the skip into a failure).
set -u
if [ $# -ne 2 ]; then
  echo "usage: run_m4_qemu.sh CONVGEN_ROOT BUILD_DIR" >&2
  exit 2
fi
root=$1 build=$2
m4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
skip() {
  if [ "${CONVGEN_REQUIRE_CROSS:-0}" = 1 ]; then
    echo "FAIL: $1 (CONVGEN_REQUIRE_CROSS=1)"
    exit 1
  fi
  echo "SKIP: $1; scripts/setup.sh installs gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
  exit 77
}
command -v arm-none-eabi-gcc >/dev/null 2>&1 || skip "arm-none-eabi-gcc is not installed"
command -v qemu-system-arm >/dev/null 2>&1 || skip "qemu-system-arm is not installed"
# shellcheck disable=SC2086
case "$(arm-none-eabi-gcc $m4 -print-file-name=librdimon.a)" in
  /*) ;;
  *) skip "newlib for arm-none-eabi (librdimon.a) is not installed" ;;
esac
mkdir -p "$build" || exit 1
fw="$root/examples/firmware"
# The firmware's linker script, plus the symbol newlib's sbrk grows the heap from.
sed 's/^\(  __stack_top__ = .*\)$/  PROVIDE(end = __bss_end__);\n\1/' "$fw/mps2_an386.ld" >"$build/check_gemm_m4.ld"
flags="$m4 -std=c99 -O2 -ffp-contract=fast -Wall -Wextra -Wpedantic -Werror -DCONVGEN_PORTABLE_GEMM"
image="$build/check_gemm_m4.elf"
# shellcheck disable=SC2086
arm-none-eabi-gcc $flags -I"$root/runtime" -I"$root/tests/portable" -I"$fw" \
  "$root/tests/portable/check_gemm_m4.c" "$root/runtime/gemm_portable.c" "$fw/startup.c" "$fw/semihost.c" \
  -nostartfiles --specs=rdimon.specs -T"$build/check_gemm_m4.ld" -lm -o "$image" ||
  { echo "FAIL: building $image"; exit 1; }
timeout "${FIRMWARE_TIMEOUT:-600}" qemu-system-arm -M mps2-an386 -nographic -semihosting \
  -kernel "$image" </dev/null >"$build/check_gemm_m4.log" 2>&1
status=$?
cat "$build/check_gemm_m4.log"
if [ "$status" -ne 0 ] || ! grep -q "^OK: .* GEMM calls checked on the Cortex-M4, 0 failed" "$build/check_gemm_m4.log"; then
  echo "FAIL: QEMU exited with status $status (124: timed out)"
  exit 1
fi
exit 0
