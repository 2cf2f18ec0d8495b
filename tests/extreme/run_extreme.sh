#!/bin/sh
# Issue 8 section 1: the extreme layers the validator accepts, generated and run through the layer harness under UBSan and ASan; the overflowing ones refused.
# Usage: run_extreme.sh SOURCE_DIR WORK_DIR CC [FLAGS...]   (FLAGS select the ISA, e.g. -mavx2 -mfma -mno-avx512f)
set -u
root=$1 work=$2 cc=$3
shift 3
isa="$*"
fail() { echo "run_extreme: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
lua=${LUA:-lua5.4}

# 1. Refused: the issue's reproducer (both layouts; the front end's padding limit) and a layer within the
#    front end's limits whose index arithmetic would pass INT_MAX (the planner's limit). FILE:LINE: lines only,
#    exit 1, nothing written.
for layout in NCHW NHWC; do
  cat > "$work/ovf_$layout.lua" <<SPEC
return { layers = {
{ name = "ovf", layout = "$layout", input = { c = 2, h = 3, w = 1024 }, filters = 1, kernel = 1, stride = { 2, 1024 },
  padding = { top = 2097152, bottom = 2097152, left = 0, right = 0 }, bias = false, unroll = "loops" },
} }
SPEC
  cat > "$work/index_$layout.lua" <<SPEC
return { layers = {
{ name = "wide", layout = "$layout", input = { c = 1, h = 1, w = 1048576 }, filters = 1, kernel = { 2, 1 },
  stride = { 65536, 1 }, dilation = { 65536, 1 }, padding = { top = 65600, bottom = 65600, left = 0, right = 0 } },
} }
SPEC
  for spec in "$work/ovf_$layout.lua" "$work/index_$layout.lua"; do
    "$lua" "$root/generator/convgen.lua" "$spec" -o "$work/refused" > "$work/refused.out" 2> "$work/refused.err"
    rc=$?
    [ $rc -eq 1 ] || fail "$spec: exit status $rc, want 1"
    [ -s "$work/refused.err" ] || fail "$spec: refused without a message"
    ! grep -v "^$spec:[23]: layer '[a-z]*': " "$work/refused.err" \
      || fail "$spec: an error line not in FILE:LINE: layer 'NAME': form (above)"
    [ ! -e "$work/refused" ] || fail "$spec: output written although refused"
  done
  grep -q "more than 2147483647" "$work/refused.err" || fail "index_$layout: the error does not name the limit: $(cat "$work/refused.err")"
done

# 2. Accepted: every extreme layer, compiled -Werror with UBSan and ASan, run through the layer harness.
"$lua" "$root/generator/convgen.lua" "$root/tests/extreme/extreme.lua" -o "$work/out" || fail "extreme.lua not generated"
san="-std=c99 -O1 -g -fsanitize=undefined,address -fno-sanitize-recover=all -Wall -Wextra -Wpedantic -Werror"
san="$san -DCONVGEN_PORTABLE_GEMM $isa"
mkdir -p "$work/obj"
for src in "$root"/runtime/*.c "$root/tests/harness/harness_util.c"; do
  obj="$work/obj/$(basename "$src" .c).o"
  $cc $san -I"$root/runtime" -I"$root/tests/harness" $(pkg-config --cflags check) -c "$src" -o "$obj" \
    || fail "cannot compile $src"
done
defs=""
for list in LAYERS_F32 LAYERS_F64 BACKWARD_F32 BACKWARD_F64 TRANSPOSE_F32 TRANSPOSE_F64; do
  defs="$defs -DCG_TEST_$list=EXT_MODEL_$list"
done
$cc $san -I"$work/out" -I"$root/runtime" -I"$root/tests/harness" '-DCG_TEST_MODEL_HEADER="ext_model.h"' $defs \
  "$root/tests/harness/harness_main.c" "$work/out"/*.c "$work/obj"/*.o $(pkg-config --libs check) -lm \
  -o "$work/check_extreme" || fail "the extreme layers do not compile warning-free under the sanitizers"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 CK_FORK=no "$work/check_extreme" || fail "layer harness failed"
echo "run_extreme: $(grep -c '^#define EXT_[A-Z_]*_OH ' "$work/out"/*.h | awk -F: '{s+=$2} END {print s}') extreme layers pass under UBSan and ASan ($cc $isa); 4 overflowing specs refused"
