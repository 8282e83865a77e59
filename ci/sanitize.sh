#!/usr/bin/env bash
# Builds the native core and its C++ tests with AddressSanitizer and UndefinedBehaviorSanitizer
# and runs ctest; any report fails the run (-fno-sanitize-recover, halt_on_error). Needs the
# OpenBLAS copy that `mvn install` unpacks into java/target/openblas.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
platform="${KINDLING_PLATFORM:-linux-x86_64}"
blas="$repo/java/target/openblas/org/bytedeco/openblas/$platform"
build="${KINDLING_SANITIZE_BUILD:-$repo/java/target/native-sanitize}"
if [[ ! -d "$blas" ]]; then
  echo "sanitize.sh: $blas is missing; run 'mvn install' (or 'mvn -pl java generate-resources') first" >&2
  exit 1
fi
cmake -S "$repo/native" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKINDLING_SANITIZE="address;undefined" -DKINDLING_CUDA=OFF -DKINDLING_BLAS_DIR="$blas" ${KINDLING_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$build" --output-on-failure
echo "sanitize.sh: ctest under ASan+UBSan finished with no report"
