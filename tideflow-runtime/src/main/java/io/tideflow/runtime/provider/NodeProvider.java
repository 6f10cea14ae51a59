package io.tideflow.runtime.provider;

import io.tideflow.core.model.NodeInfo;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts and stops worker nodes, shaped like a cloud's instance API: asynchronous and idempotent. A
 * launched node registers itself in the cluster store under the id the provider gave it; the
 * coordinator reconciles what it wants against {@link #nodes()}.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #launch} and {@link #terminate} return at once; their futures complete when the
 *       provider has done what it can (nodes started, or failed with a reason in the result), on a
 *       thread of the provider's own. Callers must not block that thread.
 *   <li>Both are idempotent by request id: repeating a request id returns the first call's result
 *       and starts or stops nothing more, so a coordinator that lost its answer (or its leadership)
 *       may simply ask again.
 *   <li>{@link #nodes()} lists every node the provider started and has not yet seen terminated,
 *       with its status; it never blocks on I/O.
 *   <li>Launch failures are results, not exceptions: {@link LaunchResult#errors()} says what
 *       failed, and {@link #health()} turns unhealthy after repeated failures.
 * </ul>
 */
public interface NodeProvider extends AutoCloseable {

  /** A short name: {@code in-process}, {@code local-process}, {@code warm-pool(...)}, … */
  String name();

  /** Starts {@code count} nodes of {@code template}. */
  CompletableFuture<LaunchResult> launch(NodeTemplate template, int count, String requestId);

  /** Stops the given nodes (already drained by the caller). Unknown ids are ignored. */
  CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId);

  /**
   * Takes on nodes of {@code template} that another coordinator's provider of this kind started and
   * that are still registered ({@code registered}, as the registry lists them): a new leader adopts
   * its predecessor's pool instead of starting it afresh. Adopted nodes are listed by {@link
   * #nodes()} and stopped by {@link #terminate} and {@link #close()} through {@code stopper}. Nodes
   * of another provider kind, held already or stopped by this provider are skipped. Returns the ids
   * taken on now; by default none: a provider whose nodes die with their coordinator adopts
   * nothing.
   */
  default List<String> adopt(
      NodeTemplate template, List<NodeInfo> registered, NodeStopper stopper) {
    return List.of();
  }

  /** Nodes started (or adopted) and not yet terminated. */
  List<ProvidedNode> nodes();

  /** Whether the provider currently succeeds in launching nodes. */
  ProviderHealth health();

  /**
   * Lets go of every node without stopping it and releases the provider's resources: for a
   * coordinator that no longer leads, whose nodes the next leader adopts ({@link #adopt}). Nodes
   * that could not be adopted (standbys never registered) are stopped. By default the same as
   * {@link #close()}: a provider whose nodes cannot outlive it stops them. Idempotent.
   */
  default void release() {
    close();
  }

  /** Stops every node it started and releases its resources. Idempotent. */
  @Override
  void close();
}
