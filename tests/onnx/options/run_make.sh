#!/bin/sh
# Builds options_run.c through cmake/convgen.mk with CONVGEN_PREFIX/BATCH/LAYOUT and runs it.
#   sh run_make.sh CONVGEN_ROOT WORK_DIR [C_COMPILER]
set -eu
root=$(cd "$1" && pwd)
work=$2
cc=${3:-cc}
rm -rf "$work"
mkdir -p "$work"
cd "$work"
make -f "$root/tests/onnx/options/Makefile" CONVGEN="$root" CC="$cc" -j 2 > build.log 2>&1 || { cat build.log; exit 1; }
grep -q -- "--prefix sb_ --batch 3 --layout NHWC" build.log || { cat build.log; echo "the options were not passed"; exit 1; }
./options_run
