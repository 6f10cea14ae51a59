package io.tideflow.runtime.flow;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Channel;
import io.tideflow.runtime.flow.proto.ChannelBatch;
import io.tideflow.runtime.flow.proto.FlowMessage;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Carries every channel from this node's instances to instances on other nodes: one virtual thread
 * that takes what the instances wrote, numbers it, keeps it for replay ({@link RemoteOut}) and
 * sends it in batches on one stream per receiving node ({@link OutStream}), as the receiver's
 * credits allow. A frame is sent when it passes {@value #FRAME_BYTES} bytes or when the pump has
 * gone once round every channel, so a lone message is not held back, and under load each frame
 * carries what piled up while the previous one was written. A stream that breaks is opened again
 * after {@value #REOPEN_MILLIS} ms and every channel on it sends again from its first message not
 * acknowledged.
 */
final class SendPump extends Party implements Runnable {
  private static final Logger LOG = System.getLogger(SendPump.class.getName());
  static final int FRAME_BYTES = 256 * 1024;
  static final int BATCH_MESSAGES = 512;
  static final long REOPEN_MILLIS = 200;

  private final String self;
  private final Function<String, Channel> channels;
  private final CopyOnWriteArrayList<RemoteOut> outs = new CopyOnWriteArrayList<>();
  private final Map<ChannelKey, RemoteOut> byKey = new ConcurrentHashMap<>();
  private final Map<String, OutStream> streams = new ConcurrentHashMap<>();
  private final Map<String, Long> reopenAt = new ConcurrentHashMap<>();
  // Where settled channels of stopped executions left off, by key, at most FlowNode.DROPPED_KEPT.
  private final Map<ChannelKey, Long> leftOff =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ChannelKey, Long> eldest) {
              return size() > FlowNode.DROPPED_KEPT;
            }
          });
  private final Runnable onAck;
  private final int maxBatch;
  private volatile boolean closed;

  /**
   * @param onAck run when an acknowledgement arrives, so that what it makes safe upstream is
   *     acknowledged in turn
   */
  SendPump(String self, Function<String, Channel> channels, Runnable onAck, int maxBatch) {
    if (maxBatch < 1 || maxBatch > BATCH_MESSAGES) {
      throw new IllegalArgumentException(
          "maxBatch must be in [1, " + BATCH_MESSAGES + "], was " + maxBatch);
    }
    this.maxBatch = maxBatch;
    this.self = self;
    this.channels = channels;
    this.onAck = onAck;
    this.thread = Thread.ofVirtual().name("flow-send-" + self).unstarted(this);
  }

  void start() {
    thread.start();
  }

  /**
   * Starts sending {@code out}; from where the same channel left off when a stopped execution here
   * had it settled, so that its receiver, which did not move, goes on with its numbers.
   */
  void add(RemoteOut out) {
    Long from = leftOff.remove(out.key);
    if (from != null) {
      out.startAt(from);
    }
    byKey.put(out.key, out);
    outs.add(out);
    wake();
  }

  /** Sends {@code flow}'s channels to {@code receiver} of connection {@code c} to {@code node}. */
  void retarget(String flow, long generation, int connection, int receiver, String node) {
    for (RemoteOut o : outs) {
      if (o.key.of(flow, generation)
          && o.key.connection() == connection
          && o.key.receiver() == receiver) {
        o.target = node;
      }
    }
    wake();
  }

  /** Drops every channel of {@code execution}. */
  void remove(FlowExecution execution) {
    for (RemoteOut o : outs) {
      long at = o.execution == execution ? o.settledAt() : -1;
      if (at >= 0) {
        leftOff.put(o.key, at);
      }
    }
    outs.removeIf(o -> o.execution == execution);
    byKey.values().removeIf(o -> o.execution == execution);
  }

  /** Streams to other nodes open now. */
  int openStreams() {
    int n = 0;
    for (OutStream s : streams.values()) {
      if (!s.broken()) {
        n++;
      }
    }
    return n;
  }

  /** Messages kept for replay, as seen now (read without the pump's ownership: approximate). */
  long unacked() {
    long n = 0;
    for (RemoteOut o : outs) {
      n += Math.max(0, o.nextSeq - o.ackedUntil);
    }
    return n;
  }

  void acknowledged(ChannelKey key, long ackedUntil, long duplicates, boolean ended) {
    RemoteOut o = byKey.get(key);
    if (o != null) {
      if (ended) {
        o.endAcked = true;
      }
      if (ackedUntil > o.ackedUntil) {
        o.ackedUntil = ackedUntil;
      }
      o.duplicates = Math.max(o.duplicates, duplicates);
      onAck.run();
    }
  }

  @Override
  boolean stopping() {
    return closed;
  }

  /** Stops the pump, cancels its streams and waits up to 5 s for its thread to end. */
  void close() throws InterruptedException {
    closed = true;
    LockSupport.unpark(thread);
    streams.values().forEach(OutStream::cancel);
    if (thread.isAlive() && !thread.join(CLOSE_WAIT)) {
      LOG.log(Level.WARNING, "flow send pump of {0} did not end within {1}", self, CLOSE_WAIT);
    }
  }

  /** Whether the stream to {@code node} is open and not broken. */
  boolean streamOpen(String node) {
    OutStream s = streams.get(node);
    return s != null && !s.broken();
  }

  /** The nodes this node holds a stream to (open, or broken and not yet forgotten). */
  java.util.Set<String> streamTargets() {
    return java.util.Set.copyOf(streams.keySet());
  }

  /**
   * Forgets broken streams, also those to nodes nothing is sent to any more (a node that died after
   * its channels moved elsewhere), and reopening times that have passed.
   */
  private void prune(long now) {
    streams.forEach(
        (node, s) -> {
          if (s.broken()) {
            forget(node, s, now);
          }
        });
    reopenAt.values().removeIf(at -> at <= now);
  }

  private void forget(String node, OutStream s, long now) {
    if (streams.remove(node, s)) {
      reopenAt.put(node, now + REOPEN_MILLIS);
      LOG.log(Level.INFO, "flow stream from {0} to {1} broke: {2}", self, node, s.failure());
    }
  }

  @Override
  public void run() {
    long park = MIN_PARK_NANOS;
    int idle = 0;
    long prunedAt = 0;
    while (!closed) {
      boolean worked = false;
      try {
        for (RemoteOut o : outs) {
          worked |= pump(o);
        }
        for (OutStream s : streams.values()) {
          s.flush();
        }
        long now = System.currentTimeMillis();
        if (now - prunedAt >= REOPEN_MILLIS) {
          prune(now);
          prunedAt = now;
        }
      } catch (RuntimeException e) {
        // A stream that fails under us is reopened by the next pass; others carry on.
        LOG.log(Level.WARNING, "flow send pass failed: " + e);
      }
      if (worked) {
        idle = 0;
        park = MIN_PARK_NANOS;
      } else {
        park = pause(idle++, park, () -> true);
      }
    }
  }

  private boolean pump(RemoteOut o) {
    if (o.finished) {
      return false;
    }
    o.trim();
    OutStream s = stream(o.target);
    if (s == null) {
      return false;
    }
    if (o.stream != s) {
      o.resend(s);
    }
    boolean ended = o.link.ended;
    int taken = o.take(BATCH_MESSAGES);
    if (!s.ready()) {
      return taken > 0;
    }
    long credits = s.credits(o.key);
    int allowed = (int) Math.min(Math.min(credits, o.nextSeq - o.sendFrom), maxBatch);
    // A batch stops at FRAME_BYTES (its first message always goes): with payloads of at most
    // 1 MiB a frame stays well under the receiver's 4 MiB message limit.
    int n = 0;
    int bytes = 32;
    ChannelBatch.Builder batch = null;
    while (n < allowed) {
      Message m = o.at(o.sendFrom + n);
      int size = m.payload().length + 12;
      if (n > 0 && bytes + size > FRAME_BYTES) {
        break;
      }
      if (batch == null) {
        batch = ChannelBatch.newBuilder().setChannel(o.id).setFirstSeq(o.sendFrom);
      }
      batch.addMessages(
          FlowMessage.newBuilder()
              .setKey(m.key())
              .setPayload(UnsafeByteOperations.unsafeWrap(m.payload())));
      bytes += size;
      n++;
    }
    boolean end = ended && o.link.channel.size() == 0 && o.sendFrom + n == o.nextSeq && !o.endSent;
    if (n > 0 || end || o.announce) {
      o.announce = false;
      if (batch == null) {
        batch = ChannelBatch.newBuilder().setChannel(o.id).setFirstSeq(o.sendFrom);
      }
      if (s.frameBytes > 0 && s.frameBytes + bytes > FRAME_BYTES) {
        s.flush();
      }
      batch.setEnd(end);
      o.sendFrom += n;
      // What waits for credit: none when the credit is not what holds it (room in the replay
      // ring, or the instance, is), so that the receiver widens its window only where that helps.
      batch.setBacklog(n < credits ? 0 : o.nextSeq - o.sendFrom + o.link.channel.size());
      o.endSent |= end;
      s.sent(o.key, n);
      s.frame.addBatches(batch);
      s.frameBytes += bytes;
      s.frameMessages += n;
      if (s.frameBytes >= FRAME_BYTES || s.frameMessages >= maxBatch) {
        s.flush();
      }
    }
    if (o.endSent && o.endAcked && o.unacked() == 0) {
      o.finished = true;
      outs.remove(o);
      byKey.remove(o.key, o);
      o.execution.remoteFinished();
    }
    return taken > 0 || n > 0 || end;
  }

  /** The open stream to {@code node}, opened if need be; null while it may not be reopened yet. */
  private OutStream stream(String node) {
    OutStream s = streams.get(node);
    if (s != null && !s.broken()) {
      return s;
    }
    long now = System.currentTimeMillis();
    if (s != null) {
      forget(node, s, now);
    }
    if (reopenAt.getOrDefault(node, 0L) > now) {
      return null;
    }
    OutStream fresh = new OutStream(node, this);
    try {
      fresh.open(channels.apply(node), self);
    } catch (RuntimeException e) {
      // No address for the node yet, or its channel could not be made: try again shortly.
      LOG.log(Level.INFO, "no flow stream from {0} to {1} yet: {2}", self, node, e.toString());
      reopenAt.put(node, now + REOPEN_MILLIS);
      return null;
    }
    streams.put(node, fresh);
    return fresh;
  }
}
