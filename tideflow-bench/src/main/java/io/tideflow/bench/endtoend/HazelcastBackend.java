package io.tideflow.bench.endtoend;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.spi.properties.ClusterProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Hazelcast peer: two embedded members in this JVM, tasks sent with {@link
 * IExecutorService#submitToMember(java.util.concurrent.Callable, Member, ExecutionCallback)}, set
 * up as a Hazelcast user tuning for this would:
 *
 * <ul>
 *   <li>the task is an {@link HazelcastNoopTask} ({@code IdentifiedDataSerializable}, factory
 *       registered on both members);
 *   <li>an executor of {@value #POOL_SIZE} threads per member (the machine's cores), statistics
 *       off;
 *   <li>the callback API, not {@code Future}: the {@code Future}-returning {@code submitToMember}
 *       blocks the caller on every 100th quick submission ({@code ExecutorServiceProxy.checkSync},
 *       hazelcast#9117), the callback one never does;
 *   <li>discovery off (no multicast, no auto-detection), TCP-IP join over 127.0.0.1 only, bound to
 *       loopback, phone-home off, a cluster name of its own, Hazelcast's logging at WARNING.
 * </ul>
 *
 * <p>Hazelcast completes its callbacks with {@code whenCompleteAsync} on {@code
 * ForkJoinPool.commonPool()} when that pool has a parallelism above 1, and otherwise starts a new
 * thread per callback. On a 2-core machine the default parallelism is 1, so the JVM must run with
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} (without it this backend made
 * 383 tasks/s on the 2-core build machine, against ~230,000 with it); {@link #commonPoolWarning()}
 * says when it does not. The futures {@link #submitNoop()} returns complete on that pool.
 */
public final class HazelcastBackend implements TaskBackend {

  /** Executor threads per member: the cores of the machine the figures are taken on. */
  public static final int POOL_SIZE = 2;

  static final String EXECUTOR_NAME = "tideflow-bench-noop";

  /** Held so the level set on it is not lost when the logger is collected. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  /**
   * Which member sends each task to which. Every route but {@link #ROUND_ROBIN} crosses members.
   */
  public enum Route {
    /** Member A submits every task to member B: one client, one worker. */
    A_TO_B,
    /** Alternately A to B and B to A: every task crosses, both members send and run. */
    CROSS,
    /**
     * A submits to A and B in turn: half the tasks stay in A (not like-for-like; for reference).
     */
    ROUND_ROBIN
  }

  private final Route route;
  private final List<HazelcastInstance> members;
  private final IExecutorService[] senders;
  private final Member[] targets;
  private final AtomicInteger next = new AtomicInteger();

  /** Starts two members on free loopback ports and waits until they form one cluster. */
  public HazelcastBackend(Route route) {
    this.route = route;
    HAZELCAST_LOG.setLevel(Level.WARNING);
    int portA = freeLoopbackPort();
    int portB = freeLoopbackPort();
    String cluster = "tideflow-bench-" + UUID.randomUUID();
    List<HazelcastInstance> started = new ArrayList<>(2);
    try {
      // A knows only itself, so it becomes master at once instead of probing B's port until the
      // join times out; B then joins A.
      started.add(Hazelcast.newHazelcastInstance(memberConfig(cluster, portA, List.of(portA))));
      started.add(
          Hazelcast.newHazelcastInstance(memberConfig(cluster, portB, List.of(portA, portB))));
      int size = started.get(0).getCluster().getMembers().size();
      if (size != 2) {
        throw new IllegalStateException(
            "Hazelcast members did not form one cluster: member A sees " + size + " member(s)");
      }
    } catch (RuntimeException e) {
      started.forEach(HazelcastInstance::shutdown);
      throw e;
    }
    this.members = List.copyOf(started);
    HazelcastInstance a = members.get(0);
    HazelcastInstance b = members.get(1);
    Member memberA = a.getCluster().getLocalMember();
    Member memberB = b.getCluster().getLocalMember();
    IExecutorService fromA = a.getExecutorService(EXECUTOR_NAME);
    IExecutorService fromB = b.getExecutorService(EXECUTOR_NAME);
    switch (route) {
      case A_TO_B -> {
        senders = new IExecutorService[] {fromA};
        targets = new Member[] {memberB};
      }
      case CROSS -> {
        senders = new IExecutorService[] {fromA, fromB};
        targets = new Member[] {memberB, memberA};
      }
      case ROUND_ROBIN -> {
        senders = new IExecutorService[] {fromA, fromA};
        targets = new Member[] {memberB, memberA};
      }
      default -> throw new IllegalArgumentException("unknown route " + route);
    }
  }

  @Override
  public String name() {
    return "hazelcast";
  }

  /** The route tasks take between the two members. */
  public Route route() {
    return route;
  }

  @Override
  public CompletableFuture<?> submitNoop() {
    int i = senders.length == 1 ? 0 : (next.getAndIncrement() & Integer.MAX_VALUE) % senders.length;
    CompletableFuture<Object> result = new CompletableFuture<>();
    senders[i].submitToMember(HazelcastNoopTask.INSTANCE, targets[i], new Completion(result));
    return result;
  }

  @Override
  public void close() {
    // Shut down B first so A does not spend time re-partitioning towards a leaving member.
    for (int i = members.size() - 1; i >= 0; i--) {
      members.get(i).shutdown();
    }
  }

  /**
   * A warning when the common pool cannot carry Hazelcast's callbacks (parallelism below 2), or
   * {@code null} when it can. Reading the parallelism initialises the common pool, so call this
   * only after the JVM's flags had their chance.
   */
  public static String commonPoolWarning() {
    int parallelism = ForkJoinPool.getCommonPoolParallelism();
    if (parallelism >= 2) {
      return null;
    }
    return "ForkJoinPool.commonPool() parallelism is "
        + parallelism
        + ": Hazelcast will start a thread per async callback and run at a fraction of its speed."
        + " Start the JVM with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2.";
  }

  /**
   * A member bound to loopback only, joining the members on {@code joinPorts}; reused by the cache
   * benchmark.
   */
  public static Config memberConfig(String cluster, int port, List<Integer> joinPorts) {
    Config config = new Config();
    config.setClusterName(cluster);
    config.setInstanceName(cluster + "-" + port);
    config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
    config.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "jdk");
    config.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");
    // Two members on loopback need no settling time before joining; the default waits 5 s.
    config.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "0");
    config.setProperty(ClusterProperty.SHUTDOWNHOOK_ENABLED.getName(), "false");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    List<String> members = joinPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    join.getTcpIpConfig().setEnabled(true).setMembers(members);

    config.addExecutorConfig(
        new ExecutorConfig(EXECUTOR_NAME).setPoolSize(POOL_SIZE).setStatisticsEnabled(false));
    config
        .getSerializationConfig()
        .addDataSerializableFactory(HazelcastNoopTask.FACTORY_ID, new HazelcastNoopTask.Factory());
    return config;
  }

  /**
   * A port free on loopback right now. Another process may take it before Hazelcast binds it; the
   * member then fails to start with a clear bind error, which is rare enough for a benchmark.
   */
  /** A port nothing listens on now. */
  public static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for a Hazelcast member", e);
    }
  }

  /** Bridges Hazelcast's callback to the future the harness holds. */
  private static final class Completion implements ExecutionCallback<Object> {
    private final CompletableFuture<Object> result;

    Completion(CompletableFuture<Object> result) {
      this.result = result;
    }

    @Override
    public void onResponse(Object response) {
      result.complete(response);
    }

    @Override
    public void onFailure(Throwable t) {
      result.completeExceptionally(t);
    }
  }
}
