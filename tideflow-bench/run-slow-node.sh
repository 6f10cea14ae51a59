#!/usr/bin/env bash
# Task latency with one worker 10x slower than three others, per balancer, in one JVM
# (io.tideflow.bench.balance.SlowNodeBenchmark). Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-slow-node.sh [tasks per balancer]      # e.g. 20000
# Tasks in flight: -Dwindow=N in BENCH_JAVA_OPTS (default 32).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
flags=()
if [ "$TIDEFLOW_JDK_MAJOR" -ge 24 ]; then
  flags+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" "${flags[@]}" ${BENCH_JAVA_OPTS:-} \
  -cp "$BENCH_CLASSPATH" io.tideflow.bench.balance.SlowNodeBenchmark "$@"
