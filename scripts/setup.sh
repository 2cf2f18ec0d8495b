#!/bin/sh
# Installs the Debian packages convgen's build and tests need, if any is missing.
set -eu

packages="lua5.4 lua-check libopenblas-dev check cmake pkg-config make gcc clang
  libdnnl-dev libxnnpack-dev libpthreadpool-dev gnuplot-nox
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  libonnx-testdata"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "setup: run as root (or install sudo) to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq --no-install-recommends $missing
