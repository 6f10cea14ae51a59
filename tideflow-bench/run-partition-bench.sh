#!/usr/bin/env bash
# Tideflow's partitioner against gpmetis (Debian package metis) on the same generated graphs
# (io.tideflow.bench.partition.PartitionBench). Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-partition-bench.sh [OUT_DIR]     # default tideflow-bench/target/partition-bench
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../scripts/find-jdk.sh"
tideflow_find_jdk >/dev/null
command -v gpmetis >/dev/null || { echo "gpmetis is missing: apt-get install metis" >&2; exit 1; }
cp_file="$here/target/endtoend.classpath"
[ -f "$cp_file" ] || { echo "run the package build first: $cp_file is missing" >&2; exit 1; }
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} \
  -cp "$here/target/classes:$(cat "$cp_file")" io.tideflow.bench.partition.PartitionBench \
  "${1:-$here/target/partition-bench}"
