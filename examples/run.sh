#!/usr/bin/env bash
# Runs one of Kindling's examples by name, building it (and Kindling) first when needed:
#
#   examples/run.sh                                 the quickstart, then the list of examples
#   examples/run.sh fashion-classifier --epochs 1   one epoch of the Fashion-MNIST classifier
#   examples/run.sh dcgan --help                    an example's options
#
# Pictures and checkpoints go to runs/<example>/ under the repository root (or --out DIR).
# Environment: SKIP_BUILD=1 reuses examples/target; MVN_ARGS adds Maven flags (e.g. -o);
# JAVA_OPTS adds JVM flags.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  # -am builds Kindling itself (native core, JNI glue) when it changed; tests are not run here.
  mvn -B -q ${MVN_ARGS:-} package -DskipTests -pl examples -am
fi
exec java ${JAVA_OPTS:-} -jar examples/target/kindling-examples.jar "$@"
