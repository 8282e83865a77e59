#!/usr/bin/env bash
# The main job, from a fresh machine: installs what is missing (the toolchain and Debian's
# Fashion-MNIST package, when run as root with apt), builds Kindling and the examples, trains the
# Fashion-MNIST classifier for one epoch (EPOCHS=N for more) and says where its pictures are.
#
#   examples/main-job.sh                 one epoch (a few minutes on 2 cores)
#   EPOCHS=10 examples/main-job.sh       the full run (test accuracy >= 0.92)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v mvn >/dev/null || need+=(maven)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
# The examples draw their plots with Java2D, which needs a font.
[[ -d /usr/share/fonts/truetype/dejavu ]] || need+=(fonts-dejavu-core fontconfig)
data=/usr/share/datasets/fashion-mnist
[[ -d "$data" ]] || need+=(dataset-fashion-mnist)
if (( ${#need[@]} )); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${need[@]}"
  else
    echo "main-job.sh: missing ${need[*]}; install them (Debian: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

# Kindling's jars into the local repository (native core, JNI glue; tests are the second command).
mvn -B -q install -DskipTests
out="runs/fashion-classifier"
SKIP_BUILD=1 examples/run.sh fashion-classifier --epochs "${EPOCHS:-1}" --out "$out" "$@"
echo
echo "Pictures: $out/fashion-classifier.png (loss and accuracy per epoch); checkpoint: $out/checkpoint.safetensors"
echo "More examples: examples/run.sh (dcgan, wgan, finetune, autograd-tour); see examples/README.md"
