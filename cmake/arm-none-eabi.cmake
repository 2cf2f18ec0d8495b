# CMake toolchain file: arm-none-eabi-gcc for a Cortex-M4F, hard-float ABI (Debian: gcc-arm-none-eabi, libnewlib-arm-none-eabi).
#
#   cmake -S examples/firmware -B build-m4 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#
# The CPU flags go into every compile and link (so the linker picks the
# thumb/v7e-m+fp/hard multilib of newlib and libgcc). Nothing here assumes a
# board: the linker script, start-up code and semihosting choice belong to the
# firmware project. Executables cannot run on the build machine, so CMake's
# compiler checks build a static library instead of linking a program.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CONVGEN_ARM_TRIPLE arm-none-eabi)
find_program(CONVGEN_ARM_GCC ${CONVGEN_ARM_TRIPLE}-gcc)
if(NOT CONVGEN_ARM_GCC)
  message(FATAL_ERROR "arm-none-eabi.cmake: ${CONVGEN_ARM_TRIPLE}-gcc not found "
                      "(Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)")
endif()
get_filename_component(_convgen_arm_bin "${CONVGEN_ARM_GCC}" DIRECTORY)

set(CMAKE_C_COMPILER "${CONVGEN_ARM_GCC}")
set(CMAKE_ASM_COMPILER "${CONVGEN_ARM_GCC}")
set(CMAKE_AR "${_convgen_arm_bin}/${CONVGEN_ARM_TRIPLE}-ar" CACHE FILEPATH "archiver")
set(CMAKE_RANLIB "${_convgen_arm_bin}/${CONVGEN_ARM_TRIPLE}-ranlib" CACHE FILEPATH "ranlib")
set(CMAKE_OBJCOPY "${_convgen_arm_bin}/${CONVGEN_ARM_TRIPLE}-objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_SIZE "${_convgen_arm_bin}/${CONVGEN_ARM_TRIPLE}-size" CACHE FILEPATH "size")

set(CONVGEN_M4_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${CONVGEN_M4_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${CONVGEN_M4_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CONVGEN_M4_FLAGS}")

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Headers and libraries come from the cross toolchain only; programs (lua5.4,
# the code generator) from the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
