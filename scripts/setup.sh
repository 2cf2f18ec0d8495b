#!/bin/sh
# Installs what one purpose needs (demo, test, bench), through apt where it exists; elsewhere checks the tools and says what is missing.
#
#   sh scripts/setup.sh demo|test|bench|all ...
#
#   demo   Lua 5.4, CMake, a C compiler, make, pkg-config, OpenBLAS
#   test   demo + luacheck, libcheck, clang, the Cortex-M4 and aarch64 cross
#          compilers and QEMU, the ONNX test data, pthreadpool (P_conv_parallel's tests)
#   bench  demo + oneDNN, XNNPACK, gnuplot, hyperfine
#
# On Debian/Ubuntu the missing packages are installed (as root, or through
# sudo). A machine that already has the tools needs no root: nothing is
# installed when every package is there, and where there is no apt (or no
# root) the tools themselves are looked for; a missing one is named with the
# way to get it. CONVGEN_SETUP=skip skips all of this.
set -eu

[ "${CONVGEN_SETUP:-}" = skip ] && exit 0
[ $# -gt 0 ] || set -- demo

demo_packages="lua5.4 cmake gcc make pkg-config libopenblas-dev"
test_packages="lua-check check clang gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libonnx-testdata libpthreadpool-dev"
bench_packages="libdnnl-dev libxnnpack-dev libpthreadpool-dev gnuplot-nox hyperfine"

packages=""
for purpose in "$@"; do
  case $purpose in
    demo) packages="$packages $demo_packages" ;;
    test) packages="$packages $demo_packages $test_packages" ;;
    bench) packages="$packages $demo_packages $bench_packages" ;;
    all) packages="$packages $demo_packages $test_packages $bench_packages" ;;
    *) echo "setup: unknown purpose '$purpose' (demo, test, bench or all)" >&2; exit 2 ;;
  esac
done

have() { command -v "$1" >/dev/null 2>&1; }
pc() { have pkg-config && pkg-config --exists "$1"; }

# The tools behind each package, checked where apt cannot help: "package~test~how to get it~required?"
tool_checks() {
  cat <<'EOF'
lua5.4~have lua5.4 || have lua54~Lua 5.4 (https://www.lua.org/download.html; Fedora: dnf install lua; macOS: brew install lua)~yes
cmake~have cmake~CMake >= 3.21 (https://cmake.org/download/, or pip install cmake)~yes
gcc~have cc || have gcc || have clang~a C99 compiler (gcc or clang)~yes
make~have make~GNU make~yes
pkg-config~have pkg-config~pkg-config (or pkgconf)~yes
libopenblas-dev~pc openblas~OpenBLAS with its pkg-config file (Fedora: openblas-devel; macOS: brew install openblas), or build with -DCONVGEN_BLAS=OFF~yes
lua-check~have luacheck~luacheck (luarocks install luacheck; the lint test is skipped without it)~no
check~pc check~the Check unit-test library (https://libcheck.github.io/check/; Fedora: check-devel; macOS: brew install check)~yes
clang~have clang~clang (the clang-warnings test is skipped without it)~no
gcc-arm-none-eabi~have arm-none-eabi-gcc~the Arm GNU toolchain arm-none-eabi (the Cortex-M4 tests are skipped without it)~no
libnewlib-arm-none-eabi~have arm-none-eabi-gcc~newlib for arm-none-eabi~no
qemu-system-arm~have qemu-system-arm~QEMU's system emulator for Arm (the firmware test is skipped without it)~no
gcc-aarch64-linux-gnu~have aarch64-linux-gnu-gcc~an aarch64-linux-gnu cross gcc (the aarch64 test is skipped without it)~no
libc6-dev-arm64-cross~have aarch64-linux-gnu-gcc~the aarch64 libc headers~no
qemu-user~have qemu-aarch64~QEMU user mode (qemu-aarch64)~no
libonnx-testdata~test -d /usr/share/onnx || test -d /usr/include/onnx/backend~the ONNX backend test data (github.com/onnx/onnx, onnx/backend/test/data)~no
libdnnl-dev~pc dnnl || test -f /usr/include/dnnl.h~oneDNN (the bench builds without its column)~no
libxnnpack-dev~test -f /usr/include/xnnpack.h~XNNPACK (the bench builds without its column)~no
libpthreadpool-dev~test -f /usr/include/pthreadpool.h~pthreadpool (for XNNPACK and P_conv_parallel's tests)~no
gnuplot-nox~have gnuplot~gnuplot (the bench draws no chart without it)~no
hyperfine~have hyperfine~hyperfine (https://github.com/sharkdp/hyperfine)~no
EOF
}

# Without apt (or without root): check the tools of the wanted packages.
check_tools() {
  status=0
  for p in $1; do
    line=$(tool_checks | grep "^$p~") || continue
    test_cmd=$(echo "$line" | cut -d'~' -f2)
    how=$(echo "$line" | cut -d'~' -f3)
    required=$(echo "$line" | cut -d'~' -f4)
    if ! eval "$test_cmd"; then
      if [ "$required" = yes ]; then
        echo "setup: missing: $how" >&2
        status=1
      else
        echo "setup: optional, not found: $how" >&2
      fi
    fi
  done
  return $status
}

# Keep the order, drop repeats.
wanted=$(echo $packages | tr ' ' '\n' | awk '!seen[$0]++' | tr '\n' ' ')

if ! have dpkg-query || ! have apt-get; then
  check_tools "$wanted" && exit 0
  echo "setup: no apt here; install the tools above (or see docs/integration.md for a plain CMake build)" >&2
  exit 1
fi

missing=""
for p in $wanted; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
else
  # Not root: fine if the tools are there anyway (built from source, another package manager).
  if check_tools "$missing" 2>/dev/null; then
    check_tools "$missing" || true # name the optional ones
    exit 0
  fi
  if have sudo && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    as_root="sudo"
  else
    check_tools "$missing" || true
    echo "setup: run as root (or with sudo) to install:$missing" >&2
    exit 1
  fi
fi
echo "setup: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq --no-install-recommends $missing
