#!/usr/bin/env bash
# Builds the libFuzzer targets of the file parsers (native/fuzz: safetensors reader, zip reader +
# torch.save reader, restricted unpickler) with clang, AddressSanitizer and UBSan, and runs each
# for a bounded time on a seed corpus made from the golden files. Exits non-zero on any crash,
# leak or sanitizer report; the reproducer is left in $FUZZ_OUT.
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_OUT      work folder (default java/target/fuzz in this checkout; emptied first, so a
#                 build of another checkout never leaks in)
#   KINDLING_BLAS_DIR  the unpacked OpenBLAS platform folder (default: the one Maven unpacked)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
seconds="${FUZZ_SECONDS:-60}"
out="${FUZZ_OUT:-$repo/java/target/fuzz}"
blas="${KINDLING_BLAS_DIR:-$repo/java/target/openblas/org/bytedeco/openblas/linux-x86_64}"
golden="$repo/java/src/test/resources/golden/io"

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)"; exit 1; }
[[ -d "$blas" ]] || { echo "fuzz.sh: no OpenBLAS at $blas (run the Maven build first or set KINDLING_BLAS_DIR)"; exit 1; }

build="$out/build"
rm -rf "$out" && mkdir -p "$out"
cmake -S native -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKINDLING_BLAS_DIR="$blas" -DKINDLING_BUILD_TESTS=OFF \
  -DKINDLING_FUZZ=ON -DKINDLING_CUDA=OFF -DKINDLING_SANITIZE="address;undefined" > "$out.cmake.log" 2>&1 || { cat "$out.cmake.log"; exit 1; }
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_safetensors fuzz_zip fuzz_pickle

rm -rf "$out/corpus" && mkdir -p "$out/corpus"/{safetensors,zip,pickle} "$out/artifacts"
cp "$golden"/*.safetensors "$out/corpus/safetensors/"
cp "$golden"/*.pt "$golden"/*.tar "$out/corpus/zip/"
cp native/fuzz/seeds/pickle/* "$out/corpus/pickle/"

status=0
for target in safetensors zip pickle; do
  echo "fuzz.sh: fuzz_$target for ${seconds}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
      "$build/fuzz/fuzz_$target" "$out/corpus/$target" -max_total_time="$seconds" -max_len=65536 \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$out/artifacts/${target}-" \
      > "$out/$target.log" 2>&1; then
    echo "fuzz.sh: fuzz_$target FAILED"; tail -n 60 "$out/$target.log"; status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$target.log" | sed "s/^/fuzz.sh: $target /"
  fi
done
if (( status == 0 )); then echo "fuzz.sh: 3 passed, 0 failed"; else echo "fuzz.sh: fuzzing found a problem"; fi
exit $status
