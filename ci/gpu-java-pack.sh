#!/usr/bin/env bash
# Packs what the CUDA-tagged JUnit tests need on a GPU machine that has no Java and no network
# (see ci/gpu-java.sh): a jlink'ed JRE, the library's and tests' classes, JavaCPP, Gson and the JUnit
# console launcher, into .gpujava/ (ignored by git; it travels as a carried path). Run after
# `mvn -o -pl java test-compile` (or install). The native libkindling is NOT packed: the GPU
# machine builds its own (CUDA for its GPU, builtin BLAS) and gpu-java.sh puts it in place.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pack="$repo/.gpujava"
m2="${M2_REPO:-$HOME/.m2/repository}"
rm -rf "$pack"
mkdir -p "$pack/lib"
jlink --add-modules java.base,jdk.unsupported,java.logging,java.management --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$pack/jre"
cp -r "$repo/java/target/classes" "$pack/classes"
rm -f "$pack/classes/dev/kindling/internal/linux-x86_64/libkindling.so"
cp -r "$repo/java/target/test-classes" "$pack/test-classes"
cp "$m2/org/bytedeco/javacpp/1.5.13/javacpp-1.5.13.jar" "$m2/org/bytedeco/javacpp/1.5.13/javacpp-1.5.13-linux-x86_64.jar" \
   "$m2/org/bytedeco/openblas/0.3.31-1.5.13/openblas-0.3.31-1.5.13.jar" \
   "$m2/org/junit/platform/junit-platform-console-standalone/1.10.2/junit-platform-console-standalone-1.10.2.jar" \
   "$pack/lib/"
cp "$m2/com/google/code/gson/gson/2.11.0/gson-2.11.0.jar" "$pack/lib/"
du -sh "$pack"
