package io.tideflow.runtime.flow;

import io.tideflow.runtime.flow.proto.ChannelBatch;
import io.tideflow.runtime.flow.proto.ChannelGrant;
import io.tideflow.runtime.flow.proto.FlowMessage;

/**
 * The receiving end of a channel whose sender is on another node. Batches from the current stream
 * of the sending node go into {@link #link} (which always has room: the sender holds a credit for
 * each message); a message whose sequence number was taken already is dropped and counted as a
 * duplicate. The slot of what the instance took is granted back as a credit, and what it made safe
 * (see {@link Checkpoint}) is acknowledged, by the node's {@link GrantPump}.
 *
 * <p>The sender may hold credits for more than the channel's capacity: the receive window grows
 * while the sender says it has messages waiting for credit (the backlog each batch carries) and
 * this end holds little, since then the round trip of the credits, not the receiver, bounds the
 * rate; and shrinks back while this end holds most of its window, since then a deeper queue only
 * adds latency. What arrives beyond the channel's room waits in an overflow queue, in order, and
 * moves into the channel as the instance takes. The window is at most {@link #WINDOW_FACTOR} times
 * the capacity, which the sender's replay ring leaves room for.
 *
 * <p>Sequence numbers belong to one sender: when the sending instance is placed again ({@link
 * #resetSender}), its new self numbers from wherever it starts, and this end begins a new epoch at
 * the first number it sees. Counts on the link itself run on across epochs.
 *
 * <p>The end of a channel is acknowledged as its messages are ({@link ChannelGrant#getEnded}), and
 * a channel that ended stays ended: what a sender placed again sends after that (a source that
 * starts over) is dropped, counted as duplicates and acknowledged, so that the sender finishes.
 *
 * <p>Every field is guarded by this object's monitor: the batches of one stream arrive on one
 * thread at a time, but a reconnected stream may arrive on another, and the grant pump reads the
 * counts from its own thread.
 */
final class InboundChannel {
  /** The receive window grows to at most this many times the channel's capacity. */
  static final int WINDOW_FACTOR = RemoteOut.REPLAY_FACTOR - 1;

  final ChannelKey key;
  final Link link;
  final FlowExecution execution;

  /** Its flow ended here: dropped once the sender has the last acknowledgement. */
  volatile boolean retired;

  private String senderNode;
  private InStream stream;
  private long expected = -1;
  private long epochSeq;
  private long epochCount;
  private long duplicates;
  private long ackedAt;
  // Credits the sender holds or that are on their way to it: granted, not yet spent by a batch.
  private long outstanding;
  // The receive window, and what arrived since it last changed; the last batch's backlog.
  private int window;
  private long arrivedAtSize;
  private long backlog;
  // What arrived beyond the channel's room, oldest first.
  private final java.util.ArrayDeque<Message> overflow = new java.util.ArrayDeque<>();
  // The sender's end arrived; the link ends once nothing waits beyond the channel any more.
  private boolean endArrived;
  // Its execution stopped and a channel started again with its key takes over: it grants no more.
  private boolean handedOver;
  private boolean fresh;
  private boolean endOwed;
  // The epoch was resumed from a restored state and has seen no batch yet.
  private boolean resumed;

  InboundChannel(ChannelKey key, String senderNode, Link link, FlowExecution execution) {
    this.key = key;
    this.senderNode = senderNode;
    this.link = link;
    link.inbound = this;
    this.execution = execution;
    this.window = link.channel.capacity();
  }

  /** Messages this end holds: in the channel and waiting beyond it. */
  private long held() {
    return link.channel.size() + overflow.size();
  }

  /** Messages put into this end so far: into the channel, or waiting to go in. */
  private long accepted() {
    return link.channel.produced() + overflow.size();
  }

  /** Moves what waits beyond the channel into the room the instance made. */
  private void refill() {
    Message m;
    boolean moved = false;
    while ((m = overflow.peek()) != null && link.channel.offer(m)) {
      overflow.poll();
      moved = true;
    }
    if (endArrived && overflow.isEmpty()) {
      link.ended = true;
    }
    if (moved) {
      link.consumer.wake();
    }
  }

  /** Messages waiting for the instance: in the channel and beyond it. */
  synchronized int queued() {
    return (int) held();
  }

  /** The receive window now; for tests and stats. */
  synchronized int window() {
    return window;
  }

