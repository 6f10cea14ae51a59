package io.tideflow.bench.flow;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.AbstractProcessor;
import com.hazelcast.jet.core.DAG;
import com.hazelcast.jet.core.Edge;
import com.hazelcast.jet.core.Inbox;
import com.hazelcast.jet.core.Vertex;
import com.hazelcast.jet.core.processor.Processors;
import io.tideflow.bench.endtoend.HazelcastBackend;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The peer of {@link FlowBench}: the same lines of processes on Hazelcast Jet (bundled in Hazelcast
 * 5.5), one embedded member with Jet enabled. Built with Jet's core DAG API, one vertex per process
 * at local parallelism 1, so that Jet runs one processor per process as Tideflow does (the pipeline
 * API would fuse the pass stages into one processor). Tuned as Jet's users tune it: cooperative
 * processors, the default 1,024-item queues between them, as many cooperative threads as cores, a
 * source that fills its outbox until it is full and an 8-byte array per item, as Tideflow's source
 * sends.
 */
final class JetPipelines {
  private static final LongAdder RECEIVED = new LongAdder();

  private JetPipelines() {}

  /** Emits numbered 8-byte items until its outbox is full, turn after turn, never ending. */
  static final class SequenceP extends AbstractProcessor {
    private long next;
    private byte[] pending;

    @Override
    public boolean isCooperative() {
      return true;
    }

    @Override
    public boolean complete() {
      while (true) {
        if (pending == null) {
          pending = new byte[8];
          ByteBuffer.wrap(pending).putLong(next++);
        }
        if (!tryEmit(pending)) {
          return false;
        }
        pending = null;
      }
    }
  }

  /** Counts what arrives. */
  static final class CountP extends AbstractProcessor {
    @Override
    public void process(int ordinal, Inbox inbox) {
      RECEIVED.add(inbox.size());
      inbox.clear();
    }
  }

  static DAG chain(int stages) {
    DAG dag = new DAG();
    Vertex previous = dag.newVertex("s0", SequenceP::new).localParallelism(1);
    for (int i = 1; i < stages - 1; i++) {
      Vertex pass = dag.newVertex("s" + i, Processors.mapP(x -> x)).localParallelism(1);
      dag.edge(Edge.between(previous, pass));
      previous = pass;
    }
    Vertex sink = dag.newVertex("s" + (stages - 1), CountP::new).localParallelism(1);
    dag.edge(Edge.between(previous, sink));
    return dag;
  }

  static double round(int stages, FlowBench.Options o) throws Exception {
    JetCrossNode.quietHazelcast();
    String cluster = "tideflow-flow-bench-" + UUID.randomUUID();
    int port = HazelcastBackend.freeLoopbackPort();
    Config config = HazelcastBackend.memberConfig(cluster, port, List.of(port));
    config.getJetConfig().setEnabled(true);
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    try {
      Job job = member.getJet().newJob(chain(stages));
      Thread.sleep(o.warmupSeconds() * 1000L);
      long r0 = RECEIVED.sum();
      long t0 = System.nanoTime();
      Thread.sleep(o.seconds() * 1000L);
      long r1 = RECEIVED.sum();
      long t1 = System.nanoTime();
      job.cancel();
      try {
        job.getFuture().get(10, TimeUnit.SECONDS);
      } catch (CancellationException | ExecutionException e) {
        // The job ends by being cancelled: that is the expected way out.
      }
      return (r1 - r0) / ((t1 - t0) / 1e9);
    } finally {
      member.shutdown();
    }
  }
}
