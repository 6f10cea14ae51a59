package io.tideflow.runtime.flow;

import io.tideflow.core.flow.ProcessSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs one process instance on its own virtual thread: takes messages from its input channels in
 * turn (a batch from each), hands them to the process, and waits when there is nothing to take
 * (idle) or no room to emit (backpressured), as {@link Party#pause} waits.
 *
 * <p>The time counters are written by the instance's thread and published once per batch, the wait
 * in progress with its start, so that a reader sees a long wait as it happens.
 */
final class InstanceRunner extends Party implements ProcessContext, Runnable {
  static final int BATCH = 256;

  /** A drain that took fewer than this waits {@link #LAZY_SPINS} spins before the next. */
  static final int LAZY_BELOW = 16;

  static final int LAZY_SPINS = 64;

  /** How often a busy instance records a checkpoint; an instance about to idle always does. */
  static final long CHECKPOINT_NANOS = 200_000;

  /**
   * How often a stateful instance keeps its state at most while its inputs' replay rings have room;
   * one whose inputs hold half a ring not yet safe keeps it at once.
   */
  static final long STATE_CHECKPOINT_NANOS = 100_000_000L;

  /** How long an instance waits before it tries again to keep its state. */
  static final long STATE_RETRY_NANOS = 200_000_000L;

  private static final System.Logger LOG = System.getLogger(InstanceRunner.class.getName());

  private static final int WAIT_NONE = 0;
  private static final int WAIT_IDLE = 1;
  private static final int WAIT_ROOM = 2;

  /** Unwinds an instance whose flow is stopping, from wherever it waits. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super("the flow is stopping", null, false, false);
    }
  }

  /** A process's exception, carried out of a drain callback. */
  static final class Failed extends RuntimeException {
    Failed(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  private final FlowExecution execution;
  private final ProcessSpec spec;
  private final int instance;
  private final FlowProcess body;
  private final StatefulProcess stateful;
  private final String id;
  private final int keyGroups;
  private final Map<String, OutputPort> outputs = new LinkedHashMap<>();
  private Link[] inputs = new Link[0];
  private final List<Link> outLinks = new ArrayList<>();

  // Acknowledgements, when the flow spans nodes: checkpoints go from the instance's thread to the
  // grant pump's, which settles them (see Checkpoint).
  private boolean tracksAcks;
  private final SpscChannel<Checkpoint> checkpoints = new SpscChannel<>(64);
  private volatile Checkpoint lastCheckpoint;
  private Checkpoint unsettled;
  private long checkpointedAt;
  private long checkpointedReceived;

  // A stateful instance's state being kept, and the checkpoint it belongs to: the grant pump's.
  private java.util.concurrent.CompletableFuture<Void> saving;
  private Checkpoint toSave;
  // When to try again after a write failed; 0 while writes succeed.
  private long saveRetryAt;
  private long halfRing = Long.MAX_VALUE;
  // A source held still by a handover: the checkpoint taken when it stopped, and whether its state
  // was kept with it (the grant pump's write).
  private volatile Checkpoint heldAt;
  private volatile boolean keptWhenHeld;
  // A source waiting while its flow is paused; the instance's write.
  private volatile boolean held;
  // What loadState read for the process, until it restored it.
  private byte[] restored;

  // Owned by the instance's thread.
  private long received;
  private long emitted;
  private long idleNanos;
  private long backpressuredNanos;

  // Published for readers.
  private volatile long startedAt;
  private volatile long endedAt;
  private volatile long publishedReceived;
  private volatile long publishedEmitted;
  private volatile long publishedIdle;
  private volatile long publishedBackpressured;
  private volatile long waitingSince;
  private volatile int waitKind;

  /** Odd while the instance's thread writes what it publishes: a seqlock for readers. */
  private volatile int version;

  InstanceRunner(FlowExecution execution, ProcessSpec spec, int instance, FlowProcess body) {
    this.execution = execution;
    this.spec = spec;
    this.instance = instance;
    this.body = body;
    this.id = spec.name() + "#" + instance;
    this.keyGroups = KeyedState.keyGroups(execution.flow(), spec.name());
    if (body instanceof KeyedStatefulProcess keyed) {
      if (body instanceof StatefulProcess) {
        throw new IllegalArgumentException(
            "process "
                + spec.name()
                + " ("
                + spec.type()
                + ") is both a StatefulProcess and a KeyedStatefulProcess; it must be one");
      }
      KeyedState.checkInputs(execution.flow(), spec.name(), spec.type());
      this.stateful = new KeyedState(keyed, this);
    } else {
      this.stateful = body instanceof StatefulProcess s ? s : null;
    }
  }

  String id() {
    return id;
  }

  void inputs(List<Link> links) {
    this.inputs = links.toArray(Link[]::new);
    long half = Long.MAX_VALUE;
    for (Link l : inputs) {
      half = Math.min(half, Math.max(1, RemoteOut.REPLAY_FACTOR * l.channel.capacity() / 2));
    }
    this.halfRing = half;
  }

  void output(String port, List<OutputPort.Route> routes) {
    outputs.put(port, new OutputPort(this, port, routes));
    for (OutputPort.Route r : routes) {
      outLinks.addAll(List.of(r.links));
    }
  }

  void tracksAcks(boolean tracks) {
    this.tracksAcks = tracks;
  }

  List<Link> inputLinks() {
    return List.of(inputs);
  }

  @Override
  public String flow() {
    return execution.flow().name();
  }

  @Override
  public String process() {
    return spec.name();
  }

  @Override
  public int instance() {
    return instance;
  }

  @Override
  public int parallelism() {
    return spec.parallelism();
  }

  @Override
  public int keyGroups() {
    return keyGroups;
  }

  @Override
  public String property(String name, String fallback) {
    return spec.properties().getOrDefault(name, fallback);
  }

  @Override
  public List<String> outputPorts() {
    return spec.outputs();
  }

  @Override
  public Output output(String port) {
    OutputPort out = outputs.get(port);
    if (out == null) {
      throw new IllegalArgumentException(
          "process "
              + spec.name()
              + " has no output port "
              + port
              + " (its outputs: "
              + spec.outputs()
              + ")");
    }
    return out;
  }

  @Override
  public void run() {
    startedAt = System.nanoTime();
    Throwable failure = null;
    try {
      body.open(this);
      if (keepsState()) {
        restoreState();
      }
      if (spec.inputs().isEmpty()) {
        produceAll();
      } else {
        consumeAll();
      }
      body.finish();
      publish();
      outputs.values().forEach(OutputPort::end);
      if (tracksAcks && (inputs.length > 0 || stateful != null)) {
        lastCheckpoint = snapshot();
      }
    } catch (Stopped e) {
      // The flow is stopping: nothing failed here.
    } catch (Failed e) {
      failure = e.getCause();
    } catch (InterruptedException e) {
      // An emit stopped waiting because the flow is stopping; otherwise the process was
      // interrupted from elsewhere, which fails it.
      if (!execution.stopping()) {
        failure = e;
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      try {
        body.close();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        } else {
          failure.addSuppressed(t);
        }
      }
      publish();
      endedAt = System.nanoTime();
      execution.exited(this, failure);
    }
  }

  private void produceAll() throws Exception {
    while (true) {
      checkStopping();
      if (execution.paused()) {
        holdStill();
      }
      boolean more = body.produce();
      publish();
      if (!more) {
        return;
      }
      if (keepsState()) {
        long now = System.nanoTime();
        if (now - checkpointedAt >= STATE_CHECKPOINT_NANOS) {
          checkpoint(now);
        }
      }
    }
  }

  /**
   * Waits while the flow is paused for a handover, after a checkpoint of where it stopped for a
   * stateful source, so that what it wrote and its position are both safe before its instances
   * move.
   */
  private void holdStill() {
    long start = beginWait(WAIT_IDLE);
    if (keepsState()) {
      Checkpoint at = snapshot();
      heldAt = at;
      lastCheckpoint = at;
      checkpointedAt = start;
      execution.wakeSettler();
    }
    held = true;
    try {
      long park = MIN_PARK_NANOS;
      for (int i = 0; execution.paused(); i++) {
        checkStopping();
        park = pause(i, park, execution::paused);
      }
    } finally {
      held = false;
      heldAt = null;
      keptWhenHeld = false;
      endWait(WAIT_IDLE, start);
    }
  }

  /** Whether this instance is a source: it produces rather than takes. */
  boolean isSource() {
    return spec.inputs().isEmpty();
  }

  /**
   * A source that holds still for a handover, or has ended, with everything it wrote safe and, if
   * stateful, its position kept: nothing it wrote is owed to anyone downstream any more.
   */
  boolean quiescent() {
    if (endedAt == 0 && !held) {
      return false;
    }
    for (Link l : outLinks) {
      if (l.safe() < l.channel.produced()) {
        return false;
      }
    }
    return endedAt != 0 || !keepsState() || keptWhenHeld;
  }

  private void consumeAll() {
    int open = inputs.length;
    int at = 0;
    while (open > 0) {
      checkStopping();
      int got = 0;
      for (int k = 0; k < inputs.length; k++) {
        Link l = inputs[(at + k) % inputs.length];
        if (l.done) {
          continue;
        }
        boolean ended = l.ended;
        int n = l.channel.drain(l.deliver, BATCH);
        l.releaseDrained();
        if (n > 0) {
          received += n;
          got += n;
          l.producer.wake();
        } else if (ended) {
          l.done = true;
          open--;
        }
      }
      at = at + 1 == inputs.length ? 0 : at + 1;
      publish();
      if (tracksAcks && received != checkpointedReceived) {
        long now = System.nanoTime();
        if (stateful == null
            ? got == 0 || now - checkpointedAt >= CHECKPOINT_NANOS
            : stateDue(now)) {
          checkpoint(now);
        }
      }
      if (got == 0 && open > 0) {
        awaitInput();
      } else if (got < LAZY_BELOW) {
        // Caught up with the senders: let a few arrive before taking again, so that the two ends
        // do not hand each message's cache line back and forth.
        for (int i = 0; i < LAZY_SPINS; i++) {
          Thread.onSpinWait();
        }
      }
    }
  }

  private boolean keepsState() {
    return stateful != null && tracksAcks;
  }

  /**
   * Whether a stateful instance should keep its state now: its interval has passed, or an input has
   * taken half the smallest of its senders' replay rings since the last checkpoint, which they may
   * not let go of until a later one is kept.
   */
  private boolean stateDue(long now) {
    if (now - checkpointedAt >= STATE_CHECKPOINT_NANOS) {
      return true;
    }
    return received - checkpointedReceived >= halfRing;
  }

  /**
   * Reads the state a former run of this instance kept, if any, before the execution registers its
   * channels: the channels from other nodes resume at the sequence numbers the state took, so that
   * what their senders replay from before it is dropped. The process restores the state on its own
   * thread, after {@code open}.
   *
   * @throws IllegalStateException when the store does not answer within {@code timeoutNanos}
   */
  void loadState(long timeoutNanos) {
    if (!keepsState()) {
      return;
    }
    byte[] kept;
    try {
      kept =
          execution
              .states()
              .load(flow(), execution.generation(), id)
              .get(timeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS)
              .orElse(null);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not read the state of " + id + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the state of " + id, e);
    }
    if (kept == null) {
      return;
    }
    KeptState state;
    try {
      state = KeptState.decode(kept);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the kept state of " + id + " does not read: " + e, e);
    }
    List<InboundChannel.Position> positions = state.positions();
    for (int i = 0; i < positions.size(); i++) {
      if (positions.get(i) != null
          && positions.size() == inputs.length
          && inputs[i].inbound != null) {
        inputs[i].inbound.resumeAt(positions.get(i));
      }
    }
    restored = state.body();
  }

  /** Hands the process the state {@link #loadState} read. */
  private void restoreState() throws Exception {
    if (restored != null) {
      stateful.restore(restored);
      LOG.log(
          System.Logger.Level.INFO,
          "flow " + flow() + ": " + id + " took up its state (" + restored.length + " B)");
      restored = null;
    }
  }

  private Checkpoint snapshot() {
    long[] taken = new long[inputs.length];
    for (int i = 0; i < taken.length; i++) {
      taken[i] = inputs[i].channel.consumed();
    }
    long[] emitted = new long[outLinks.size()];
    for (int k = 0; k < emitted.length; k++) {
      emitted[k] = outLinks.get(k).channel.produced();
    }
    return new Checkpoint(taken, emitted, stateful == null ? null : state(taken));
  }

  /** The process's state, after where each input from another node stood at {@code taken}. */
  private byte[] state(long[] taken) {
    List<InboundChannel.Position> positions = new ArrayList<>(inputs.length);
    for (int i = 0; i < inputs.length; i++) {
      positions.add(inputs[i].inbound == null ? null : inputs[i].inbound.positionAt(taken[i]));
    }
    return KeptState.encode(positions, state());
  }

  private byte[] state() {
    byte[] state;
    try {
      state = stateful.snapshot();
    } catch (Exception e) {
      throw new Failed(e);
    }
    if (state == null) {
      throw new Failed(new IllegalStateException(id + " returned no state from snapshot()"));
    }
    if (state.length > FlowStateStore.MAX_STATE_BYTES) {
      throw new Failed(
          new IllegalStateException(
              "the state of "
                  + id
                  + " is "
                  + state.length
                  + " bytes, over the limit of "
                  + FlowStateStore.MAX_STATE_BYTES));
    }
    return state;
  }

  private void checkpoint(long now) {
    // A full queue means the grant pump is behind: this one is skipped, a later one covers it.
    if (checkpoints.offer(snapshot())) {
      checkpointedAt = now;
      checkpointedReceived = received;
    }
  }

  /**
   * Marks as safe the inputs of every checkpoint whose outputs are safe, oldest first. The grant
   * pump's thread only.
   */
  void settle() {
    if (stateful != null) {
      settleState();
      return;
    }
    for (Checkpoint cp = nextSafe(); cp != null; cp = nextSafe()) {
      markSafe(cp);
    }
  }

  /**
   * The oldest checkpoint not settled yet if its outputs are safe, taken; else null, and one whose
   * outputs are not safe yet waits as {@link #unsettled}.
   */
  private Checkpoint nextSafe() {
    Checkpoint cp = unsettled != null ? unsettled : checkpoints.poll();
    if (cp == null) {
      cp = lastCheckpoint;
      if (cp == null) {
        return null;
      }
      lastCheckpoint = null;
    }
    if (!outputsSafe(cp)) {
      unsettled = cp;
      return null;
    }
    unsettled = null;
    return cp;
  }

  /**
   * As {@link #settle} for a stateful instance: the newest checkpoint whose outputs are safe has
   * its state kept, one at a time, and its inputs become safe once the store has it.
   */
  private void settleState() {
    java.util.concurrent.CompletableFuture<Void> s = saving;
    if (s != null) {
      if (!s.isDone()) {
        return;
      }
      saving = null;
      if (s.isCompletedExceptionally()) {
        // Kept for the next try, unless a newer safe checkpoint comes first.
        boolean first = saveRetryAt == 0;
        saveRetryAt = System.nanoTime() + STATE_RETRY_NANOS;
        if (first) {
          LOG.log(
              System.Logger.Level.WARNING,
              "flow " + flow() + ": the state of " + id + " could not be kept; trying again",
              s.exceptionNow());
        }
      } else {
        saveRetryAt = 0;
        markSafe(toSave);
        if (toSave == heldAt) {
          keptWhenHeld = true;
        }
        toSave = null;
      }
    }
    for (Checkpoint cp = nextSafe(); cp != null; cp = nextSafe()) {
      toSave = cp; // only the newest safe state need be kept
    }
    if (toSave != null && (saveRetryAt == 0 || System.nanoTime() - saveRetryAt >= 0)) {
      saving =
          execution
              .states()
              .save(flow(), execution.generation(), id, toSave.state())
              .whenComplete((ok, e) -> execution.wakeSettler());
    }
  }

  private void markSafe(Checkpoint cp) {
    for (int i = 0; i < cp.taken().length; i++) {
      if (cp.taken()[i] > inputs[i].acked) {
        inputs[i].acked = cp.taken()[i];
      }
    }
  }

  private boolean outputsSafe(Checkpoint cp) {
    for (int k = 0; k < cp.emitted().length; k++) {
      if (outLinks.get(k).safe() < cp.emitted()[k]) {
        return false;
      }
    }
    return true;
  }

  /** Called by a drain on this instance's thread. */
  void deliver(String port, Message message) {
    try {
      body.onMessage(port, message);
    } catch (Stopped | Failed e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    } catch (Exception e) {
      throw new Failed(e);
    }
  }

  /** Puts {@code message} on {@code link}, waiting for room. This instance's thread only. */
  void send(Link link, Message message) throws InterruptedException {
    int size = message.payload().length;
    boolean counted = link.counted(size);
    if ((counted && !link.roomFor(size)) || !link.channel.offer(message)) {
      awaitRoom(link, message, counted ? size : 0);
    }
    if (counted) {
      link.added(size);
    }
    emitted++;
    link.consumer.wake();
  }

  private void awaitInput() {
    long start = beginWait(WAIT_IDLE);
    long park = MIN_PARK_NANOS;
    for (int i = 0; !anyInputReady(); i++) {
      checkStopping();
      if (keepsState() && received != checkpointedReceived) {
        long now = System.nanoTime();
        if (stateDue(now)) {
          checkpoint(now);
        }
      }
      park = pause(i, park, this::nothingToTake);
    }
    endWait(WAIT_IDLE, start);
  }

  private void awaitRoom(Link link, Message message, int size) throws InterruptedException {
    long start = beginWait(WAIT_ROOM);
    long park = MIN_PARK_NANOS;
    BooleanSupplier full =
        () -> link.channel.size() >= link.channel.capacity() || !link.roomFor(size);
    try {
      for (int i = 0; !(link.roomFor(size) && link.channel.offer(message)); i++) {
        if (execution.stopping()) {
          throw new InterruptedException("flow " + flow() + " is stopping");
        }
        park = pause(i, park, full);
      }
    } finally {
      endWait(WAIT_ROOM, start);
    }
  }

  private boolean nothingToTake() {
    return !anyInputReady();
  }

  private boolean anyInputReady() {
    for (Link l : inputs) {
      if (l.ready()) {
        return true;
      }
    }
    return false;
  }

  private long beginWait(int kind) {
    long now = System.nanoTime();
    version++;
    publishCounters();
    waitKind = kind;
    waitingSince = now;
    version++;
    return now;
  }

  /** Ends a wait, moving its time into its counter in the same published step. */
  private void endWait(int kind, long start) {
    long waited = System.nanoTime() - start;
    if (kind == WAIT_IDLE) {
      idleNanos += waited;
    } else {
      backpressuredNanos += waited;
    }
    version++;
    publishCounters();
    waitingSince = 0;
    waitKind = WAIT_NONE;
    version++;
  }

  @Override
  boolean stopping() {
    return execution.stopping();
  }

  private void checkStopping() {
    if (execution.stopping()) {
      throw new Stopped();
    }
  }

  private void publish() {
    version++;
    publishCounters();
    version++;
  }

  private void publishCounters() {
    publishedReceived = received;
    publishedEmitted = emitted;
    publishedIdle = idleNanos;
    publishedBackpressured = backpressuredNanos;
  }

  /** What this instance did so far, as seen now from any thread. */
  InstanceStats stats(long now) {
    long started = startedAt;
    long ended = endedAt;
    long until = ended != 0 ? ended : now;
    long idle;
    long backpressured;
    long since;
    int kind;
    long receivedNow;
    long emittedNow;
    int v;
    do {
      // A consistent view of what the instance's thread published: retry while it writes.
      v = version;
      idle = publishedIdle;
      backpressured = publishedBackpressured;
      since = waitingSince;
      kind = waitKind;
      receivedNow = publishedReceived;
      emittedNow = publishedEmitted;
    } while ((v & 1) != 0 || v != version);
    if (ended == 0 && since != 0 && since <= now) {
      if (kind == WAIT_IDLE) {
        idle += now - since;
      } else if (kind == WAIT_ROOM) {
        backpressured += now - since;
      }
    }
    long total = started == 0 ? 0 : Math.max(0, until - started);
    long busy = Math.max(0, total - idle - backpressured);
    int queued = 0;
    for (Link l : inputs) {
      queued += l.inbound != null ? l.inbound.queued() : l.channel.size();
    }
    return new InstanceStats(
        id, receivedNow, emittedNow, busy, backpressured, idle, queued, started != 0 && ended == 0);
  }
}
