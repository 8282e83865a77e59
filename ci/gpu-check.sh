#!/usr/bin/env bash
# The GPU check of issue 7, for a machine with an NVIDIA GPU, nvcc, cuBLAS and PyTorch for CUDA
# (no network, no OpenBLAS, maybe no Java): in one run, under 8 minutes, it
#   1. prints the machine (nvidia-smi, nvcc, cmake, torch, java/mvn presence; Maven is never run);
#   2. times PyTorch on this GPU first (bench/gpu_pytorch.py: GEMM, launch overhead, DCGAN step),
#      while nothing else loads the CPUs;
#   3. finds libcublas (CUDA toolkit folders, the pip nvidia-cublas package, ldconfig) and exports
#      LD_LIBRARY_PATH and KINDLING_CUBLAS (the library's path) unless they are set already;
#   4. builds native/ in Release with the CUDA backend for this GPU's architecture only and the
#      builtin BLAS, on every core (native/build-gpu, reused by a second run);
#   5. runs ctest (the CPU suite, the CUDA parity test with cuBLAS and with the in-house GEMM);
#   6. runs bench_cuda (and its GEMM part again with KINDLING_CUBLAS=none);
#   7. prints Kindling against PyTorch side by side, with the targets of issue 7
#      (GEMM >= 0.9x PyTorch's throughput, DCGAN step <= 1.0x PyTorch's time).
# A failing step does not stop the later ones; the exit status is non-zero if any step failed.
# Everything goes to the terminal and to ${OUT:-/tmp}/gpu-check.log.
set -u -o pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-/tmp}"
mkdir -p "$out"
log="$out/gpu-check.log"
exec > >(tee "$log") 2>&1

build="${KINDLING_GPU_BUILD:-$repo/native/build-gpu}"
jobs="$(nproc 2>/dev/null || echo 4)"
start=$(date +%s)
deadline=$((start + ${KINDLING_GPU_CHECK_SECONDS:-460}))  # 8 minutes less a margin
failed=()

