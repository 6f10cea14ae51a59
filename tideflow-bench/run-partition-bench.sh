#!/usr/bin/env bash
# Tideflow's partitioner against gpmetis (Debian package metis) on the same generated graphs
# (io.tideflow.bench.partition.PartitionBench). Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-partition-bench.sh [OUT_DIR]     # default tideflow-bench/target/partition-bench
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v gpmetis >/dev/null || { echo "gpmetis is missing: apt-get install metis" >&2; exit 1; }
source "$here/bench-classpath.sh"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} \
  -cp "$BENCH_CLASSPATH" io.tideflow.bench.partition.PartitionBench \
  "${1:-$here/target/partition-bench}"
