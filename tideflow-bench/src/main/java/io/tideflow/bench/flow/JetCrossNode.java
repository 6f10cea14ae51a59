package io.tideflow.bench.flow;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.AbstractProcessor;
import com.hazelcast.jet.core.DAG;
import com.hazelcast.jet.core.Edge;
import com.hazelcast.jet.core.Inbox;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.core.Vertex;
import io.tideflow.bench.endtoend.HazelcastBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The peer of {@link CrossNodeBench} on Hazelcast Jet 5.5: two members in two JVMs on loopback, a
 * source vertex emitting on the parent's member and a sink on the child's, joined by a distributed
 * edge that delivers every item to the child's member ({@link Edge#distributeTo}). The items are
 * the same 16-byte arrays carrying their send time; the sink records them as Tideflow's does. Tuned
 * as Jet's users tune it: cooperative processors at local parallelism 1, Jet's own batching and
 * receive-window flow control between members with their defaults, a source that fills its outbox.
 */
final class JetCrossNode {
  /** Held, so that the levels set on them stay while the loggers are in use. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  private static final Logger PARTITION_LOG = Logger.getLogger("com.hazelcast.internal.partition");

  private JetCrossNode() {}

  /** Hazelcast's INFO lines off: its warnings and errors only. */
  static void quietHazelcast() {
    HAZELCAST_LOG.setLevel(Level.WARNING);
    // A member of two leaving takes its data partitions with it; this harness keeps no data.
    PARTITION_LOG.setLevel(Level.SEVERE);
  }

  /**
   * 16-byte items, numbered and stamped, on the member that is not the sink's, flat out or at a
   * rate. Every member runs one; the one on the sink's member emits nothing.
   */
  static final class TimedP extends AbstractProcessor {
    private final int sinkPort;
    private final long rate;
    private boolean emits;
    private long started;
    private long sent;
    private byte[] pending;

    TimedP(int sinkPort, long rate) {
      this.sinkPort = sinkPort;
      this.rate = rate;
    }

    @Override
    protected void init(Context context) {
      emits =
          context.hazelcastInstance().getCluster().getLocalMember().getAddress().getPort()
              != sinkPort;
      started = System.nanoTime();
    }

    @Override
    public boolean isCooperative() {
      return true;
    }

    @Override
    public boolean complete() {
      if (!emits) {
        return true;
      }
      long due =
          rate > 0 ? (System.nanoTime() - started) * rate / 1_000_000_000L - sent : Long.MAX_VALUE;
      for (; due > 0 || pending != null; due--) {
        if (pending == null) {
          pending = new byte[16];
          ByteBuffer.wrap(pending).putLong(sent++).putLong(System.nanoTime());
        }
        if (!tryEmit(pending)) {
          return false;
        }
        pending = null;
      }
      return false;
    }
  }

  /** Records what arrives as {@link CrossNodeBench.Measure} does. */
  static final class MeasureP extends AbstractProcessor {
    @Override
    public boolean isCooperative() {
      return true;
    }

    @Override
    public void process(int ordinal, Inbox inbox) {
      for (Object item; (item = inbox.poll()) != null; ) {
        CrossNodeBench.Measure.record((byte[]) item);
      }
    }
  }

  static DAG dag(int sinkPort, long rate) throws UnknownHostException {
    DAG dag = new DAG();
    Vertex source = dag.newVertex("source", () -> new TimedP(sinkPort, rate)).localParallelism(1);
    Vertex sink = dag.newVertex("sink", MeasureP::new).localParallelism(1);
    dag.edge(
        Edge.between(source, sink)
            .distributeTo(new Address("127.0.0.1", sinkPort))
            .allToOne("sink"));
    return dag;
  }

  private static Config config(String cluster, int port, int other) {
    quietHazelcast();
    Config config = HazelcastBackend.memberConfig(cluster, port, List.of(port, other));
    config.getJetConfig().setEnabled(true);
    return config;
  }

  /**
   * One round: the sink's member in a child JVM, the source's here. Returns the child's figures:
   * messages per second, p50, p99.
   */
  static List<String> round(int warmup, int seconds, long rate) throws Exception {
    String cluster = "tideflow-cross-jet-" + UUID.randomUUID();
    int here = HazelcastBackend.freeLoopbackPort();
    int there = HazelcastBackend.freeLoopbackPort();
    List<String> command = CrossNodeBench.childCommand(true);
    command.addAll(
        List.of("--jet-member", cluster, "" + there, "" + here, "" + warmup, "" + seconds));
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    HazelcastInstance member = null;
    // The child's lines, read on a thread of their own so that a silent child times out.
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                      lines.add(line);
                    }
                  } catch (IOException e) {
                    lines.add("(its output failed: " + e + ")");
                  }
                  lines.add("(it ended)");
                });
    try (Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
      member = Hazelcast.newHazelcastInstance(config(cluster, here, there));
      String ready = lines.poll(60, TimeUnit.SECONDS);
      if (!"READY".equals(ready)) {
        throw new IllegalStateException("the sink's member said " + ready);
      }
      Job job = member.getJet().newJob(dag(there, rate));
      toChild.write("GO\n");
      toChild.flush();
      String result = lines.poll(warmup + seconds + 60L, TimeUnit.SECONDS);
      if (job.getStatus() == JobStatus.FAILED) {
        throw new IllegalStateException("the Jet job failed", failure(job));
      }
      job.cancel();
      try {
        job.getFuture().get(30, TimeUnit.SECONDS);
      } catch (CancellationException | ExecutionException e) {
        // The job ends by being cancelled: that is the expected way out.
      }
      // The sink's member leaves only once the job is over, so that neither waits on the other.
      toChild.write("STOP\n");
      toChild.flush();
      child.waitFor(30, TimeUnit.SECONDS);
      if (result == null || !result.startsWith("RESULT ")) {
        throw new IllegalStateException("the sink's member said " + result);
      }
      return List.of(result.substring("RESULT ".length()).split("\\|"));
    } finally {
      if (member != null) {
        member.shutdown();
      }
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  private static Throwable failure(Job job) {
    try {
      job.getFuture().get(10, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  /**
   * The child: joins the sink's member, says READY once both are in, measures after GO, leaves at
   * STOP. Whatever goes wrong, it ends this JVM, whose Hazelcast threads would keep it alive.
   */
  static void member(String cluster, int port, int other, int warmup, int seconds) {
    HazelcastInstance member = null;
    int status = 1;
    try {
      Config config = config(cluster, port, other);
      CountDownLatch joined = new CountDownLatch(1);
      config.addListenerConfig(
          new ListenerConfig(
              new MembershipAdapter() {
                @Override
                public void memberAdded(MembershipEvent event) {
                  joined.countDown();
                }
              }));
      member = Hazelcast.newHazelcastInstance(config);
      if (member.getCluster().getMembers().size() < 2 && !joined.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the source's member did not join within 30 s");
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String go = in.readLine();
      if (!"GO".equals(go)) {
        throw new IllegalStateException("expected GO, got " + go);
      }
      System.out.println("RESULT " + CrossNodeBench.Measure.measure(warmup, seconds));
      System.out.flush();
      in.readLine();
      status = 0;
    } catch (Exception e) {
      e.printStackTrace();
    } finally {
      if (member != null) {
        member.getLifecycleService().terminate();
      }
      System.exit(status);
    }
  }
}
