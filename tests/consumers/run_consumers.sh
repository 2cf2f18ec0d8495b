#!/bin/sh
# Builds three consumer projects outside the source tree against this checkout (add_subdirectory, find_package after install, Makefile recipe) and runs each.
#
#   sh run_consumers.sh CONVGEN_ROOT WORK_DIR [C_COMPILER]
#
# Each project uses default settings, generates tests/consumers/spec.lua, runs its
# layers against the reference and checks that every SIMD path the generated code
# offers and this CPU runs is compiled in (consumer.c). The add_subdirectory one
# also checks that convgen builds none of its own tests and leaves the parent's
# CMAKE_BUILD_TYPE alone.
set -eu

root=$(cd "$1" && pwd)
work=$2
cc=${3:-cc}
here="$root/tests/consumers"
jobs=2

rm -rf "$work"
mkdir -p "$work"

fail() {
  echo "consumers: FAIL: $*" >&2
  exit 1
}

# The SIMD paths the generated code switches on, e.g. "avx512 avx2".
offered_paths() {
  sed -n 's/^#[ \t]*\(el\)\{0,1\}if.*\(CONVGEN_[A-Z0-9_]*\).*/\2/p' "$1"/consumer_*.c |
    grep -v '^CONVGEN_NO_SIMD$' | sort -u | sed 's/^CONVGEN_//' | tr 'A-Z\n' 'a-z '
}

# run_consumer NAME BUILD_DIR GENERATED_DIR
run_consumer() {
  paths=$(offered_paths "$3")
  echo "consumers: $1: the generated code offers: ${paths:-no SIMD path}"
  # shellcheck disable=SC2086
  "$2/consumer" $paths || fail "$1: the consumer program failed"
}

configure_line() {
  grep -q "convgen: consumer_kernels: kernel paths:" "$1" || fail "$2: configuring printed no kernel-paths line"
  grep "convgen: consumer_kernels: kernel paths:" "$1"
}

# 1. add_subdirectory, then the same project through FetchContent.
for how in subdir fetchcontent; do
  b="$work/$how"
  fc=OFF
  [ "$how" = fetchcontent ] && fc=ON
  cmake -S "$here/subdir" -B "$b" -DCMAKE_C_COMPILER="$cc" -DCONVGEN_SOURCE_DIR="$root" \
    -DCONSUMER_FETCHCONTENT=$fc > "$b.configure.log" 2>&1 || { cat "$b.configure.log"; fail "$how: configure"; }
  configure_line "$b.configure.log" "$how"
  grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$b/CMakeCache.txt" ||
    fail "$how: convgen wrote CMAKE_BUILD_TYPE into the parent's cache: $(grep '^CMAKE_BUILD_TYPE' "$b/CMakeCache.txt")"
  if cmake --build "$b" --target help | grep -q -e check_curated -e convgen_bench -e convgen_demo; then
    fail "$how: convgen's own tests, bench or examples are targets of the parent"
  fi
  cmake --build "$b" -j $jobs > "$b.build.log" 2>&1 || { cat "$b.build.log"; fail "$how: build"; }
  run_consumer "$how" "$b" "$b/consumer_kernels"
done

# 1b. A parent that picks an older CPU itself: configuring must warn exactly when this CPU runs a
# SIMD path the generated code offers (the flags then compile it out). x86-64 hosts only.
b="$work/oldcpu"
if [ "$(uname -m)" = x86_64 ]; then
  cmake -S "$here/subdir" -B "$b" -DCMAKE_C_COMPILER="$cc" -DCONVGEN_SOURCE_DIR="$root" -DCMAKE_C_FLAGS=-march=x86-64 \
    > "$b.configure.log" 2>&1 || { cat "$b.configure.log"; fail "oldcpu: configure"; }
  lost=""
  for p in $(offered_paths "$b/consumer_kernels"); do
    case $p in
      avx512) grep -qw avx512f /proc/cpuinfo 2>/dev/null && lost="$lost $p" ;;
      avx2) grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && lost="$lost $p" ;;
    esac
  done
  if [ -n "$lost" ]; then
    grep -q "CMake Warning" "$b.configure.log" || fail "oldcpu: the CPU runs$lost but configuring did not warn"
    echo "consumers: oldcpu: warned that$lost is compiled out"
  elif grep -q "CMake Warning" "$b.configure.log"; then
    cat "$b.configure.log"
    fail "oldcpu: a warning although this CPU runs none of the offered paths"
  else
    echo "consumers: oldcpu: no warning (this CPU runs none of the offered SIMD paths)"
  fi
