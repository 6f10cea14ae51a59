#!/usr/bin/env bash
# The cluster simulator's benchmarks (io.tideflow.bench.sim.SimBench): policies against
# forecasts, scale factors, the autoscaler at scale. Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-sim.sh [policies|scale|at-scale|all] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:--Xmx2g} \
  -cp "$BENCH_CLASSPATH" io.tideflow.bench.sim.SimBench \
  "${1:-all}" "${2:-$here/target/simulation}"
