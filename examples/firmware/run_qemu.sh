#!/bin/sh
# ctest firmware_m4_qemu: cross-builds examples/firmware for the Cortex-M4 and runs it under qemu-system-arm -M mps2-an386.
# Usage: run_qemu.sh CONVGEN_ROOT BUILD_DIR EXPECTED_C
#   EXPECTED_C is the host tool fw_expected's output (the host build makes it).
# Environment: LUA (default lua5.4), FIRMWARE_TIMEOUT (seconds for QEMU,
#   default 300), CONVGEN_REQUIRE_CROSS=1 (a missing tool fails instead of skipping).
# Passes when QEMU exits with status 0 and the firmware printed a PASS line for
# every layer of both specs plus the "N/N layers passed" summary. Exit status:
# 0 pass, 1 fail, 77 skip (arm-none-eabi-gcc, its newlib or qemu-system-arm
# missing; scripts/setup.sh installs them).
set -u
if [ $# -ne 3 ]; then
  echo "usage: run_qemu.sh CONVGEN_ROOT BUILD_DIR EXPECTED_C" >&2
  exit 2
fi
root=$1 build=$2 expected=$3
lua=${LUA:-lua5.4}
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
case "$(arm-none-eabi-gcc $m4 -print-file-name=libc_nano.a)" in
  /*) ;;
  *) skip "newlib for arm-none-eabi (libc_nano.a) is not installed" ;;
esac
[ -f "$expected" ] || { echo "FAIL: $expected is missing (build the host project first)"; exit 1; }

echo "== configure and build $build"
mkdir -p "$build" || exit 1
cmake -S "$root/examples/firmware" -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
  -DFIRMWARE_EXPECTED_C="$expected" -DCONVGEN_LUA="$(command -v "$lua")" >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "FAIL: configuring the firmware"; exit 1; }
cmake --build "$build" || { echo "FAIL: building the firmware"; exit 1; }

image="$build/convgen_firmware.elf"
log="$build/qemu.log"
echo "== qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel $image"
timeout "${FIRMWARE_TIMEOUT:-300}" qemu-system-arm -M mps2-an386 -nographic -semihosting \
  -kernel "$image" </dev/null >"$log" 2>&1
status=$?
cat "$log"

fail=0
if [ "$status" -ne 0 ]; then
  echo "FAIL: QEMU exited with status $status (124: timed out)"
  fail=1
fi
# Every layer of both specs must have passed, by name.
count=0
for spec in "$root/examples/resnet8/resnet8.lua" "$root/examples/dscnn/dscnn.lua"; do
  # --no-simd as the firmware is generated (with SIMD paths the list also holds P_conv_parallel's parts)
  names=$("$lua" "$root/generator/convgen.lua" --no-simd --list-files "$spec" -o /nonexistent |
    sed -n 's|.*/\([A-Za-z0-9_]*\)\.c$|\1|p') || { echo "FAIL: cannot list $spec"; exit 1; }
  for name in $names; do
    count=$((count + 1))
    if ! grep -q "^PASS $name " "$log"; then
      echo "FAIL: no PASS line for layer $name"
      fail=1
    fi
  done
done
if ! grep -q "^firmware: $count/$count layers passed" "$log"; then
  echo "FAIL: no summary line 'firmware: $count/$count layers passed'"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "firmware_m4_qemu: OK, $count layers passed on the Cortex-M4 under QEMU"
exit "$fail"
