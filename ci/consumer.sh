#!/usr/bin/env bash
# After `mvn install`: builds and runs examples/consumer, a project that depends only on
# dev.kindling:kindling-platform from the local repository, and checks that its MLP's loss fell.
# The project is copied to a fresh folder first, so nothing of this repository's build (target/
# folders, the parent pom) can be seen, and it runs offline (-o): every jar must come from what
# `mvn install` put in the local repository. A fresh JavaCPP cache makes the natives come out of
# the installed platform jars, not from an earlier run. Args are passed to Maven (e.g.
# -Djavacpp.platform=linux-x86_64).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/examples/consumer" "$work/consumer"
rm -rf "$work/consumer/target"
cd "$work"
mvn=(mvn -B -o -q -f "$work/consumer/pom.xml" -Dmaven.repo.local="$m2" "$@")

# On a fresh machine the build plugins the consumer uses (exec, dependency) may never have been
# downloaded: fetch those once, online. Kindling's own artifacts still come only from `mvn install`
# (they are on no remote repository), and everything below runs offline.
if [[ ! -d "$m2/org/codehaus/mojo/exec-maven-plugin/3.5.0" ]]; then
  mvn -B -q -f "$work/consumer/pom.xml" -Dmaven.repo.local="$m2" dependency:resolve-plugins >/dev/null
fi

# What the program's class path is: its own classes plus the jars kindling-platform brings.
"${mvn[@]}" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
echo "== class path of the consumer (besides its own classes):"
tr ':' '\n' < "$work/cp.txt" | sed "s:^$m2/::" | sed 's/^/  /'
echo
bad="$(tr ':' '\n' < "$work/cp.txt" | grep -v -E "^$m2/(dev/kindling|org/bytedeco)/" || true)"
[[ -z "$bad" ]] || { echo "unexpected class path entries: $bad"; exit 1; }
grep -q "kindling-0.1.0-SNAPSHOT-" "$work/cp.txt" || { echo "no Kindling platform jar on the class path"; exit 1; }

echo "== build and run"
start=$(date +%s)
env -u LD_LIBRARY_PATH JAVA_TOOL_OPTIONS="-Dorg.bytedeco.javacpp.cachedir=$work/javacpp-cache" \
  "${mvn[@]}" package exec:exec 2>&1 | grep -v 'Picked up JAVA_TOOL_OPTIONS' | tee "$work/out.txt"
line="$(grep -E '^loss [0-9.]+ -> [0-9.]+$' "$work/out.txt" || true)"
[[ -n "$line" ]] || { echo "consumer: no final loss line"; exit 1; }
first="$(awk '{print $2}' <<<"$line")"; last="$(awk '{print $4}' <<<"$line")"
awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f / 10) }' \
  || { echo "consumer: the loss did not fall enough ($first -> $last)"; exit 1; }
ls "$work/javacpp-cache" >/dev/null 2>&1 || { echo "consumer: natives were not taken from the jars"; exit 1; }
echo "consumer check passed: loss $first -> $last, $(( $(date +%s) - start )) s"
