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
  private long grantedAtCount;
  private long ackedAt;
  private long freedSinceGrant;
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
    epochCount = link.channel.produced();
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
    long consumed = link.channel.consumed();
    // Under this monitor nothing is produced, so produced() - consumed is what the channel holds
    // at that consumed count (a drain since only frees more, granted with the next grant).
    grantedAtCount = consumed;
    freedSinceGrant = link.channel.capacity() - (link.channel.produced() - consumed);
    fresh = true;
  }

  /**
   * The stream this channel is on if it is settled and empty, so that a channel started again with
   * its key takes over where it stands; else null.
   */
  synchronized InStream settledStream() {
    return stream != null && !link.ended && link.channel.size() == 0 && settled() ? stream : null;
  }

  /**
   * Goes on from a settled channel of the same key on {@code current}, which this node's instance
   * was started again after: the sender holds the credits that channel granted (its whole room, all
   * of it free), so none are granted again.
   */
  synchronized void continueOn(InStream current) {
    stream = current;
    grantedAtCount = link.channel.consumed();
    freedSinceGrant = 0;
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
    int skip = link.ended ? n : (int) Math.min(n, expected - first);
    duplicates += skip;
    if (link.ended) {
      expected = Math.max(expected, first + n);
    }
    freedSinceGrant += skip;
    for (int i = skip; i < n; i++) {
      FlowMessage m = batch.getMessages(i);
      if (!link.channel.offer(new Message(m.getKey(), m.getPayload().toByteArray()))) {
        throw new IllegalStateException(
            "channel " + key + ": message " + (first + i) + " arrived without credit");
      }
      expected++;
    }
    if (batch.getEnd()) {
      link.ended = true;
      endOwed = true;
    }
    link.consumer.wake();
  }

  /** The sequence number below which this epoch's messages are safe. */
  private long safe() {
    if (expected < 0) {
      return 0;
    }
    if (link.ended && link.acked >= link.channel.produced()) {
      return expected; // all that went in is safe; what came after the end was dropped
    }
    return epochSeq + Math.max(0, link.acked - epochCount);
  }

  /**
   * The grant to send now, or null when there is nothing worth sending: credits for the slots freed
   * since the last grant and the acknowledgement of what became safe, once either reaches {@code
   * threshold} (any amount when {@code eager}).
   */
  synchronized ChannelGrant grant(int threshold, boolean eager) {
    long consumed = link.channel.consumed();
    long credits = consumed - grantedAtCount + freedSinceGrant;
    long safe = safe();
    long newlySafe = safe - ackedAt;
    if (stream == null
        || !(fresh
            || endOwed
            || credits >= threshold
            || newlySafe >= threshold
            || (eager && (credits > 0 || newlySafe > 0)))) {
      return null;
    }
    grantedAtCount = consumed;
    ackedAt = safe;
    freedSinceGrant = 0;
    fresh = false;
    endOwed = false;
    return ChannelGrant.newBuilder()
        .setChannel(key.toProto())
        .setCredits((int) credits)
        .setAckedUntil(safe)
        .setDuplicates(duplicates)
        .setEnded(link.ended)
        .build();
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
        .setEnded(link.ended)
        .build();
  }

  /** Everything taken is safe, the sender was told so, and no credit is owed to it. */
  synchronized boolean settled() {
    return link.channel.consumed() == grantedAtCount
        && freedSinceGrant == 0
        && !endOwed
        && link.acked == link.channel.consumed()
        && safe() == ackedAt;
  }

  synchronized long duplicates() {
    return duplicates;
  }
}
