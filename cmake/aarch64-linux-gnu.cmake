# CMake toolchain file: aarch64-linux-gnu-gcc (Debian gcc-aarch64-linux-gnu) for 64-bit Arm Linux, run on x86 hosts through qemu-aarch64.
#
#   cmake -S tests/cross -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Programs it builds can run on the build machine under qemu-user (Debian
# qemu-user): CMAKE_CROSSCOMPILING_EMULATOR makes add_test() and try_run() use
# `qemu-aarch64 -L /usr/aarch64-linux-gnu`, the cross libc's root.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CONVGEN_AARCH64_TRIPLE aarch64-linux-gnu)
find_program(CONVGEN_AARCH64_GCC ${CONVGEN_AARCH64_TRIPLE}-gcc)
if(NOT CONVGEN_AARCH64_GCC)
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: ${CONVGEN_AARCH64_TRIPLE}-gcc not found "
                      "(Debian: apt-get install gcc-aarch64-linux-gnu)")
endif()
set(CMAKE_C_COMPILER "${CONVGEN_AARCH64_GCC}")

set(CONVGEN_AARCH64_SYSROOT "/usr/${CONVGEN_AARCH64_TRIPLE}" CACHE PATH
    "root of the aarch64 libc (for qemu-aarch64 -L and library searches)")
set(CMAKE_FIND_ROOT_PATH "${CONVGEN_AARCH64_SYSROOT}")

find_program(CONVGEN_QEMU_AARCH64 qemu-aarch64)
if(CONVGEN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${CONVGEN_QEMU_AARCH64};-L;${CONVGEN_AARCH64_SYSROOT}")
endif()

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
