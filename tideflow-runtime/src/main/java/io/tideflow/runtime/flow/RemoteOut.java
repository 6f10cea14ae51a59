package io.tideflow.runtime.flow;

import io.tideflow.runtime.flow.proto.ChannelId;

/**
 * The sending end of a channel whose receiver is on another node. The sending instance writes into
 * {@link #link}; the node's {@link SendPump} takes from there, numbers each message and keeps it in
 * a replay ring until the receiver acknowledges it as safe, so that after a reconnection, or when
 * the receiver was placed again elsewhere, everything not acknowledged is sent again. The ring
 * holds at most {@code 2 × capacity} messages; when it is full the pump stops taking, the link
 * fills and the instance is held, as by a slow receiver on its own node.
 *
 * <p>Fields without a note are the pump's alone.
 */
final class RemoteOut {
  /** The replay ring holds this many times the channel's capacity. */
  static final int REPLAY_FACTOR = 4;

  final ChannelKey key;
  final ChannelId id;
  final Link link;
  final FlowExecution execution;
  private final Message[] ring;
  // The counted payload bytes (see Link#counted) taken up to and including each slot's message,
  // so that a trim lets go of what it forgets without reading the messages again.
  private final long[] countedUpTo;
  private long countedTaken;
  private long countedFreed;
  private final int mask;

  /** The node the receiver is on; changed when it is placed again. */
  volatile String target;

  /** Every message below this is safe on the receiver; written by the reply thread. */
  volatile long ackedUntil;

  /** What the receiver dropped as already taken; written by the reply thread. */
  volatile long duplicates;

  /** The receiver has this channel's end; written by the reply thread. */
  volatile boolean endAcked;

  /**
   * The first sequence number of this channel: 0, or where the same channel from this node left off
   * when its sender was started again here after a handover, so its receiver goes on.
   */
  long seqBase;

  /** {@link #nextSeq}, published for other threads after each take. */
  private volatile long numbered;

  long firstUnacked;
  long nextSeq;
  long sendFrom;
  boolean endSent;
  // On a new stream, the channel is named once even without credit to send: a receiver that is
  // done with it (its last grant lost with the old stream) answers with that grant again.
  boolean announce;
  boolean finished;
  OutStream stream;

  RemoteOut(ChannelKey key, Link link, FlowExecution execution, String target, int capacity) {
    this.key = key;
    this.id = key.toProto();
    this.link = link;
    link.remote = this;
    this.execution = execution;
    this.target = target;
    int size = Integer.highestOneBit(Math.max(2, REPLAY_FACTOR * capacity) - 1) << 1;
    this.ring = new Message[size];
    this.countedUpTo = new long[size];
    this.mask = size - 1;
  }

  /** Forgets what the receiver acknowledged, letting its bytes go from the channel. */
  void trim() {
    long acked = ackedUntil;
    long from = firstUnacked;
    while (firstUnacked < acked && firstUnacked < nextSeq) {
      ring[(int) firstUnacked & mask] = null;
      firstUnacked++;
    }
    if (firstUnacked > from) {
      long upTo = countedUpTo[(int) (firstUnacked - 1) & mask];
      if (upTo > countedFreed) {
        link.released(upTo - countedFreed);
        countedFreed = upTo;
        link.producer.wake();
      }
    }
    if (sendFrom < firstUnacked) {
      sendFrom = firstUnacked;
    }
  }

  /** Takes up to {@code limit} messages from the link into the ring, as room allows. */
  int take(int limit) {
    int taken = 0;
    while (taken < limit && nextSeq - firstUnacked < ring.length) {
      Message m = link.channel.poll();
      if (m == null) {
        break;
      }
      int slot = (int) nextSeq & mask;
      ring[slot] = m;
      int size = m.payload().length;
      if (link.counted(size)) {
        countedTaken += size;
      }
      countedUpTo[slot] = countedTaken;
      nextSeq++;
      taken++;
    }
    if (taken > 0) {
      numbered = nextSeq;
      link.producer.wake();
    }
    return taken;
  }

  Message at(long seq) {
    return ring[(int) seq & mask];
  }

  /** Numbers this channel's messages from {@code seq} on; before the pump has it only. */
  void startAt(long seq) {
    seqBase = seq;
    firstUnacked = seq;
    nextSeq = seq;
    sendFrom = seq;
    numbered = seq;
    ackedUntil = seq;
  }

  /**
   * The sequence number the channel would go on from, if its receiver has acknowledged all it was
   * sent and nothing waits in the link (a sender held still for a handover); else -1.
   */
  long settledAt() {
    long n = numbered;
    return ackedUntil == n && link.channel.size() == 0 ? n : -1;
  }

  /** Messages kept for replay now. */
  int unacked() {
    return (int) (nextSeq - firstUnacked);
  }

  /** Starts over on {@code next}: everything not acknowledged goes again, the end too. */
  void resend(OutStream next) {
    announce = stream != null;
    stream = next;
    sendFrom = firstUnacked;
    endSent = false;
  }
}
