package io.tideflow.runtime.flow;

import io.tideflow.runtime.flow.proto.ChannelBatch;
import io.tideflow.runtime.flow.proto.ChannelGrant;
import io.tideflow.runtime.flow.proto.FlowMessage;

/**
 * The receiving end of a channel whose sender is on another node. Batches from the current stream
 * of the sending node go into {@link #link} (which always has room: the sender holds a credit for
 * each message); a message whose sequence number was taken already is dropped and counted as a
 * duplicate. What the instance has processed is acknowledged and its slot granted back as a credit
 * by the node's {@link GrantPump}.
 *
 * <p>Every field is guarded by this object's monitor: the batches of one stream arrive on one
 * thread at a time, but a reconnected stream may arrive on another, and the grant pump reads the
 * counts from its own thread.
 */
final class InboundChannel {
  final ChannelKey key;
  final String senderNode;
  final Link link;
  final FlowExecution execution;

  /** Its flow ended here: dropped once the sender has the last acknowledgement. */
  volatile boolean retired;

  private InStream stream;
  private long expected = -1;
  private long duplicates;
  private long grantedAt;
  private long freedSinceGrant;
  private boolean fresh;

  InboundChannel(ChannelKey key, String senderNode, Link link, FlowExecution execution) {
    this.key = key;
    this.senderNode = senderNode;
    this.link = link;
    this.execution = execution;
  }

  /** {@code next} is now the sending node's stream; it gets the room free now as credits. */
  synchronized void attach(InStream next) {
    stream = next;
    grantedAt = consumed();
    freedSinceGrant = link.channel.capacity() - link.channel.size();
    fresh = true;
  }

  synchronized InStream stream() {
    return stream;
  }

  /** Sequence number up to which the instance has taken messages (all before it). */
  private long consumed() {
    return expected < 0 ? 0 : expected - link.channel.size();
  }

  /**
   * Puts a batch into the channel.
   *
   * @throws IllegalStateException for a gap in the sequence numbers or a message without credit
   */
  synchronized void accept(InStream from, ChannelBatch batch) {
    if (from != stream) {
      return; // a stream replaced by a newer one from the same node: its frames are stale
    }
    long first = batch.getFirstSeq();
    int n = batch.getMessagesCount();
    if (expected < 0) {
      // The first message this end sees: sequence numbers count from here (after a receiver was
      // placed again, that is the first message its old self had not acknowledged).
      expected = first;
      grantedAt = first;
    }
    if (first > expected) {
      throw new IllegalStateException(
          "channel " + key + ": expected message " + expected + ", got " + first + " (a gap)");
    }
    int skip = (int) Math.min(n, expected - first);
    duplicates += skip;
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
    }
    link.consumer.wake();
  }

  /**
   * The grant to send now, or null when there is nothing worth sending: credits for the slots freed
   * since the last grant once they reach {@code threshold} (any when {@code eager}), with the
   * acknowledgement of what was taken.
   */
  synchronized ChannelGrant grant(int threshold, boolean eager) {
    long consumed = consumed();
    long credits = consumed - grantedAt + freedSinceGrant;
    if (stream == null || !(fresh || credits >= threshold || (eager && credits > 0))) {
      return null;
    }
    grantedAt = consumed;
    freedSinceGrant = 0;
    fresh = false;
    return ChannelGrant.newBuilder()
        .setChannel(key.toProto())
        .setCredits((int) credits)
        .setAckedUntil(consumed)
        .setDuplicates(duplicates)
        .build();
  }

  /** Everything taken was acknowledged and nothing more is owed to the sender. */
  synchronized boolean settled() {
    return consumed() == grantedAt && freedSinceGrant == 0;
  }

  synchronized long duplicates() {
    return duplicates;
  }
}
