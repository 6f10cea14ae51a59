/**
 * Node providers: how the cluster gets and gives back worker nodes.
 *
 * <ul>
 *   <li>{@link io.tideflow.runtime.provider.NodeProvider} — the SPI: asynchronous, idempotent by
 *       request id, failures as results.
 *   <li>{@link io.tideflow.runtime.provider.InProcessNodeProvider} — workers in this JVM (embedded
 *       mode), each with its own loopback gRPC server.
 *   <li>{@link io.tideflow.runtime.provider.LocalProcessNodeProvider} — workers as child JVMs
 *       ({@link io.tideflow.runtime.provider.LocalWorkerMain}) against a shared etcd; a child
 *       outlives its parent only while another coordinator leads to adopt it ({@link
 *       io.tideflow.core.autoscale.OrphanGuard}).
 *   <li>{@link io.tideflow.runtime.provider.WarmPool} — standby nodes in front of a provider that
 *       can start them ({@link io.tideflow.runtime.provider.StandbyLauncher}): started up to the
 *       point of joining, with their registry writes held back by a store decorator until hand-out,
 *       so they get no work while they wait and join with one lease grant and one write.
 *   <li>{@link io.tideflow.runtime.provider.MultiProvider} — several providers in priority order
 *       with failover.
 * </ul>
 *
 * <p>Decision to first task (launch call to a no-op task's result, one node, 2 cores, JDK 25, etcd
 * on tmpfs; medians of 5, from {@code ProviderStartupBenchmark} in the tests): in-process cold 36
 * ms (memory store) / 41 ms (etcd); warm pool over in-process 18 / 30 ms; local-process cold 2,060
 * ms; warm pool over local-process 54 ms (hand-out itself 28 ms). About 20–25 ms of each figure is
 * the client noticing the new node and connecting to it.
 */
package io.tideflow.runtime.provider;
