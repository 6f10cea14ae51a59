#!/usr/bin/env bash
# Runs the placement and balancer JMH benchmarks (io.tideflow.bench.placement) through the JMH
# runner. Build first, from the repository root:
#   mvn -B -ntp -q -pl tideflow-core,tideflow-bench package -DskipTests
# Arguments go to JMH; the defaults are short because the build machines have 2 cores:
#   tideflow-bench/run-jmh.sh                              # everything, short
#   tideflow-bench/run-jmh.sh 'PlacementBenchmark' -p nodes=10000
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../scripts/find-jdk.sh"
tideflow_find_jdk >/dev/null
cp_file="$here/target/endtoend.classpath"
[ -f "$cp_file" ] || { echo "run the package build first: $cp_file is missing" >&2; exit 1; }
classpath="$here/target/classes:$(cat "$cp_file")"
if [ $# -eq 0 ]; then
  set -- 'io.tideflow.bench.placement.*' -f 1 -wi 2 -i 3 -w 1s -r 1s -tu us
fi
exec "$JAVA_HOME/bin/java" -cp "$classpath" org.openjdk.jmh.Main "$@"
