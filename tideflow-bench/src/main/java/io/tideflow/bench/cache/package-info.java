/**
 * Benchmarks of the two-tier cache: {@code CacheBenchmark} (JMH, SampleTime: near hit, remote hit,
 * miss penalty, plain Lettuce GET as the floor, Hazelcast's client near cache as the peer) and
 * {@code CacheFigures} (W-TinyLFU against LRU on a Zipf(0.9) trace; zstd on JSON payloads).
 *
 * <p>Run: {@code mvn -B -ntp -q -pl tideflow-bench -am package -DskipTests} then {@code
 * tideflow-bench/run-cache-bench.sh}, which starts its own redis-server on a free loopback port.
 * Figures: docs/benchmarks.md, section "Two-tier cache".
 */
package io.tideflow.bench.cache;