fi

# 2. cmake --install into a prefix, then find_package(convgen).
cmake -S "$root" -B "$work/convgen" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
  -DCONVGEN_BUILD_TESTS=OFF -DCONVGEN_BUILD_BENCH=OFF -DCONVGEN_BUILD_EXAMPLES=OFF \
  > "$work/convgen.configure.log" 2>&1 || { cat "$work/convgen.configure.log"; fail "install: configure convgen"; }
cmake --build "$work/convgen" -j $jobs > "$work/convgen.build.log" 2>&1 ||
  { cat "$work/convgen.build.log"; fail "install: build convgen"; }
cmake --install "$work/convgen" --prefix "$work/prefix" > "$work/convgen.install.log" 2>&1 ||
  { cat "$work/convgen.install.log"; fail "install: cmake --install"; }
for f in include/convgen.h share/convgen/generator/convgen.lua share/convgen/templates/layer.c.in \
         lib/cmake/convgen/convgenConfig.cmake lib/cmake/convgen/convgenConfigVersion.cmake; do
  [ -f "$work/prefix/$f" ] || fail "install: $f is not installed"
done
b="$work/installed"
cmake -S "$here/installed" -B "$b" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$b.configure.log" 2>&1 || { cat "$b.configure.log"; fail "installed: configure"; }
configure_line "$b.configure.log" installed
grep -q "$work/prefix/share/convgen/generator" "$b/CMakeFiles/consumer_kernels_generate.dir/build.make" ||
  fail "installed: the build does not run the installed generator"
cmake --build "$b" -j $jobs > "$b.build.log" 2>&1 || { cat "$b.build.log"; fail "installed: build"; }
run_consumer installed "$b" "$b/consumer_kernels"

# 3. The plain Makefile recipe: the default goal builds everything; a second make does nothing.
b="$work/make"
mkdir -p "$b"
(cd "$b" && make -f "$here/make/Makefile" CONVGEN="$root" CC="$cc" -j $jobs) > "$b.build.log" 2>&1 ||
  { cat "$b.build.log"; fail "make: build"; }
grep "convgen: consumer_kernels: kernel paths:" "$b.build.log" || fail "make: no kernel-paths line"
(cd "$b" && make -f "$here/make/Makefile" CONVGEN="$root" CC="$cc") | grep -q "Nothing to be done" ||
  fail "make: a second make rebuilt something"
run_consumer make "$b" "$b/convgen-out"

# The recipe as installed, with the installed runtime.
b="$work/make-installed"
mkdir -p "$b"
(cd "$b" && make -f "$here/make/Makefile" CONVGEN_MK="$work/prefix/lib/cmake/convgen/convgen.mk" CC="$cc" -j $jobs) \
  > "$b.build.log" 2>&1 || { cat "$b.build.log"; fail "make-installed: build"; }
grep -q "$work/prefix/lib/libconvgen_runtime.a\|$work/prefix/lib/cmake/convgen/../../libconvgen_runtime.a" "$b.build.log" ||
  fail "make-installed: did not link the installed runtime"
run_consumer make-installed "$b" "$b/convgen-out"

# A bad spec: its error printed once, make fails, nothing built.
printf 'return { prefix = "bad_", layers = { { op = "conv2d", name = "x", input = { n = 1, c = 1, h = 4, w = 4 },\n  filters = 1, kernel = 9 } } }\n' \
  > "$work/bad.lua"
if (cd "$b" && make -f "$here/make/Makefile" CONVGEN="$root" CC="$cc" CONVGEN_SPEC="$work/bad.lua" \
      CONVGEN_OUT=bad-out) > "$work/bad.log" 2>&1; then
  fail "make: a bad spec built"
fi
n=$(grep -c "bad.lua:2" "$work/bad.log" || true)
[ "$n" = 1 ] || { cat "$work/bad.log"; fail "make: the spec error was printed $n times, not once"; }
[ ! -e "$b/bad-out/bad_x.c" ] || fail "make: a bad spec wrote code"

echo "consumers: OK (add_subdirectory, FetchContent, find_package after install, Makefile recipe in tree and installed)"
