#!/usr/bin/env bash
# Cross-compiles Kindling's linux-arm64 platform jar on an x86_64 Debian/Ubuntu machine and
# installs it into the local Maven repository beside the host's jars, as
# dev.kindling:kindling:<version>:linux-arm64. The same Maven build as everywhere else, with
# -Djavacpp.platform=linux-arm64: kindling-parent's profile then names the cross g++ for JavaCPP's
# JNI glue, and ci/build-native.sh passes cmake/toolchains/aarch64-linux-gnu.cmake to CMake.
# Tests are skipped (arm64 binaries do not run here; ci/arm64-smoke.sh runs the jar under qemu).
#
# Needs: g++-aarch64-linux-gnu (installed here when missing and run as root), and the linux-arm64
# jars of org.bytedeco:javacpp and org.bytedeco:openblas in the local repository (fetched once when
# missing; MVN_OFFLINE=1 forbids that). The build runs in a copy of the repository (WORK, default a
# temporary folder), so the host build's target/ folders are left alone.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
ver="$(sed -n 's:.*<version>\(.*SNAPSHOT\)</version>.*:\1:p' "$repo/pom.xml" | head -1)"
jcpp="$(sed -n 's:.*<javacpp.version>\(.*\)</javacpp.version>.*:\1:p' "$repo/pom.xml")"
blas="$(sed -n 's:.*<openblas.version>\(.*\)</openblas.version>.*:\1:p' "$repo/pom.xml" | sed "s/\${javacpp.version}/$jcpp/")"
plat=linux-arm64

if ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "build-arm64.sh: needs aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update && apt-get install -y g++-aarch64-linux-gnu
fi
for a in "org.bytedeco:javacpp:$jcpp" "org.bytedeco:openblas:$blas"; do
  IFS=: read -r g n v <<<"$a"
  f="$m2/${g//.//}/$n/$v/$n-$v-$plat.jar"
  if [[ ! -f "$f" ]]; then
    [[ "${MVN_OFFLINE:-}" != "1" ]] || { echo "missing $f (offline)" >&2; exit 1; }
    mvn -B -q dependency:get -Dmaven.repo.local="$m2" -Dartifact="$a:jar:$plat"
  fi
done

work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
echo "== copying the tracked sources to $work/src (over an earlier copy: its build folders are reused)"
mkdir -p "$work/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$work/src"

start=$(date +%s)
echo "== mvn package -Djavacpp.platform=$plat (tests skipped)"
mvn -B -o -f "$work/src/pom.xml" -Dmaven.repo.local="$m2" -pl java package \
  -Djavacpp.platform="$plat" -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
jar="$work/src/java/target/kindling-$ver-$plat.jar"

echo "== what the jar holds, and what its libraries need"
unzip -l "$jar"
tmp="$work/check" && rm -rf "$tmp" && mkdir -p "$tmp" && unzip -q -o "$jar" -d "$tmp"
bad=0
for so in "$tmp"/dev/kindling/internal/$plat/*.so; do
  echo "$(basename "$so"): $(readelf -h "$so" | sed -n 's/.*Machine: *//p')"
  readelf -h "$so" | grep -q AArch64 || { echo "  not an AArch64 library"; bad=1; }
  for dep in $(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    case "$dep" in
      libc.so.6|libm.so.6|libstdc++.so.6|libgcc_s.so.1|ld-linux-aarch64.so.1|libkindling.so|libopenblas.so.0) echo "  $dep" ;;
      *) echo "  $dep  <-- not allowed"; bad=1 ;;
    esac
  done
done
[[ $bad == 0 ]] || exit 1

echo "== installing $jar"
mvn -B -o -q -Dmaven.repo.local="$m2" install:install-file -Dfile="$jar" -DgroupId=dev.kindling \
  -DartifactId=kindling -Dversion="$ver" -Dclassifier="$plat" -Dpackaging=jar -DgeneratePom=false
ls -l "$m2/dev/kindling/kindling/$ver/kindling-$ver-$plat.jar"
echo "linux-arm64 jar built in $(( $(date +%s) - start )) s"
[[ -n "${WORK:-}" ]] || rm -rf "$work"
