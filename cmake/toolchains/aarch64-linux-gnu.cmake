# Cross-compiling the native core for linux-arm64 on an x86_64 Debian/Ubuntu host with the
# distribution's toolchain (apt-get install g++-aarch64-linux-gnu). ci/build-native.sh passes this
# file when Maven builds -Djavacpp.platform=linux-arm64 on a machine that is not arm64; OpenBLAS
# still comes from the org.bytedeco:openblas linux-arm64 jar (KINDLING_BLAS_DIR), so no arm64
# system library is needed. The C++ tests cannot run here: set CMAKE_CROSSCOMPILING_EMULATOR
# (qemu-aarch64 -L <sysroot>) to run them anyway.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KINDLING_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${KINDLING_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${KINDLING_CROSS_TRIPLE}-g++)
# Programs (cmake's helpers) are the host's; libraries and headers come from the toolchain's
# sysroot or from paths given explicitly (KindlingBLAS.cmake searches only KINDLING_BLAS_DIR,
# which ONLY mode would wrongly re-root under the sysroot).
set(CMAKE_FIND_ROOT_PATH /usr/${KINDLING_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
