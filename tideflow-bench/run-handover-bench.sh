#!/usr/bin/env bash
# What moving instances between live nodes costs a running flow (io.tideflow.bench.flow.HandoverBench):
# a coordinator and three workers in one JVM on a real etcd that this script starts on a free
# loopback port; each round a fourth worker joins, takes instances over, then drains.
# Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-handover-bench.sh [--rounds 5] [--rate 20000]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
source "$here/bench-etcd.sh"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "$BENCH_CLASSPATH" \
  io.tideflow.bench.flow.HandoverBench --store "$ETCD_URI" "$@"