section() { printf '\n=== %s (t+%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
# Seconds a step may take: its own cap, but never eating the time `reserve` kept for later steps.
allow() {
  local cap=$1 reserve=$2 left=$(( deadline - $(date +%s) - $2 ))
  (( left < cap )) && cap=$left
  (( cap < 15 )) && cap=15
  echo "$cap"
}
# run NAME SECONDS CMD...: runs CMD under a time limit and records a failure.
run() {
  local name=$1 limit=$2 rc
  shift 2
  echo "\$ $* (limit ${limit}s)"
  timeout --kill-after=10 "$limit" "$@"
  rc=$?
  if (( rc == 124 || rc == 137 )); then echo "!!! $name: timed out after ${limit}s"; fi
  if (( rc != 0 )); then failed+=("$name (exit $rc)"); fi
  return $rc
}

# run_logged FILE NAME SECONDS CMD...: run, with the output also appended to FILE (printed when
# the command ends; no pipeline, so that a failure is recorded in this shell, not a subshell).
run_logged() {
  local file=$1 tmp rc
  shift
  tmp="$(mktemp)"
  run "$@" > "$tmp" 2>&1
  rc=$?
  cat "$tmp"
  cat "$tmp" >> "$file"
  rm -f "$tmp"
  return $rc
}

# ---- 1. the machine ---------------------------------------------------------------------------
section "machine"
export PATH="$PATH:/usr/local/cuda/bin"
date -u
echo "repo: $repo ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
echo "cores: $jobs"
nvidia-smi || failed+=("nvidia-smi")
nvcc --version || failed+=("nvcc --version")
cmake --version | head -1 || failed+=("cmake --version")
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' \
  || echo "python3 has no torch"
echo "java: $(command -v java || echo none)   mvn: $(command -v mvn || echo none)"
if command -v java >/dev/null && command -v mvn >/dev/null; then
  echo "note: Java and Maven exist here, but the Maven build is not run (no network for its dependencies)"
fi
arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')"
[[ "$arch" =~ ^[0-9]+$ ]] || arch=90
echo "CUDA architecture: ${arch}-real"

# ---- 2. PyTorch on this GPU, while the build compiles in the background (niced, one core left
# free) — the whole check must fit in 8 minutes.
build_log="/tmp/kindling-gpu-build.log"
(
  nice -n 19 cmake -S "$repo/native" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DKINDLING_CUDA=ON -DKINDLING_BLAS_DIR=builtin -DKINDLING_CUDA_ARCHITECTURES="${arch}-real" \
    -DKINDLING_BUILD_BENCH=ON && nice -n 19 cmake --build "$build" -j "$(( jobs > 2 ? jobs - 1 : jobs ))"
) > "$build_log" 2>&1 &
build_pid=$!
# ---- 2. PyTorch on this GPU ---------------------------------------------------------------------
section "PyTorch benchmark (bench/gpu_pytorch.py)"
: > "$out/bench-pytorch.txt"
run_logged "$out/bench-pytorch.txt" "gpu_pytorch.py" "$(allow 120 300)" python3 "$repo/bench/gpu_pytorch.py" all

# ---- 3. cuBLAS ------------------------------------------------------------------------------------
section "cuBLAS"
cuda_major="$(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9]*\)\..*/\1/p' | head -1)"
candidates=()
for d in /usr/local/cuda/lib64 /usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib; do
  for f in "$d"/libcublas.so.*; do [[ -e "$f" ]] && candidates+=("$f"); done
done
pipdir="$(python3 -c 'import nvidia.cublas, os; print(os.path.join(list(nvidia.cublas.__path__)[0], "lib"))' 2>/dev/null)"
if [[ -n "$pipdir" ]]; then
  for f in "$pipdir"/libcublas.so.*; do [[ -e "$f" ]] && candidates+=("$f"); done
fi
while read -r f; do [[ -n "$f" ]] && candidates+=("$f"); done < <(ldconfig -p 2>/dev/null | sed -n 's/.*libcublas\.so\.[0-9.]* .*=> //p')
printf 'found: %s\n' "${candidates[@]:-none}"
cublas=""
for f in "${candidates[@]}"; do  # prefer the toolkit's major version (the runtime is linked from it)
  if [[ -n "$cuda_major" && "$(basename "$f")" == libcublas.so."$cuda_major"* ]]; then cublas="$f"; break; fi
done
[[ -z "$cublas" && ${#candidates[@]} -gt 0 ]] && cublas="${candidates[0]}"
if [[ -n "$cublas" ]]; then
  cublas_dir="$(dirname "$cublas")"
  export LD_LIBRARY_PATH="$cublas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export KINDLING_CUBLAS="${KINDLING_CUBLAS:-$cublas}"
  echo "using $cublas (LD_LIBRARY_PATH starts with $cublas_dir; KINDLING_CUBLAS=$KINDLING_CUBLAS)"
else
  echo "no libcublas found: GEMMs will use the in-house kernel"
fi

# ---- 4. build -----------------------------------------------------------------------------------
section "configure and build ($build, -j$jobs)"
built=0
if wait "$build_pid"; then built=1; else failed+=("build (see below)"); fi
grep -E "error|warning: .*cuda|Kindling:" "$build_log" | head -40
tail -3 "$build_log"

[[ -x "$build/tests/bench_cuda" ]] || echo "note: bench_cuda was not built (is the CUDA backend on? see the configure output)"

# ---- 5. tests -------------------------------------------------------------------------------------
section "ctest"
if (( built )); then
  run "ctest" "$(allow 200 100)" ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 180
  for f in "$build"/Testing/Temporary/LastTest.log; do
    [[ -e "$f" ]] && grep -h "comparisons passed\|gemm backend\|skipped" "$f" | sort -u
  done
  # A CUDA fault poisons the rest of its process: when the parity test failed, run each of its
  # cases in a process of its own so that one bad kernel does not hide the others' results.
  if grep -q "test_cuda .*Failed\|test_cuda .*Exception\|test_cuda .*SEGFAULT\|test_cuda .*Child aborted" "$build"/Testing/Temporary/LastTest.log 2>/dev/null \
     || ! grep -q "test_cuda: .* comparisons passed" "$build"/Testing/Temporary/LastTest.log 2>/dev/null; then
    echo "--- test_cuda cases one process each"
    for name in $(sed -n 's/^TEST(\([a-z0-9_]*\)).*/\1/p' "$repo/native/tests/test_cuda.cpp"); do
      KDTEST_FILTER="$name" timeout 60 "$build/tests/test_cuda" > "/tmp/case-$name.txt" 2>&1
      echo "case $name: exit $? $(grep -c FAILED "/tmp/case-$name.txt") failed checks; $(grep -m3 FAILED "/tmp/case-$name.txt" | cut -c1-300 | tr '\n' '|')"
    done
  fi
else
  failed+=("ctest (not run: no build)")
fi

# ---- 6. Kindling benchmark --------------------------------------------------------------------
section "Kindling benchmark (bench_cuda)"
: > "$out/bench-kindling.txt"
if [[ -x "$build/tests/bench_cuda" ]]; then
  run_logged "$out/bench-kindling.txt" "bench_cuda" "$(allow 90 40)" "$build/tests/bench_cuda" all
  run_logged "$out/bench-kindling.txt" "bench_cuda gemm (in-house)" "$(allow 60 10)" \
    env KINDLING_CUBLAS=none "$build/tests/bench_cuda" gemm
else
  failed+=("bench_cuda (not built)")
fi

# ---- 6a. the CUDA-tagged Java tests, when a pack of a JRE and the classes came along (.gpujava,
# made by ci/gpu-java-pack.sh; the machine itself has no Java)
if [[ -d "$repo/.gpujava" && -e "$build/libkindling.so" ]]; then
  section "Java CUDA tests (ci/gpu-java.sh)"
  run "java cuda tests" "$(allow 150 60)" bash "$repo/ci/gpu-java.sh" "$build"
fi

# ---- 6b. where the DCGAN step's time goes: one step's kernels under Nsight Compute (summed by
# kernel) and under PyTorch's profiler.
section "DCGAN profile"
if [[ -x "$build/tests/bench_cuda" ]]; then
  ncu_bin="$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)"
  if [[ -n "$ncu_bin" ]] && (( deadline - $(date +%s) > 70 )); then
    BENCH_PROFILE=1 timeout 120 "$ncu_bin" --profile-from-start off --metrics gpu__time_duration.sum --csv \
      --print-units base "$build/tests/bench_cuda" dcgan > /tmp/ncu.csv 2> /tmp/ncu.err
    echo "ncu exit $?; $(grep -c '^"' /tmp/ncu.csv) csv lines"; tail -3 /tmp/ncu.err
    python3 - /tmp/ncu.csv <<'PY' || true
import csv, sys, collections
rows = [l for l in open(sys.argv[1]) if l.startswith('"')]
tot, cnt = collections.Counter(), collections.Counter()
for r in csv.DictReader(rows):
    if r.get("Metric Name") != "gpu__time_duration.sum":
        continue
    name = r["Kernel Name"].split("(")[0][:90]
    tot[name] += float(r["Metric Value"].replace(",", ""))
    cnt[name] += 1
s = sum(tot.values())
print(f"kindling DCGAN step: {sum(cnt.values())} kernels, {s/1e6:.3f} ms of kernel time")
for name, ns in tot.most_common(30):
    print(f"{ns/1e6:9.3f} ms {100*ns/s:5.1f}% {cnt[name]:5d}x  {name}")
PY
  fi
fi
if (( deadline - $(date +%s) > 40 )); then
  BENCH_PROFILE=1 run "pytorch dcgan profile" "$(allow 40 5)" python3 "$repo/bench/gpu_pytorch.py" dcgan
fi

# ---- 7. side by side ------------------------------------------------------------------------------
section "Kindling / PyTorch on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
python3 - "$out/bench-kindling.txt" "$out/bench-pytorch.txt" <<'EOF' || failed+=("ratio table")
import sys

def parse(path):
    """BENCH <kind> key=value ... lines of one program."""
    rows = []
    try:
        for line in open(path):
            if line.startswith("BENCH "):
                parts = line.split()
                kv = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
                kv["kind"] = parts[1]
                rows.append(kv)
    except OSError:
        pass
    return rows

def value(rows, key, **want):
    for r in rows:
        if all(r.get(a) == b for a, b in want.items()) and key in r:
            try:
                return float(r[key])
            except ValueError:
                return None
    return None

k, p = parse(sys.argv[1]), parse(sys.argv[2])
lines, met, total = [], 0, 0

def row(label, kv, pv, better, target=None):
    global met, total
    ratio = kv / pv if kv is not None and pv else None
    verdict = ""
    if target is not None:
        total += 1
        if ratio is None:
            verdict = "n/a (missing figure)"
        else:
            ok = ratio >= target if better == "higher" else ratio <= target
            met += ok
            verdict = ("met " if ok else "MISSED ") + (">= " if better == "higher" else "<= ") + f"{target:.2f}x"
    f = lambda v: f"{v:10.3f}" if v is not None else f"{'-':>10}"
    r = f"{ratio:8.3f}x" if ratio is not None else f"{'-':>9}"
    lines.append(f"{label:<44}{f(kv)}{f(pv)}{r}  {verdict}")

for size in ("square4096", "square8192", "dcgan_d2", "dcgan_g2"):
    pv = value(p, "tflops", kind="gemm", size=size)
    row(f"gemm {size} TFLOP/s, cuBLAS path", value(k, "tflops", kind="gemm", size=size, backend="cublas"), pv,
        "higher", 0.9 if size.startswith("square") else None)
    row(f"gemm {size} TFLOP/s, in-house kernel", value(k, "tflops", kind="gemm", size=size, backend="in-house"), pv, "higher")
kd = value(k, "ms_per_step", kind="dcgan")
row("dcgan step ms (vs PyTorch, cuDNN default)", kd, value(p, "ms_per_step", kind="dcgan", variant="default"), "lower", 1.0)
row("dcgan step ms (vs cudnn.benchmark=True)", kd, value(p, "ms_per_step", kind="dcgan", variant="cudnn_benchmark"), "lower")
for w in ("add_1", "add_1m"):
    row(f"launch {w}: us per op (alloc+launch+free)", value(k, "us_per_op", kind="launch", what=w),
        value(p, "us_per_op", kind="launch", what=w), "lower")
print(f"{'':<44}{'Kindling':>10}{'PyTorch':>10}{'ratio':>9}  target")
print("\n".join(lines))
print(f"targets met: {met} of {total} (a missed target is reported, not counted as a failed step)")
for r in k + p:
    if r.get("error"):
        print(f"note: {r['kind']} failed in one program (see above)")
EOF
echo
echo "elapsed: $(( $(date +%s) - start ))s; log: $log"
status=0
if (( ${#failed[@]} )); then
  printf 'FAILED steps:\n'
  printf '  %s\n' "${failed[@]}"
  status=1
else
  echo "all steps passed"
fi
sleep 1  # let tee write the last lines into the log
exit $status
