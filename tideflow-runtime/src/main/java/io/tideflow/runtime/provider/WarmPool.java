package io.tideflow.runtime.provider;

import io.tideflow.core.model.NodeInfo;
import io.tideflow.store.clock.MonotonicClock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps {@code size} nodes of one template started in standby in front of a provider, so a launch
 * of that template is served in milliseconds instead of a node's start-up time.
 *
 * <h2>Why standby, not idle members</h2>
 *
 * A warm node must get no work while it waits, and clients place tasks on every READY node they
 * see. So warm nodes are not in the registry at all: the delegate ({@link StandbyLauncher}) starts
 * them up to the point of joining — process and gRPC server up, registration built but held back —
 * and a hand-out only grants the node's lease and writes its READY record. Nothing outside the
 * provider package changes, and no label or state needs rewriting on hand-out.
 *
 * <p>{@link #launch} of the pool's template takes warm nodes first, launches any remainder cold
 * through the delegate, and refills the pool in the background. Other templates go straight to the
 * delegate. Activated nodes belong to the delegate: {@link #nodes()}, {@link #terminate} and {@link
 * #health()} are the delegate's. {@link #close()} stops the warm nodes and closes the delegate. How
 * long hand-outs took ({@link #handOutTimes()}) is measured on its clock.
 */
public final class WarmPool implements NodeProvider {
  private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());
  private static final int HAND_OUTS_KEPT = 100;

  private final NodeProvider delegate;
  private final StandbyLauncher launcher;
  private final NodeTemplate template;
  private final int size;
  private final InstantSource clock;
  private final RequestLog<LaunchResult> launches = new RequestLog<>(RequestLog.DEFAULT_CAPACITY);

  /** Guarded by itself: warm nodes, and how many are being prepared. */
  private final Deque<StandbyNode> warm = new ArrayDeque<>();

  private final Deque<Duration> handOuts = new ArrayDeque<>();
  private int preparing;
  private int failedRefills;
  private boolean closed;

  /** On the system clock. */
  public WarmPool(NodeProvider delegate, NodeTemplate template, int size) {
    this(delegate, template, size, MonotonicClock.system());
  }

  /**
   * @throws IllegalArgumentException if {@code delegate} cannot start nodes in standby or {@code
   *     size} is negative
   */
  public WarmPool(NodeProvider delegate, NodeTemplate template, int size, InstantSource clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (!(delegate instanceof StandbyLauncher standbyLauncher)) {
      throw new IllegalArgumentException(
          "delegate "
              + delegate.name()
              + " cannot keep nodes in"
              + " standby (it does not implement StandbyLauncher); a warm pool needs that so warm"
              + " nodes get no work");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, was " + size);
    }
    this.delegate = delegate;
    this.launcher = standbyLauncher;
    this.template = template;
    this.size = size;
    this.clock = clock;
    refill();
  }

  @Override
  public String name() {
    return "warm-pool(" + delegate.name() + ")";
  }

  @Override
  public CompletableFuture<LaunchResult> launch(NodeTemplate wanted, int count, String requestId) {
    if (!wanted.equals(template)) {
      return delegate.launch(wanted, count, requestId);
    }
    return launches.answer(requestId, () -> handOut(count, requestId));
  }

  private CompletableFuture<LaunchResult> handOut(int count, String requestId) {
    Instant begin = clock.instant();
    List<StandbyNode> taken = take(count);
    List<CompletableFuture<String>> activations = new ArrayList<>();
    for (StandbyNode node : taken) {
      activations.add(
          node.activate()
              .thenApply(
                  v -> {
                    recordHandOut(Duration.between(begin, clock.instant()));
                    return node.nodeId();
                  }));
    }
    refill();
    return CompletableFuture.allOf(activations.toArray(CompletableFuture[]::new))
        .handle((v, e) -> InProcessNodeProvider.result(requestId, activations))
        .thenCompose(
            warmResult -> {
              int missing = count - warmResult.started().size();
              if (missing == 0) {
                return CompletableFuture.completedFuture(warmResult);
              }
              // Warm nodes ran out (or failed to join): launch the rest cold.
              return delegate
                  .launch(template, missing, requestId + "/cold")
                  .thenApply(cold -> merge(requestId, warmResult, cold));
            });
  }

  private static LaunchResult merge(String requestId, LaunchResult warm, LaunchResult cold) {
    List<String> started = new ArrayList<>(warm.started());
    started.addAll(cold.started());
    // Warm nodes that failed to join were replaced by cold ones; only cold errors remain errors.
    return new LaunchResult(requestId, started, cold.errors());
  }

  private List<StandbyNode> take(int count) {
    List<StandbyNode> taken = new ArrayList<>();
    synchronized (warm) {
      while (taken.size() < count && !warm.isEmpty()) {
        taken.add(warm.pollFirst());
      }
    }
    return taken;
  }

  /** Prepares nodes until the pool (warm plus preparing) is full again. */
  private void refill() {
    int wanted;
    synchronized (warm) {
      if (closed) {
        return;
      }
      wanted = size - warm.size() - preparing;
      preparing += Math.max(0, wanted);
    }
    for (int i = 0; i < wanted; i++) {
      launcher.prepare(template).whenComplete(this::prepared);
    }
  }

  private void prepared(StandbyNode node, Throwable error) {
    boolean discard;
    synchronized (warm) {
      preparing--;
      discard = closed && node != null;
      if (error == null && !closed) {
        warm.addLast(node);
      }
      if (error != null) {
        failedRefills++;
      }
    }
    if (discard) {
      node.discard();
    }
    if (error != null) {
      // Not retried at once (a provider that cannot start nodes would spin): the next launch
      // refills, and cold launches cover the gap meanwhile.
      LOG.log(Level.WARNING, name() + " could not prepare a warm node: " + error.getMessage());
    }
  }

  private void recordHandOut(Duration took) {
    synchronized (handOuts) {
      if (handOuts.size() == HAND_OUTS_KEPT) {
        handOuts.pollFirst();
      }
      handOuts.addLast(took);
    }
    LOG.log(Level.DEBUG, name() + " handed out a warm node in " + took.toMillis() + " ms");
  }

  /** How long the latest hand-outs took, oldest first (the last 100). */
  public List<Duration> handOutTimes() {
    synchronized (handOuts) {
      return List.copyOf(handOuts);
    }
  }

  /** How long the latest hand-out took, if there was one. */
  public Optional<Duration> lastHandOut() {
    synchronized (handOuts) {
      return Optional.ofNullable(handOuts.peekLast());
    }
  }

  /** Warm nodes ready to hand out now. */
  public int warmNodes() {
    synchronized (warm) {
      return warm.size();
    }
  }

  /** Warm nodes that could not be prepared since the pool started. */
  public int failedRefills() {
    synchronized (warm) {
      return failedRefills;
    }
  }

  public NodeTemplate template() {
    return template;
  }

  @Override
  public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
    return delegate.terminate(nodeIds, requestId);
  }

  @Override
  public List<String> adopt(NodeTemplate template, List<NodeInfo> registered, NodeStopper stopper) {
    return delegate.adopt(template, registered, stopper);
  }

  @Override
  public List<ProvidedNode> nodes() {
    return delegate.nodes();
  }

  @Override
  public ProviderHealth health() {
    return delegate.health();
  }

  /** Discards the warm nodes (never registered, no one could adopt them); releases the rest. */
  @Override
  public void release() {
    if (discardWarm()) {
      delegate.release();
    }
  }

  @Override
  public void close() {
    if (discardWarm()) {
      delegate.close();
    }
  }

  /** True the first time: the pool is closed from now on and its warm nodes are discarded. */
  private boolean discardWarm() {
    List<StandbyNode> left;
    synchronized (warm) {
      if (closed) {
        return false;
      }
      closed = true;
      left = new ArrayList<>(warm);
      warm.clear();
    }
    left.forEach(StandbyNode::discard);
    return true;
  }
}
