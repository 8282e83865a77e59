#!/usr/bin/env bash
# Builds the native core with CMake for Maven (called by the javacpp plugin's buildCommand in
# java/pom.xml) and copies libkindling into the classes folder, under the platform folder that
# JavaCPP's Loader searches. Usage: build-native.sh <java module dir> <platform> [test]
# When <platform> is not the host's (e.g. -Djavacpp.platform=linux-arm64 on x86_64), it
# cross-compiles with cmake/toolchains/<triple>.cmake in its own build folder, without the C++
# tests (they could not run). Extra CMake options: KINDLING_CMAKE_ARGS (CI passes the same ones
# on every platform, see .github/workflows/build.yml).
set -euo pipefail
module_dir="$1"
platform="$2"
action="${3:-build}"
repo="$(cd "$module_dir/.." && pwd)"
target="$module_dir/target"
build="$target/native-build"
blas="$target/openblas/org/bytedeco/openblas/$platform"
out="$target/classes/dev/kindling/internal/$platform"
jobs="$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x86_64 ;;
  Linux-aarch64) host=linux-arm64 ;;
  Darwin-arm64) host=macosx-arm64 ;;
  Darwin-x86_64) host=macosx-x86_64 ;;
  MINGW*-x86_64|MSYS*-x86_64|CYGWIN*-x86_64) host=windows-x86_64 ;;
  *) host=unknown ;;
esac
cross_args=()
if [[ "$platform" != "$host" ]]; then
  case "$platform" in
    linux-arm64) toolchain="$repo/cmake/toolchains/aarch64-linux-gnu.cmake" ;;
    *) echo "build-native.sh: no cross toolchain for $platform on $host" >&2; exit 1 ;;
  esac
  build="$target/native-build-$platform"
  cross_args=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" -DKINDLING_BUILD_TESTS=OFF)
fi

if [[ "$action" == "test" ]]; then
  if [[ "${SKIP_NATIVE_TESTS:-}" == "true" ]]; then exit 0; fi
  if (( ${#cross_args[@]} )); then
    echo "build-native.sh: cross build for $platform, no C++ tests to run here (see ci/arm64-smoke.sh)"
    exit 0
  fi
  ctest --test-dir "$build" --output-on-failure -j "$jobs"
  exit 0
fi

cmake -S "$repo/native" -B "$build" -DCMAKE_BUILD_TYPE="${KINDLING_BUILD_TYPE:-Release}" \
  -DKINDLING_BLAS_DIR="$blas" -DKINDLING_OUTPUT_DIR="$out" ${cross_args[@]+"${cross_args[@]}"} \
  ${KINDLING_CMAKE_ARGS:-}
cmake --build "$build" -j "$jobs"
