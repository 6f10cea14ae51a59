#!/usr/bin/env bash
# Runs the end-to-end task benchmark (io.tideflow.bench.endtoend.EndToEndBenchmark) with the JVM
# flags its figures depend on, building tideflow-bench first when it is missing or older than its
# sources. Arguments go to the benchmark, e.g.
#   tideflow-bench/run-endtoend.sh --backends hazelcast,direct --seconds 10 --rounds 3 \
#       --window 4096 --out docs/benchmarks-endtoend.md
# Relative paths (--out) are taken from the repository root. Extra JVM flags: BENCH_JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=../scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh"
tideflow_find_jdk

classpath_file="$here/target/endtoend.classpath"
stale=""
if [ ! -f "$classpath_file" ] || [ ! -d "$here/target/classes" ]; then
  stale="missing"
elif [ -n "$(find "$here/src/main" "$here/pom.xml" -newer "$classpath_file" -print -quit)" ]; then
  stale="sources changed"
fi
if [ -n "$stale" ] || [ -n "${TIDEFLOW_REBUILD:-}" ]; then
  echo "run-endtoend: building tideflow-bench (${stale:-TIDEFLOW_REBUILD set})..." >&2
  # install, not package: the dependency plugin writes the class path from the installed siblings.
  (cd "$root" && mvn -B -ntp -q -pl tideflow-bench -am install -DskipTests) >&2
fi

jvm_flags=(
  # Hazelcast runs async callbacks on the common pool; its default parallelism on 2 cores is 1,
  # and then Hazelcast starts a thread per callback (hundreds of tasks/s instead of ~230,000). It must
  # be set before the pool initialises, so it is a flag, never a System.setProperty.
  -Djava.util.concurrent.ForkJoinPool.common.parallelism=2
  # A fixed heap, touched up front: no resizing or first-touch page faults inside a round.
  -Xms2g -Xmx2g -XX:+AlwaysPreTouch
  # What Hazelcast asks for on Java 9+ to use its fast internal paths (it warns without them).
  --add-modules java.se
  --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
)
if [ "$(tideflow_jdk_major "$JAVA_HOME")" -ge 23 ]; then
  # Hazelcast's shaded JCTools still uses sun.misc.Unsafe; allowed, without the warning.
  jvm_flags+=(--sun-misc-unsafe-memory-access=allow)
  # Netty (inside gRPC) loads its native transport: allowed, without the warning.
  jvm_flags+=(--enable-native-access=ALL-UNNAMED)
fi

cd "$root"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
exec "$JAVA_HOME/bin/java" "${jvm_flags[@]}" ${BENCH_JAVA_OPTS:-} \
  "-Dtideflow.bench.command=tideflow-bench/run-endtoend.sh $*" \
  -cp "$here/target/classes:$(cat "$classpath_file")" \
  io.tideflow.bench.endtoend.EndToEndBenchmark "$@"
