#!/usr/bin/env bash
# A consumer ten times slower than its producer, for minutes (io.tideflow.bench.flow.SlowConsumerBench):
# the JVM's heap and what the channel holds, sampled each second, as CSV and a chart (HTML).
# Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-slow-consumer-bench.sh [--minutes 5] [--rate 20000] [--size 4096] \
#     [--wait-micros 500] [--capacity 1024] [--max-bytes 8388608] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" -Xmx1g ${BENCH_JAVA_OPTS:-} \
  -cp "$BENCH_CLASSPATH" io.tideflow.bench.flow.SlowConsumerBench \
  "$here/target/slow-consumer" "$@"
