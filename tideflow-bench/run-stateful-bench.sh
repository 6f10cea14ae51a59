#!/usr/bin/env bash
# What keeping state costs a flow (io.tideflow.bench.flow.StatefulBench): a source into a counter
# on another node, stateless, stateful with its state in memory, and stateful with its state in a
# real etcd that this script starts on a free loopback port (etcd must be on the PATH).
# Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-stateful-bench.sh [--rounds 3] [--warmup 2] [--seconds 5] [--capacity 1024]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
source "$here/bench-etcd.sh"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "$BENCH_CLASSPATH" \
  io.tideflow.bench.flow.StatefulBench --store "$ETCD_URI" "$@"
