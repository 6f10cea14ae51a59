#!/usr/bin/env bash
# What keeping state costs a flow (io.tideflow.bench.flow.StatefulBench): a source into a counter
# on another node, stateless, stateful with its state in memory, and stateful with its state in a
# real etcd that this script starts on a free loopback port (etcd must be on the PATH).
# Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests
#   tideflow-bench/run-stateful-bench.sh [--rounds 3] [--warmup 2] [--seconds 5] [--capacity 1024]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../scripts/find-jdk.sh"
tideflow_find_jdk >/dev/null
cp_file="$here/target/endtoend.classpath"
[ -f "$cp_file" ] || { echo "run the package build first: $cp_file is missing" >&2; exit 1; }
command -v etcd >/dev/null || { echo "etcd is not on the PATH (apt-get install etcd-server)" >&2; exit 1; }
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
peer="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
data="$(mktemp -d)"
etcd --data-dir "$data" --listen-client-urls "http://127.0.0.1:$port" \
  --advertise-client-urls "http://127.0.0.1:$port" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "default=http://127.0.0.1:$peer" >"$data/etcd.log" 2>&1 &
etcd_pid=$!
trap 'kill "$etcd_pid" 2>/dev/null; wait "$etcd_pid" 2>/dev/null; rm -rf "$data"' EXIT
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "$here/target/classes:$(cat "$cp_file")" \
  io.tideflow.bench.flow.StatefulBench --store "etcd://127.0.0.1:$port" "$@"
