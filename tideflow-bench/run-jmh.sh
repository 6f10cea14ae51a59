#!/usr/bin/env bash
# Runs the placement and balancer JMH benchmarks (io.tideflow.bench.placement) through the JMH
# runner. Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-core,tideflow-bench package -DskipTests
# Arguments go to JMH; the defaults are short because the build machines have 2 cores:
#   tideflow-bench/run-jmh.sh                              # everything, short
#   tideflow-bench/run-jmh.sh 'PlacementBenchmark' -p nodes=10000
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
if [ $# -eq 0 ]; then
  set -- 'io.tideflow.bench.placement.*' -f 1 -wi 2 -i 3 -w 1s -r 1s -tu us
fi
exec "$JAVA_HOME/bin/java" -cp "$BENCH_CLASSPATH" org.openjdk.jmh.Main "$@"
