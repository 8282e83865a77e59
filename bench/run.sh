#!/usr/bin/env bash
# Builds the benchmarks with the LibTorch peer and runs them: first the side-by-side table
# (Kindling, LibTorch and OpenBLAS in one JVM, with ratios), then JMH with modest settings.
#
#   bench/run.sh              build, side-by-side, JMH
#   bench/run.sh side [args]  build, side-by-side only (args go to SideBySide, e.g. --sizes 128,1024)
#   bench/run.sh jmh [args]   build, JMH only (args go to JMH, e.g. PerOp -prof gc)
#
# Environment: SKIP_BUILD=1 reuses bench/target; MVN_ARGS adds Maven flags (e.g. -o).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed for the runs: this machine's environment
# sets them for an older OpenBLAS, and the bundled 0.3.31 must pick its own core.
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
[[ $# -gt 0 ]] && shift

if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  # -am rebuilds Kindling itself when needed; tests are not benchmarks and are skipped here.
  mvn -B -q ${MVN_ARGS:-} package -DskipTests -Plibtorch -pl bench -am
fi

jar=bench/target/benchmarks.jar
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }

if [[ "$what" == "all" || "$what" == "side" ]]; then
  err="$(mktemp)"
  start=$(date +%s)
  # OPENBLAS_VERBOSE=2 makes each OpenBLAS copy print the core it picked when it loads.
  status=0
  run OPENBLAS_VERBOSE=2 java -cp "$jar" dev.kindling.bench.SideBySide "$@" 2>"$err" || status=$?
  grep -v '^Core:' "$err" >&2 || true
  [[ $status -eq 0 ]] || { rm -f "$err"; exit $status; }
  echo
  echo "OpenBLAS cores detected at load (one line per libopenblas copy): $(grep -h '^Core:' "$err" | sed 's/^Core: //' | paste -sd, - || true)"
  echo "Side-by-side wall time including JVM start: $(( $(date +%s) - start )) s"
  rm -f "$err"
fi

if [[ "$what" == "all" || "$what" == "jmh" ]]; then
  run java -jar "$jar" -f 1 -wi 3 -i 5 -w 1s -r 1s "$@"
fi
