#!/usr/bin/env bash
# In-node flows on Tideflow's flow runtime beside the same lines of processes on Hazelcast Jet
# (io.tideflow.bench.flow.FlowBench); with --cross-node first, a source and a sink on two nodes
# in two JVMs, batched and unbatched, and the latency at half load (CrossNodeBench).
# Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-flow-bench.sh [--rounds 3] [--warmup 3] [--seconds 5] [--only tideflow|jet]
#   tideflow-bench/run-flow-bench.sh --cross-node [--rounds 3] [--warmup 3] [--seconds 5] \
#     [--tls] [--latency-rate N] [--only tideflow|jet] [--capacity 1024]
#     (Jet's rows: two members, plaintext; --capacity: Tideflow's channel, its credit window)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
main=io.tideflow.bench.flow.FlowBench
if [ "${1:-}" = "--cross-node" ]; then
  main=io.tideflow.bench.flow.CrossNodeBench
  shift
fi
# Hazelcast's async callbacks start a thread each unless the common pool is sized to the cores;
# the module access is what Hazelcast asks of a JVM for its best performance.
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} \
  -Djava.util.concurrent.ForkJoinPool.common.parallelism="$(nproc)" \
  --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.management/sun.management=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  -cp "$BENCH_CLASSPATH" "$main" "$@"