  /**
   * Where the receiver stands after taking {@code taken} messages from the link: the sequence
   * number of the next message of its sender's current epoch, and that sender's node; null when the
   * taken ones are not all of this epoch (or none came yet).
   */
  synchronized Position positionAt(long taken) {
    if (expected < 0 || taken < epochCount) {
      return null;
    }
    return new Position(epochSeq + (taken - epochCount), senderNode);
  }

  /** A sequence number of a sender's epoch, and the sender's node. */
  record Position(long seq, String senderNode) {}

  /**
   * The receiver was restored from a state that took everything below {@code position.seq()}: if
   * the sender is the one that numbered those, what it sends below that is dropped as duplicates.
   * Before any batch of this channel arrived only.
   */
  synchronized void resumeAt(Position position) {
    if (expected >= 0 || !position.senderNode().equals(senderNode)) {
      return; // a new sender numbers afresh: its epoch starts where its messages do
    }
    beginEpoch(position.seq());
    resumed = true;
  }

  /** A new epoch of the sender's numbers begins at {@code seq}, with what the link holds now. */
  private void beginEpoch(long seq) {
    expected = seq;
    epochSeq = seq;
    epochCount = accepted();
  }

  synchronized String senderNode() {
    return senderNode;
  }

  /** {@code next} is now the sending node's stream; it gets the room free now as credits. */
  synchronized void attach(InStream next) {
    if (stream == next) {
      return; // attached already: granting its room twice would overdraw the channel
    }
    stream = next;
    // A new stream starts without credit: the room free now is granted with the next grant.
    outstanding = 0;
    fresh = true;
  }

  /**
   * Where a settled channel whose execution stopped stands on its stream: the credits its sender
   * holds and the window they were granted in.
   */
  record Handover(InStream stream, long outstanding, int window) {}

  /**
   * If this channel is settled and empty, where it stands, so that a channel started again with its
   * key takes over from there; it grants nothing after this. Else null.
   */
  synchronized Handover handOver() {
    if (stream == null || endArrived || held() != 0 || !settled()) {
      return null;
    }
    handedOver = true;
    return new Handover(stream, outstanding, window);
  }

  /**
   * Goes on from where a settled channel of the same key stood on {@code former.stream()}, which
   * this node's instance was started again after: the sender holds the credits it granted, so none
   * are granted again, and its window stays. Not when this channel was attached to a newer stream
   * meanwhile, or when the credits are more than it can hold (then it starts afresh on the stream).
   */
  synchronized void continueOn(Handover former) {
    if (stream != null) {
      return; // attached to a newer stream meanwhile: that one stands
    }
    long most = WINDOW_FACTOR * (long) link.channel.capacity();
    if (former.outstanding() > most) {
      attach(former.stream());
      return;
    }
    stream = former.stream();
    outstanding = former.outstanding();
    window = (int) Math.max(window, Math.min(former.window(), most));
    fresh = false;
  }

  /**
   * The sending instance now runs on {@code node}: a new epoch of sequence numbers begins. What the
   * old sender had sent is still delivered; {@code current} is the node's stream if it is open.
   */
  synchronized void resetSender(String node, InStream current) {
    if (node.equals(senderNode)) {
      return; // told again: the epoch it started stands
    }
    senderNode = node;
    expected = -1;
    ackedAt = 0;
    stream = null;
    if (current != null) {
      attach(current);
    }
  }

  synchronized InStream stream() {
    return stream;
  }

