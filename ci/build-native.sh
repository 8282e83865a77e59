#!/usr/bin/env bash
# Builds the native core with CMake for Maven (called by the javacpp plugin's buildCommand in
# java/pom.xml) and copies libkindling into the classes folder, under the platform folder that
# JavaCPP's Loader searches. Usage: build-native.sh <java module dir> <platform> [test]
set -euo pipefail
module_dir="$1"
platform="$2"
action="${3:-build}"
repo="$(cd "$module_dir/.." && pwd)"
target="$module_dir/target"
build="$target/native-build"
blas="$target/openblas/org/bytedeco/openblas/$platform"
out="$target/classes/dev/kindling/internal/$platform"
jobs="$(nproc 2>/dev/null || echo 2)"

if [[ "$action" == "test" ]]; then
  if [[ "${SKIP_NATIVE_TESTS:-}" == "true" ]]; then exit 0; fi
  ctest --test-dir "$build" --output-on-failure -j "$jobs"
  exit 0
fi

cmake -S "$repo/native" -B "$build" -DCMAKE_BUILD_TYPE="${KINDLING_BUILD_TYPE:-Release}" \
  -DKINDLING_BLAS_DIR="$blas" -DKINDLING_OUTPUT_DIR="$out" ${KINDLING_CMAKE_ARGS:-}
cmake --build "$build" -j "$jobs"
