#!/bin/sh
# Builds the harness against the fake models with each compiler, plain and with ASan+UBSan: fake, fake without the gradient/transpose lists, and gemm must pass, broken must fail exactly the tests each broken layer lists; also runs the runtime's own reference_selftest.
# Usage: tests/harness_selftest/run_selftest.sh [BUILD_DIR]   (from anywhere)
# Environment: CCS (default "gcc clang"), CFLAGS_EXTRA (added to every build).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-${TMPDIR:-/tmp}/convgen_harness_selftest}
mkdir -p "$build" || exit 2

# (-DCG_TEST_NO_OVERLAP: the fake layers do not model the aliasing check; the generated ones are tested for it.)
warn="-std=c99 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -DCG_TEST_NO_OVERLAP"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
inc="-I$root/runtime -I$root/tests/harness -I$here $(pkg-config --cflags check openblas)"
libs="$(pkg-config --libs check openblas) -lm"
harness="$root/tests/harness/harness_main.c $root/tests/harness/harness_util.c"
runtime="$root/runtime/reference.c $root/runtime/sizes.c $root/runtime/gemm_cblas.c"
# The broken model states how many test iterations each of its layers must
# fail (BROKEN_MODEL_EXPECT) and their total; every layer must be listed.
faults=$(sed -n 's/^#define BROKEN_MODEL_FAULTS \([0-9]*\).*/\1/p' "$here/broken_model.h")
broken_layers=$(sed -n 's/^ *X(\(broken_[a-z0-9_]*\), *\([0-9][0-9]*\)).*/\1=\2/p' "$here/broken_model.h")
declared=$(sed -n -e 's/^FAKE_DECLARE_LAYER(\(broken_[a-z0-9_]*\),.*/\1/p' \
  -e 's/^FAKE_DECLARE_TRANSPOSE(\(broken_[a-z0-9_]*\),.*/\1/p' "$here/broken_model.h" | sort)
listed=$(for l in $broken_layers; do echo "${l%%=*}"; done | sort)
sum=0
for l in $broken_layers; do sum=$((sum + ${l#*=})); done
if [ "$declared" != "$listed" ] || [ "$sum" -ne "${faults:-0}" ]; then
  echo "SELFTEST FAIL: broken_model.h: BROKEN_MODEL_EXPECT must list every broken layer once and add up to BROKEN_MODEL_FAULTS ($faults, listed $sum)" >&2
  exit 1
fi

flags_for() { # variant
  if [ "$1" = asan ]; then echo "$warn -g -O1 $san"; else echo "$warn -g -O2"; fi
}

# model: fake, gemm or broken; its header, X-macro names and layer file
# follow. fake_fwd is the fake model built without the gradient and
# conv_transpose2d lists, as the harness is for a spec that has none.
build_one() { # cc variant model
  base=${3%_fwd}
  up=$(echo "$base" | tr a-z A-Z)
  lists="-DCG_TEST_BACKWARD_F32=${up}_MODEL_BACKWARD_F32 -DCG_TEST_BACKWARD_F64=${up}_MODEL_BACKWARD_F64"
  lists="$lists -DCG_TEST_TRANSPOSE_F32=${up}_MODEL_TRANSPOSE_F32 -DCG_TEST_TRANSPOSE_F64=${up}_MODEL_TRANSPOSE_F64"
  [ "$base" = "$3" ] || lists=""
  # shellcheck disable=SC2086
  $1 $(flags_for "$2") ${CFLAGS_EXTRA:-} $inc \
    "-DCG_TEST_MODEL_HEADER=\"${base}_model.h\"" \
    "-DCG_TEST_LAYERS_F32=${up}_MODEL_LAYERS_F32" \
    "-DCG_TEST_LAYERS_F64=${up}_MODEL_LAYERS_F64" $lists \
    $harness "$here/${base}_layers.c" "$here/fake_common.c" $runtime $libs \
    -o "$build/$3_$1_$2"
}

status=0
for cc in ${CCS:-gcc clang}; do
  for variant in plain asan; do
    # shellcheck disable=SC2086
    if $cc $(flags_for $variant) ${CFLAGS_EXTRA:-} $inc "$here/reference_selftest.c" \
        "$root/tests/harness/harness_util.c" $runtime $libs \
        -o "$build/reference_${cc}_$variant"; then
      "$build/reference_${cc}_$variant" >"$build/reference_${cc}_$variant.log" 2>&1
      rc=$?
    else
      rc=1
    fi
    echo "== reference $cc $variant: $(grep -E '^[0-9]+%: Checks' "$build/reference_${cc}_$variant.log" | tail -n 1)"
    if [ $rc -ne 0 ]; then
      echo "SELFTEST FAIL: reference $cc $variant" >&2
      status=1
    fi
    for model in fake fake_fwd gemm broken; do
      if ! build_one "$cc" "$variant" "$model"; then
        echo "SELFTEST FAIL: build $model $cc $variant" >&2
        status=1
        continue
      fi
      exe="$build/${model}_${cc}_${variant}"
      if [ "$model" != broken ]; then
        "$exe" >"$exe.log" 2>&1
        rc=$?
      else
        # shellcheck disable=SC2086
        sh "$here/expect_failures.sh" "$faults" "$exe" $broken_layers >"$exe.log" 2>&1
        rc=$?
      fi
      echo "== $model $cc $variant: $(grep -E '^[0-9]+%: Checks' "$exe.log" | tail -n 1)"
      if [ $rc -ne 0 ]; then
        echo "SELFTEST FAIL: $model $cc $variant, log in $exe.log" >&2
        status=1
      fi
    done
  done
done
[ $status -eq 0 ] && echo "SELFTEST OK"
exit $status
