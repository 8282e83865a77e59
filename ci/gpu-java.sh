#!/usr/bin/env bash
# The CUDA-tagged JUnit tests on a GPU machine without Java or Maven: uses the pack that
# ci/gpu-java-pack.sh made (.gpujava/) and the libkindling that ci/gpu-check.sh built there
# (CUDA for this GPU, builtin BLAS, hence -Dkindling.blas=builtin). Usage: gpu-java.sh [build dir]
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pack="$repo/.gpujava"
build="${1:-$repo/native/build-gpu}"
[[ -x "$pack/jre/bin/java" ]] || { echo "gpu-java: no pack at $pack (run ci/gpu-java-pack.sh where Maven built the classes)"; exit 2; }
[[ -e "$build/libkindling.so" ]] || { echo "gpu-java: no $build/libkindling.so"; exit 2; }
work="$(mktemp -d)"
cp -r "$pack/classes" "$work/classes"
cp "$build/libkindling.so" "$work/classes/dev/kindling/internal/linux-x86_64/libkindling.so"
export HOME="$work"  # JavaCPP's cache goes under ~/.javacpp
"$pack/jre/bin/java" -Dkindling.blas=builtin -jar "$pack"/lib/junit-platform-console-standalone-*.jar \
  -cp "$work/classes:$pack/test-classes:$(ls "$pack"/lib/*.jar | grep -v console-standalone | tr '\n' ':')" \
  --select-package dev.kindling.cuda --include-tag cuda \
  --details=tree --disable-banner --disable-ansi-colors
