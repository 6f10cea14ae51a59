/**
 * Where work goes: {@link io.tideflow.core.placement.PlacementStrategy} (the runtime's SPI) and
 * {@link io.tideflow.core.placement.PolicyPlacement}, placement as filter then score driven by a
 * {@link io.tideflow.core.placement.PlacementPolicy} of {@link
 * io.tideflow.core.placement.NodeFilter}s and weighted {@link
 * io.tideflow.core.placement.NodeScorer}s, with kube-scheduler-style {@link
 * io.tideflow.core.placement.Sampling} for large clusters.
 *
 * <p>A caller keeps three values and swaps them as events arrive: the {@link
 * io.tideflow.core.model.ClusterView} (nodes), the {@link io.tideflow.core.model.Allocations} (what
 * it has placed, with the labels of that work), and the start index of the next sampled scan. Per
 * task: {@code r = placement.decide(request, view, context)}; on {@code Placed}, {@code allocations
 * = allocations.place(node, request.demand(), request.workLabels())} and {@code context =
 * context.withAllocations(allocations).withStartIndex(r.nextStartIndex())}; on completion, {@code
 * allocations.release(...)}. Latency tables and randomness come in through the {@link
 * io.tideflow.core.placement.PlacementContext}. {@link io.tideflow.core.placement.PackingReport}
 * rates the result.
 */
package io.tideflow.core.placement;
