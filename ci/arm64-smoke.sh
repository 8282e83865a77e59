#!/usr/bin/env bash
# Runs Kindling's linux-arm64 jars on an x86_64 machine: Debian's arm64 OpenJDK under qemu-user,
# a small program (tensor ops checked against known values, then a few training steps whose loss
# must fall), with only the installed jars on the class path (ci/build-arm64.sh installs the
# arm64 platform jar; `mvn install` the classes jar). Not run by CI: the emulated JVM is slow
# (the program itself: 13 s under qemu on a busy 2-core x86_64 machine; the first run also
# downloads and unpacks the arm64 JDK, 46 MB, about 10 s).
#
# Needs root with apt (Debian/Ubuntu) the first time: installs qemu-user, adds the arm64
# architecture to apt and downloads openjdk-17-jre-headless:arm64 and the four libraries it needs
# to start (libc6, libgcc-s1, libstdc++6, zlib1g), unpacked with dpkg -x into a sysroot folder
# (SYSROOT, default /tmp/kindling-arm64-sysroot), never installed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
ver="$(sed -n 's:.*<version>\(.*SNAPSHOT\)</version>.*:\1:p' "$repo/pom.xml" | head -1)"
jcpp="$(sed -n 's:.*<javacpp.version>\(.*\)</javacpp.version>.*:\1:p' "$repo/pom.xml")"
blas="$(sed -n 's:.*<openblas.version>\(.*\)</openblas.version>.*:\1:p' "$repo/pom.xml" | sed "s/\${javacpp.version}/$jcpp/")"
plat=linux-arm64
sysroot="${SYSROOT:-/tmp/kindling-arm64-sysroot}"
jvm="$sysroot/usr/lib/jvm/java-17-openjdk-arm64"

if ! command -v qemu-aarch64 >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update && apt-get install -y qemu-user
fi
if [[ ! -x "$jvm/bin/java" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update; }
  debs="$(mktemp -d)"
  (cd "$debs" && apt-get download openjdk-17-jre-headless:arm64 libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 zlib1g:arm64)
  mkdir -p "$sysroot"
  for d in "$debs"/*.deb; do dpkg -x "$d" "$sysroot"; done
  rm -rf "$debs"
  # The JDK's absolute symlinks (jvm.cfg, conf/ -> /etc/java-17-openjdk/...) would resolve on the
  # host, which has no arm64 files there: replace them by copies of their sysroot targets.
  find "$jvm" -type l -lname '/*' | while read -r l; do
    t="$(readlink "$l")"
    if [[ -e "$sysroot$t" ]]; then rm "$l"; cp -r "$sysroot$t" "$l"; fi
  done
fi

cp="$m2/dev/kindling/kindling/$ver/kindling-$ver.jar:$m2/dev/kindling/kindling/$ver/kindling-$ver-$plat.jar"
cp+=":$m2/org/bytedeco/javacpp/$jcpp/javacpp-$jcpp.jar:$m2/org/bytedeco/javacpp/$jcpp/javacpp-$jcpp-$plat.jar"
cp+=":$m2/org/bytedeco/openblas/$blas/openblas-$blas.jar:$m2/org/bytedeco/openblas/$blas/openblas-$blas-$plat.jar"
for f in ${cp//:/ }; do [[ -f "$f" ]] || { echo "missing $f (run mvn install and ci/build-arm64.sh)" >&2; exit 1; }; done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/classes"
cat > "$work/src/Arm64Smoke.java" <<'JAVA'
import dev.kindling.*;
import dev.kindling.nn.*;
import dev.kindling.optim.*;
public class Arm64Smoke {
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); System.out.println("ok  " + what); }
  public static void main(String[] a) {
    System.out.println("os.arch=" + System.getProperty("os.arch") + "  kindling " + Kindling.version());
    check(System.getProperty("os.arch").equals("aarch64"), "running on aarch64");
    try (Scope s = Kindling.scope()) {
      Tensor m = Tensor.arange(6).view(2, 3).to(DType.FLOAT32);       // [[0,1,2],[3,4,5]]
      Tensor g = m.matmul(m.t());                                       // OpenBLAS sgemm
      check(g.get(0, 0).item() == 5 && g.get(0, 1).item() == 14 && g.get(1, 1).item() == 50, "matmul [[5,14],[14,50]]");
      check(Math.abs(m.exp().sum().item() - 234.20418) < 1e-3, "sum(exp) = 234.20418");
      check(Math.abs(m.softmax(1).sum().item() - 2.0) < 1e-6, "softmax rows sum to 1");
      check(m.max().item() == 5 && m.argmax().item() == 5, "max/argmax");
      Kindling.manualSeed(0);
      Tensor x = Tensor.randn(64, 3), y = x.sum(1, true).tanh();
      try (Sequential model = new Sequential(new Linear(3, 16), new ReLU(), new Linear(16, 1));
           Adam adam = new Adam(model.parameters(), Adam.options().lr(0.02))) {
        MSELoss mse = new MSELoss();
        double first = 0, last = 0;
        for (int step = 1; step <= 30; step++) {
          try (Scope st = Kindling.scope()) {
            adam.zeroGrad();
            Tensor loss = mse.forward(model.forward(x), y);
            loss.backward();
            adam.step();
            last = loss.item();
            if (step == 1) first = last;
          }
        }
        System.out.printf("training: loss %.5f -> %.5f in 30 Adam steps%n", first, last);
        check(last < first / 2, "loss fell to under half");
      }
    }
    System.out.println("arm64 smoke passed");
  }
}
JAVA
javac -cp "$cp" -d "$work/classes" "$work/src/Arm64Smoke.java"
start=$(date +%s)
env -u LD_LIBRARY_PATH -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
  qemu-aarch64 -L "$sysroot" "$jvm/bin/java" -Dorg.bytedeco.javacpp.cachedir="$work/cache" \
  -cp "$cp:$work/classes" Arm64Smoke
echo "arm64 run took $(( $(date +%s) - start )) s under qemu"
