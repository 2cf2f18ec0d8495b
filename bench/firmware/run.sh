#!/bin/sh
# make bench-firmware: builds every ResNet-8, DS-CNN and VWW layer of bench/bench_shapes.csv for a Cortex-M4F and counts its instructions under QEMU.
# Usage: run.sh ROOT BUILD_DIR RESULT_FILE
# Environment:
#   FW_CFLAGS           optimization flags of the kernels and the runtime (default -O2 -ffp-contract=fast)
#   FW_WORKSPACE_BUDGET the generator's --workspace-budget (default 16384, as examples/firmware)
#   FW_SUITES           comma-separated suites of the CSV (default resnet8,dscnn,vww)
#   FW_SHAPES           the shape CSV (default bench/bench_shapes.csv; the depthwise test passes its own)
#   FW_SPEC             a spec to run instead of the CSV's rows (its layers' own dtype must be FW_DTYPE;
#                       the s8 tests pass tests/specs/curated_s8.lua)
#   FW_DTYPE            f32 (default) or s8: the same layers as int8 (bench/firmware/s8_spec.lua adds the
#                       quantization), run by bench_s8_main.c and checked bit for bit against
#                       runtime/reference_s8.c compiled for the target; the report adds CMSIS-NN's
#                       published instructions per MAC (cmsis_nn_published.txt) beside each layer
#   LUA                 default lua5.4
# Steps: the CSV rows of those suites become a spec (bench/csv_to_spec.lua), the
# generator writes portable kernels (--no-simd), a host tool computes the expected
# outputs with the reference (examples/firmware/expected_gen.c), the image is
# linked from bench_main.c and examples/firmware's start-up, semihosting and
# linker script, and QEMU runs it twice: the two logs must agree line for line
# (instruction counts are exact under -icount shift=0,sleep=off). report.lua
# adds code bytes (linker map) and static stack depth (-fcallgraph-info=su) and
# writes RESULT_FILE. Exit status 0 when every layer passed both runs.
set -eu
if [ $# -ne 3 ]; then
  echo "usage: run.sh ROOT BUILD_DIR RESULT_FILE" >&2
  exit 2
fi
root=$(cd "$1" && pwd)
build=$2
result=$3
lua=${LUA:-lua5.4}
cflags=${FW_CFLAGS:--O2 -ffp-contract=fast}
budget=${FW_WORKSPACE_BUDGET:-16384}
suites=${FW_SUITES:-resnet8,dscnn,vww}
dtype=${FW_DTYPE:-f32}
case "$dtype" in
  f32 | s8) ;;
  *) echo "bench-firmware: FW_DTYPE must be f32 or s8, not '$dtype'" >&2; exit 1 ;;
esac
shapes=${FW_SHAPES:-$root/bench/bench_shapes.csv}
m4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
warn="-std=c99 -Wall -Wextra -Wpedantic -Werror"
fw="$root/examples/firmware"
here="$root/bench/firmware"

for tool in arm-none-eabi-gcc qemu-system-arm cc "$lua"; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "bench-firmware: $tool is not installed (scripts/setup.sh installs it)" >&2
    exit 1
  }
done

rm -rf "$build"
mkdir -p "$build/gen" "$build/obj"
build=$(cd "$build" && pwd)

echo "== spec: suites $suites of $shapes"
awk -F, -v suites="$suites" 'BEGIN { n = split(suites, s, ","); for (i = 1; i <= n; ++i) want[s[i]] = 1 }
  NR == 1 || ($1 in want)' "$shapes" >"$build/shapes.csv"
"$lua" "$root/bench/csv_to_spec.lua" "$build/shapes.csv" -o "$build/spec.lua" --prefix fwb_ --no-backward
if [ -n "${FW_SPEC:-}" ]; then
  cp "$FW_SPEC" "$build/spec.lua"
elif [ "$dtype" = s8 ]; then
  "$lua" "$here/s8_spec.lua" "$build/spec.lua" -o "$build/spec_s8.lua"
  mv "$build/spec_s8.lua" "$build/spec.lua"
