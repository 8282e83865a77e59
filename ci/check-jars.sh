#!/usr/bin/env bash
# After `mvn install`: proves the installed jars are all a user needs. Compiles and runs a small
# program with only Kindling's jars and their Maven dependencies on the class path (no
# LD_LIBRARY_PATH, a fresh JavaCPP cache), then checks with readelf that every bundled native
# library depends only on the C/C++ runtime and libraries the jars carry.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
ver="$(sed -n 's:.*<version>\(.*SNAPSHOT\)</version>.*:\1:p' "$repo/pom.xml" | head -1)"
plat="${PLATFORM:-linux-x86_64}"
jcpp=1.5.13
blas="0.3.31-$jcpp"
cp="$m2/dev/kindling/kindling/$ver/kindling-$ver.jar"
cp+=":$m2/dev/kindling/kindling/$ver/kindling-$ver-$plat.jar"
cp+=":$m2/org/bytedeco/javacpp/$jcpp/javacpp-$jcpp.jar:$m2/org/bytedeco/javacpp/$jcpp/javacpp-$jcpp-$plat.jar"
cp+=":$m2/org/bytedeco/openblas/$blas/openblas-$blas.jar:$m2/org/bytedeco/openblas/$blas/openblas-$blas-$plat.jar"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/classes" "$work/cache"
cat > "$work/src/Smoke.java" <<'JAVA'
import dev.kindling.*;
public class Smoke {
  public static void main(String[] a) {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(1);
      Tensor x = Tensor.randn(64, 32);
      Tensor w = Tensor.randn(32, 8);
      Tensor y = x.matmul(w).relu().sum(1).softmax(0);
      System.out.println("kindling " + Kindling.version() + " ok: sum of softmax = " + y.sum().item());
      if (Math.abs(y.sum().item() - 1.0) > 1e-4) throw new AssertionError("softmax does not sum to 1");
    }
  }
}
JAVA
javac -cp "$cp" -d "$work/classes" "$work/src/Smoke.java"
env -u LD_LIBRARY_PATH java -Dorg.bytedeco.javacpp.cachedir="$work/cache" -cp "$cp:$work/classes" Smoke

echo "== native dependencies of the bundled libraries"
allowed='^(libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libkindling\.so|libopenblas\.so\.0)$'
bad=0
for so in $(find "$work/cache" -name 'lib*kindling*.so*'); do
  echo "$(basename "$so"):"
  for dep in $(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    if [[ "$dep" =~ $allowed ]]; then echo "  $dep"; else echo "  $dep  <-- not allowed"; bad=1; fi
  done
  readelf -d "$so" | grep -E 'RPATH|RUNPATH' | sed 's/^ */  /'
done
[[ $bad == 0 ]] || { echo "a bundled library needs something outside the C/C++ runtime and the jars"; exit 1; }
echo "jar-only check passed"
