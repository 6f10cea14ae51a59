#!/usr/bin/env bash
# One worker offered 3x the rate it sustains, from 4 clients in one JVM
# (io.tideflow.bench.overload.OverloadBenchmark). Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-overload.sh [--overload-seconds 60] [--clients 4] [--admitted 1024]
# Extra JVM flags: BENCH_JAVA_OPTS (default heap: -Xmx1g).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
flags=()
if [ "$TIDEFLOW_JDK_MAJOR" -ge 24 ]; then
  flags+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" "${flags[@]}" ${BENCH_JAVA_OPTS:--Xmx1g} \
  -cp "$BENCH_CLASSPATH" io.tideflow.bench.overload.OverloadBenchmark "$@"
