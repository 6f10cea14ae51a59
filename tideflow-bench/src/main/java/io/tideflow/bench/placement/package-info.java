/**
 * JMH benchmarks of placement ({@code PlacementBenchmark}: decisions/s and SampleTime latency at
 * 100, 1,000 and 10,000 nodes, exhaustive and sampled; the persistent allocation update), of
 * applying a heartbeat to a {@code ClusterView} ({@code ClusterViewBenchmark}), and of each
 * balancer's pick-and-report cycle ({@code BalancerBenchmark}).
 *
 * <p>Run: {@code mvn -B -ntp -q -pl tideflow-core,tideflow-bench package -DskipTests} then {@code
 * tideflow-bench/run-jmh.sh} (defaults: {@code -f 1 -wi 2 -i 3 -w 1s -r 1s}).
 *
 * <p>Measured 2026-11-24 on the 2-core build machine, JDK 25, while other engineers' jobs kept the
 * load average at about 5 (so these are pessimistic and noisy; error bars were wide), single
 * thread, bin-packing over nodes 0–70% full. Ranges span two runs:
 *
 * <ul>
 *   <li>1,000 nodes, sampled (50 feasible nodes): 136,000–272,000 decisions/s; mean 5.7–9.9 µs, p99
 *       39–47 µs. Exhaustive: 16,000–19,000 decisions/s, mean 46–71 µs.
 *   <li>10,000 nodes, sampled (50 feasible): 131,000 decisions/s, mean 8.8 µs, p99 50 µs (with 100
 *       feasible: mean 27 µs, p99 93 µs). Exhaustive: ~1,000/s, mean 2.4–4.9 ms.
 *   <li>100 nodes: 150,000–300,000 decisions/s.
 *   <li>Recording a decision in {@code Allocations} (persistent): 1.3–8 million/s; a heartbeat into
 *       a 10,000-node view: 0.9–1.4 million/s, 1,000 nodes: 8–10 million/s.
 *   <li>Balancers over 32 endpoints, pick + onResult: round-robin 3.6–13 M/s, least-loaded 2.8–8.9
 *       M/s, P2C peak-EWMA 2.6–10.6 M/s, bounded-load hashing 5.5–7.2 M/s.
 * </ul>
 */
package io.tideflow.bench.placement;