  /**
   * Puts a batch into the channel.
   *
   * @throws IllegalStateException for a gap in the sequence numbers or a message without credit
   */
  synchronized void accept(InStream from, ChannelBatch batch) {
    if (from != stream) {
      return; // a stream replaced by a newer one, or from a sender that moved: its frames are stale
    }
    long first = batch.getFirstSeq();
    int n = batch.getMessagesCount();
    if (expected < 0) {
      // The first message of this sender's epoch: after a receiver was placed again, that is the
      // first message its old self had not acknowledged.
      beginEpoch(first);
    }
    if (resumed && first > expected) {
      // The sender let go of more than the restored state took (it cannot, unless the state is
      // older than its acknowledgements): take it from here, as a new epoch.
      beginEpoch(first);
    }
    resumed = false;
    if (first > expected) {
      throw new IllegalStateException(
          "channel " + key + ": expected message " + expected + ", got " + first + " (a gap)");
    }
    // After the end nothing more goes in: the channel's receiver may have finished with it.
    int skip = endArrived ? n : (int) Math.min(n, expected - first);
    duplicates += skip;
    if (endArrived) {
      expected = Math.max(expected, first + n);
    }
    if (held() + n - skip > WINDOW_FACTOR * (long) link.channel.capacity()) {
      throw new IllegalStateException(
          "channel "
              + key
              + ": message "
              + (first + n - 1)
              + " arrived without credit ("
              + held()
              + " held, window "
              + window
              + ")");
    }
    // A sender may spend credit a former channel of this key granted on the same stream.
    outstanding = Math.max(0, outstanding - n);
    arrivedAtSize += n;
    backlog = batch.getBacklog();
    refill();
    for (int i = skip; i < n; i++) {
      FlowMessage m = batch.getMessages(i);
      Message message = new Message(m.getKey(), m.getPayload().toByteArray());
      if (!overflow.isEmpty() || !link.channel.offer(message)) {
        overflow.add(message);
      }
      expected++;
    }
    if (batch.getEnd()) {
      endArrived = true;
      link.ended = overflow.isEmpty();
      endOwed = true;
    }
    link.consumer.wake();
  }

  /** The sequence number below which this epoch's messages are safe. */
  private long safe() {
    if (expected < 0) {
      return 0;
    }
    if (endArrived && link.acked >= accepted()) {
      return expected; // all that went in is safe; what came after the end was dropped
    }
    return epochSeq + Math.max(0, link.acked - epochCount);
  }

  /** A grant and the stream it was made for. */
  record Grant(InStream stream, ChannelGrant grant) {}

  /**
   * The grant to send now, or null when there is nothing worth sending: credits for the room free
   * in the window beside what the sender holds, and the acknowledgement of what became safe, once
   * either reaches a quarter of the window (any amount when {@code eager}).
   */
  synchronized Grant grant(boolean eager) {
    refill();
    if (stream == null || handedOver) {
      return null;
    }
    adapt();
    long credits = window - held() - outstanding;
    long safe = safe();
    long newlySafe = safe - ackedAt;
    int threshold = Math.max(1, window / 4);
    if (!(fresh
        || endOwed
        || credits >= threshold
        || newlySafe >= threshold
        || (eager && (credits > 0 || newlySafe > 0)))) {
      return null;
    }
    credits = Math.max(0, credits);
    outstanding += credits;
    ackedAt = safe;
    fresh = false;
    endOwed = false;
    return new Grant(
        stream,
        ChannelGrant.newBuilder()
            .setChannel(key.toProto())
            .setCredits((int) credits)
            .setAckedUntil(safe)
            .setDuplicates(duplicates)
            .setEnded(endArrived)
            .build());
  }

  /**
   * Doubles the window when the sender waits for credit while this end holds under a quarter of it,
   * halves it (to no less than the capacity) when this end holds over three quarters; each at most
   * once per window's worth of arrivals, so that every size is tried for a round trip.
   */
  private void adapt() {
    if (arrivedAtSize < window) {
      return;
    }
    int capacity = link.channel.capacity();
    long held = held();
    if (backlog > 0 && held < window / 4 && window < WINDOW_FACTOR * capacity) {
      window = Math.min(WINDOW_FACTOR * capacity, window * 2);
      arrivedAtSize = 0;
    } else if (held > window * 3L / 4 && window > capacity) {
      window = Math.max(capacity, window / 2);
      arrivedAtSize = 0;
    }
  }

  /**
   * The last grant again, without credit: what a sender that did not get it (its stream broke) is
   * told when it sends on after the channel was dropped here.
   */
  synchronized ChannelGrant finalGrant() {
    return ChannelGrant.newBuilder()
        .setChannel(key.toProto())
        .setAckedUntil(safe())
        .setDuplicates(duplicates)
        .setEnded(endArrived)
        .build();
  }

  /** Everything taken is safe, the sender was told so, and no credit is owed to it. */
  synchronized boolean settled() {
    return window - held() - outstanding <= 0
        && overflow.isEmpty()
        && !endOwed
        && link.acked == link.channel.consumed()
        && safe() == ackedAt;
  }

  synchronized long duplicates() {
    return duplicates;
  }
}
