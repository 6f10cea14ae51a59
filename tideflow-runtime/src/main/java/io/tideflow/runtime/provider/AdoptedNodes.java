package io.tideflow.runtime.provider;

import io.tideflow.core.model.NodeInfo;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes a provider took on from a previous leader: started by another coordinator's provider
 * (its child processes, say) and still registered when this one began to lead. They are listed by
 * {@link NodeProvider#nodes()} like the provider's own and stopped through a {@link NodeStopper},
 * since the provider holds no handle on them.
 *
 * <p>A node this provider stopped, or one of its own it terminated, is remembered (the last {@value
 * #REMEMBERED}) and never taken on again: its registry entry may outlive it by a moment.
 */
final class AdoptedNodes {
  static final int REMEMBERED = 4096;
  private static final System.Logger LOG = System.getLogger(AdoptedNodes.class.getName());

  private record Adopted(NodeInfo node, ProvidedNode provided, NodeStopper stopper) {}

  private final String provider;
  private final InstantSource clock;
  private final Map<String, Adopted> nodes = new ConcurrentHashMap<>();

  /** Ids let go, oldest first. */
  private final Set<String> released =
      Collections.synchronizedSet(
          Collections.newSetFromMap(
              new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > REMEMBERED;
                }
              }));

  AdoptedNodes(String provider, InstantSource clock) {
    this.provider = provider;
    this.clock = clock;
  }

  /**
   * Takes {@code node} on as a RUNNING node of {@code template}, or refreshes its address if held
   * already. True when it is new here; false for a node held already or let go before.
   */
  boolean adopt(NodeTemplate template, NodeInfo node, NodeStopper stopper) {
    if (released.contains(node.id())) {
      return false;
    }
    Adopted before =
        nodes.putIfAbsent(
            node.id(),
            new Adopted(
                node,
                new ProvidedNode(
                    node.id(),
                    template.name(),
                    provider,
                    ProvidedNode.Status.RUNNING,
                    clock.instant(),
                    ""),
                stopper));
    if (before != null) {
      nodes.computeIfPresent(node.id(), (id, a) -> new Adopted(node, a.provided(), a.stopper()));
      return false;
    }
    return true;
  }

  boolean holds(String nodeId) {
    return nodes.containsKey(nodeId);
  }

  /** Never take {@code nodeId} on: the provider stopped it itself. */
  void release(String nodeId) {
    released.add(nodeId);
  }

  List<ProvidedNode> nodes() {
    List<ProvidedNode> all = new ArrayList<>();
    nodes.values().forEach(a -> all.add(a.provided()));
    return all;
  }

  /**
   * Asks the node to stop within {@code grace}. It is let go when the stopper says it stops or is
   * gone; a failure (a fencing token refused, a node that cannot be reached but is still
   * registered) marks it FAILED with the reason, so the next termination asks again.
   */
  CompletableFuture<Void> stop(String nodeId, Duration grace) {
    Adopted a =
        nodes.computeIfPresent(
            nodeId,
            (id, v) ->
                new Adopted(
                    v.node(),
                    with(v.provided(), ProvidedNode.Status.TERMINATING, ""),
                    v.stopper()));
    if (a == null) {
      return CompletableFuture.completedFuture(null);
    }
    return a.stopper()
        .stop(a.node(), grace)
        .handle(
            (v, e) -> {
              if (e == null) {
                released.add(nodeId);
                nodes.remove(nodeId);
              } else {
                String why = (e instanceof CompletionException c ? c.getCause() : e).getMessage();
                LOG.log(Level.WARNING, "adopted node " + nodeId + " did not stop: " + why);
                nodes.computeIfPresent(
                    nodeId,
                    (id, x) ->
                        new Adopted(
                            x.node(),
                            with(x.provided(), ProvidedNode.Status.FAILED, "did not stop: " + why),
                            x.stopper()));
              }
              return null;
            });
  }

  /** Stops every adopted node, as {@link #stop} does each. */
  CompletableFuture<Void> stopAll(Duration grace) {
    return CompletableFuture.allOf(
        List.copyOf(nodes.keySet()).stream()
            .map(id -> stop(id, grace))
            .toArray(CompletableFuture[]::new));
  }

  private ProvidedNode with(ProvidedNode p, ProvidedNode.Status status, String error) {
    return new ProvidedNode(p.nodeId(), p.template(), p.provider(), status, clock.instant(), error);
  }
}
