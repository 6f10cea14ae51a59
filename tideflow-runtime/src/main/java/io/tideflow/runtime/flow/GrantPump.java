package io.tideflow.runtime.flow;

import io.tideflow.runtime.flow.proto.FlowReply;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Grants credits and acknowledges, for every channel this node receives from other nodes. Woken by
 * an instance that took messages from such a channel; sends a channel's grant once a quarter of its
 * receive window is free again, and everything still owed when it wakes with nothing to do, so a
 * trickle is acknowledged within about {@value #LINGER_MICROS} µs.
 */
final class GrantPump extends Party implements Runnable {
  static final long LINGER_MICROS = 200;
  private static final System.Logger LOG = System.getLogger(GrantPump.class.getName());

  private final FlowNode node;
  private volatile boolean closed;

  GrantPump(FlowNode node, String self) {
    this.node = node;
    this.thread = Thread.ofVirtual().name("flow-grant-" + self).unstarted(this);
  }

  void start() {
    thread.start();
  }

  /** Stops the pump and waits up to 5 s for its thread to end. */
  void close() throws InterruptedException {
    closed = true;
    LockSupport.unpark(thread);
    if (thread.isAlive() && !thread.join(CLOSE_WAIT)) {
      LOG.log(System.Logger.Level.WARNING, "flow grant pump did not end within " + CLOSE_WAIT);
    }
  }

  @Override
  boolean stopping() {
    return closed;
  }

  @Override
  public void run() {
    boolean eager = false;
    long park = LINGER_MICROS * 1000;
    while (!closed) {
      Map<InStream, FlowReply.Builder> replies;
      try {
        replies = pass(eager);
      } catch (RuntimeException e) {
        // One bad channel or stream must not end the grants of every other: log, go on.
        LOG.log(System.Logger.Level.WARNING, "flow grant pass failed: " + e);
        replies = Map.of();
      }
      if (replies.isEmpty()) {
        // Nothing reached a threshold: wait for a taker, then send whatever is owed.
        parked = true;
        if (!closed) {
          LockSupport.parkNanos(this, park);
        }
        parked = false;
        // Idle passes one after another: wait longer, up to 5 ms; a taker wakes it anyway.
        park = eager ? Math.min(park * 2, 5_000_000) : LINGER_MICROS * 1000;
        eager = true;
      } else {
        eager = false;
        park = LINGER_MICROS * 1000;
      }
    }
  }

  /** Settles checkpoints and sends what is owed; the grants sent, by stream. */
  private Map<InStream, FlowReply.Builder> pass(boolean eager) {
    {
      node.settle();
      Map<InStream, FlowReply.Builder> replies = new HashMap<>();
      List<InboundChannel> channels = node.inboundChannels();
      for (InboundChannel c : channels) {
        if (c.stream() == null) {
          // Its sender's stream may have opened while the channel was being pointed elsewhere.
          node.reattach(c);
        }
        InboundChannel.Grant g = c.grant(eager);
        if (g != null) {
          replies.computeIfAbsent(g.stream(), s -> FlowReply.newBuilder()).addGrants(g.grant());
        } else if (c.retired && c.settled()) {
          node.drop(c);
        }
      }
      replies.forEach((stream, reply) -> stream.send(reply.build()));
      return replies;
    }
  }
}
