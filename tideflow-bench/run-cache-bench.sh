#!/usr/bin/env bash
# Runs the two-tier cache benchmarks: CacheBenchmark (JMH, SampleTime) against a redis-server this
# script starts on a free loopback port (and stops on exit), then CacheFigures (Zipf hit rates and
# compression, no server). Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
# Arguments go to JMH; the defaults are short because the build machines have 2 cores:
#   tideflow-bench/run-cache-bench.sh
#   tideflow-bench/run-cache-bench.sh 'CacheBenchmark.nearHit' -wi 3 -i 5
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-classpath.sh"
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }

port=$("$JAVA_HOME/bin/java" -cp "$BENCH_CLASSPATH" io.tideflow.bench.cache.FreePort)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
  sleep 0.05
done
echo "redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port" >&2

if [ $# -eq 0 ]; then
  set -- 'io.tideflow.bench.cache.CacheBenchmark' -wi 2 -i 3 -w 2s -r 3s
fi
"$JAVA_HOME/bin/java" -cp "$BENCH_CLASSPATH" org.openjdk.jmh.Main "$@" -p "redisUri=redis://127.0.0.1:$port"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$BENCH_CLASSPATH" io.tideflow.bench.cache.CacheFigures
