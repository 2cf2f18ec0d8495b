#!/bin/sh
# Freestanding check: the generated ResNet-8 and DS-CNN layers plus the portable runtime may call no libc function but memcpy and memset.
# Usage: tests/freestanding/check_symbols.sh [WORK_DIR]   (from anywhere)
# Environment: LUA (default lua5.4); CCS, the compilers to try (default: gcc,
# clang and arm-none-eabi-gcc, each when installed); NM (default nm).
#
# What is compiled: the ResNet-8 layers (generated/resnet8/*.c when that
# committed output exists, else freshly generated from examples/resnet8), the
# DS-CNN layers (generated from examples/dscnn: NHWC, grouped and 1x1 paths),
# and the part of the runtime a firmware links: sizes.c and gemm_portable.c.
# runtime/reference.c is host-only test code (the generic reference the tests
# compare against) and is deliberately left out; so is gemm_cblas.c.
#
# Flags: every compiler runs at -O0, -O2, -Os and -O3 with -ffreestanding,
# which implies -fno-builtin, so no libc call written in the source can be
# expanded inline and hidden, while calls the optimizer itself introduces
# (loops turned into memset/memcpy) still show up. Once more at -O2 hosted,
# the way an ordinary build compiles it, and, for x86-64 compilers, at -O2
# -march=x86-64-v4 so that the generated AVX-512 paths are checked too. Stack protector and _FORTIFY_SOURCE
# are switched off because distribution defaults would otherwise add
# __stack_chk_fail or __memcpy_chk that belong to the toolchain's defaults,
# not to the code.
#
# Check: the union of all objects of one build is linked mentally: a symbol one
# object leaves undefined and another defines (cg_gemm_f32 and friends) is
# resolved; whatever remains must be memcpy or memset, or a helper that the
# compiler's own runtime library (libgcc / compiler-rt builtins) defines, such
# as the double-precision soft-float routines a single-precision FPU needs for
# the f64 GEMM. Exit status: 0 when every build passes, 1 otherwise, 2 on setup
# errors.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/convgen_freestanding}
lua=${LUA:-lua5.4}
nm=${NM:-nm}
allowed_libc="memcpy memset"

mkdir -p "$work" || exit 2

# Sources: committed ResNet-8 output if present, generated otherwise.
if ls "$root"/generated/resnet8/*.c >/dev/null 2>&1; then
  r8dir="$root/generated/resnet8"
  echo "freestanding: ResNet-8 from generated/resnet8 (committed output)"
else
  r8dir="$work/gen/resnet8"
  "$lua" "$root/generator/convgen.lua" "$root/examples/resnet8/resnet8.lua" -o "$r8dir" || exit 2
  echo "freestanding: ResNet-8 generated into $r8dir (generated/resnet8 is empty)"
fi
dsdir="$work/gen/dscnn"
"$lua" "$root/generator/convgen.lua" "$root/examples/dscnn/dscnn.lua" -o "$dsdir" || exit 2
sources="$(ls "$r8dir"/*.c) $(ls "$dsdir"/*.c) $root/runtime/sizes.c $root/runtime/gemm_portable.c"

warn="-std=c99 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror"
common="-fno-stack-protector -U_FORTIFY_SOURCE -DCONVGEN_PORTABLE_GEMM -I$root/runtime -I$r8dir -I$dsdir"

if [ -n "${CCS:-}" ]; then
  ccs=$CCS
else
  ccs=""
  for cc in gcc clang arm-none-eabi-gcc; do
    command -v "$cc" >/dev/null 2>&1 && ccs="$ccs $cc"
  done
fi
[ -n "$ccs" ] || { echo "freestanding: no compiler found" >&2; exit 2; }

target_flags() { # cc
  case "$1" in
    arm-none-eabi-*) echo "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
    *) echo "" ;;
  esac
}

status=0
for cc in $ccs; do
  tflags=$(target_flags "$cc")
  # Symbols the compiler's runtime library defines (the soft-float helpers and
  # the like); a freestanding link always includes it.
  # shellcheck disable=SC2086
  rtlib=$($cc $tflags -print-libgcc-file-name 2>/dev/null)
  rtsyms="$work/rtlib_$cc.txt"
  if [ -n "$rtlib" ] && [ -f "$rtlib" ]; then
    "$nm" --defined-only "$rtlib" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TW]/ { print $3 }' | sort -u >"$rtsyms"
  else
    : >"$rtsyms"
  fi
  simd_mode=""
  case "$($cc -dumpmachine 2>/dev/null)" in
    x86_64-*) simd_mode="-O2 -ffreestanding -march=x86-64-v4" ;;
  esac
  for mode in "-O0 -ffreestanding" "-O2 -ffreestanding" "-Os -ffreestanding" "-O3 -ffreestanding" "-O2" \
      ${simd_mode:+"$simd_mode"}; do
    tag=$(echo "$cc$mode" | tr -c 'A-Za-z0-9\n' '_')
    objdir="$work/obj/$tag"
    rm -rf "$objdir" && mkdir -p "$objdir" || exit 2
    # One compiler process per source, all at once; a failure leaves a marker.
    for src in $sources; do
      obj="$objdir/$(basename "$src" .c).o"
      # shellcheck disable=SC2086
      ( $cc $warn $mode $tflags $common -c "$src" -o "$obj" ||
          echo "$src" >"$obj.failed" ) &
    done
    wait
    if ls "$objdir"/*.failed >/dev/null 2>&1; then
      for marker in "$objdir"/*.failed; do
        echo "FAIL $cc $mode: $(cat "$marker") does not compile"
      done
      status=1
      continue
    fi
    "$nm" --defined-only "$objdir"/*.o | awk 'NF == 3 && $2 ~ /[TDRBCVW]/ { print $3 }' | sort -u >"$objdir/defined.txt"
    "$nm" -u "$objdir"/*.o | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u >"$objdir/undefined.txt"
    external=$(comm -23 "$objdir/undefined.txt" "$objdir/defined.txt")
    libc="" runtime="" bad=""
    for sym in $external; do
      case " $allowed_libc " in
        *" $sym "*) libc="$libc $sym"; continue ;;
      esac
      case "$sym" in
        mem* | str* | __aeabi_mem* | __aeabi_str*) bad="$bad $sym"; continue ;;
      esac
      if grep -qx "$sym" "$rtsyms"; then
        runtime="$runtime $sym"
      else
        bad="$bad $sym"
      fi
    done
    line="$cc $mode: libc:${libc:- none}"
    [ -n "$runtime" ] && line="$line; compiler runtime:$runtime"
    if [ -n "$bad" ]; then
      echo "FAIL $line; NOT ALLOWED:$bad"
      for sym in $bad; do
        for obj in "$objdir"/*.o; do
          "$nm" -u "$obj" | awk -v s="$sym" '$2 == s { found = 1 } END { exit !found }' &&
            echo "  $sym is needed by $(basename "$obj")"
        done
      done
      status=1
    else
      echo "ok   $line"
    fi
  done
done
if [ "$status" -eq 0 ]; then
  echo "freestanding: OK: no libc symbol beyond {$allowed_libc}"
else
  echo "freestanding: FAILED"
fi
exit "$status"