fi
"$lua" "$root/generator/convgen.lua" --no-simd --workspace-budget "$budget" --prefix fwb_ "$build/spec.lua" \
  -o "$build/gen"

if [ "$dtype" = f32 ]; then
echo "== expected outputs on the host (cg_ref_conv_f32)"
# shellcheck disable=SC2086
cc -O2 $warn -DCONVGEN_PORTABLE_GEMM "-DFW_LAYERS_HEADER=\"fwb_layers.h\"" \
  -I"$here" -I"$fw" -I"$build/gen" -I"$root/runtime" \
  "$fw/expected_gen.c" "$build"/gen/*.c "$root/runtime/reference.c" "$root/runtime/sizes.c" \
  "$root/runtime/gemm_portable.c" -lm -o "$build/fw_expected"
"$build/fw_expected" "$build/expected_data.c" >"$build/expected.log"
fi

echo "== cross build: $cflags"
objs=""
for src in "$build"/gen/*.c "$root/runtime/gemm_portable.c" "$root/runtime/sizes.c"; do
  obj="$build/obj/$(basename "$src" .c).o"
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $m4 $warn $cflags -ffunction-sections -fdata-sections -fcallgraph-info=su \
    -DCONVGEN_PORTABLE_GEMM -I"$build/gen" -I"$root/runtime" -c "$src" -o "$obj"
  objs="$objs $obj"
done
if [ "$dtype" = s8 ]; then
  mains="$here/bench_s8_main.c $fw/fw_print.c $fw/startup.c $fw/semihost.c $root/runtime/reference_s8.c"
else
  mains="$here/bench_main.c $fw/fw_print.c $fw/startup.c $fw/semihost.c $build/expected_data.c"
fi
for src in $mains; do
  obj="$build/obj/main_$(basename "$src" .c).o"
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $m4 $warn -O2 -ffunction-sections -fdata-sections -DCONVGEN_PORTABLE_GEMM \
    "-DFW_LAYERS_HEADER=\"fwb_layers.h\"" -I"$here" -I"$fw" -I"$build/gen" -I"$root/runtime" \
    -c "$src" -o "$obj"
  objs="$objs $obj"
done
image="$build/bench_firmware.elf"
# shellcheck disable=SC2086
arm-none-eabi-gcc $m4 -nostartfiles --specs=nano.specs -T"$fw/mps2_an386.ld" -Wl,--gc-sections \
  -Wl,-Map="$build/bench_firmware.map" $objs -o "$image"

qemu="qemu-system-arm -M mps2-an386 -icount shift=0,sleep=off -nographic -semihosting -kernel $image"
status=0
for run in 1 2; do
  echo "== run $run: $qemu"
  # shellcheck disable=SC2086
  timeout "${FIRMWARE_TIMEOUT:-600}" $qemu </dev/null >"$build/run$run.log" 2>&1 || status=$?
done
if ! cmp -s "$build/run1.log" "$build/run2.log"; then
  echo "bench-firmware: the two runs differ:" >&2
  diff "$build/run1.log" "$build/run2.log" >&2 || true
  status=1
fi

# CMSIS-NN's published figures name the CSV's layers; a spec of other layers gets none.
published="$here/cmsis_nn_published.txt"
if [ -n "${FW_SPEC:-}" ]; then published=none; fi
mkdir -p "$(dirname "$result")"
"$lua" "$here/report.lua" --log "$build/run1.log" --map "$build/bench_firmware.map" \
  --callgraph "$build/obj" --flags "$cflags" --budget "$budget" --dtype "$dtype" \
  --published "${published}" >"$result.tmp" || status=1
mv "$result.tmp" "$result"
cat "$result"
if [ "$status" -ne 0 ]; then
  echo "bench-firmware: FAILED (status $status); QEMU's log: $build/run1.log" >&2
  exit 1
fi
