package io.tideflow.runtime.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.autoscale.DecisionRecord;
import io.tideflow.core.autoscale.HpaBehavior;
import io.tideflow.core.autoscale.PoolLimits;
import io.tideflow.core.autoscale.ScaleRequest;
import io.tideflow.core.model.NodeInfo;
import io.tideflow.core.model.NodeState;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.autoscale.DecisionLogs;
import io.tideflow.runtime.autoscale.PoolConfig;
import io.tideflow.runtime.autoscale.ScaleRequests;
import io.tideflow.runtime.coordinator.Coordinator;
import io.tideflow.runtime.membership.ClusterKeys;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.runtime.provider.InProcessNodeProvider;
import io.tideflow.runtime.provider.LaunchResult;
import io.tideflow.runtime.provider.NodeProvider;
import io.tideflow.runtime.provider.NodeTemplate;
import io.tideflow.runtime.provider.ProvidedNode;
import io.tideflow.runtime.provider.ProviderHealth;
import io.tideflow.runtime.task.TaskHandlers;
import io.tideflow.store.KeyValue;
import io.tideflow.store.ManualClock;
import io.tideflow.store.memory.MemoryClusterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pool runs only while its coordinator leads, on the memory store and a clock the test moves. */
class PoolSupervisorTest {
  private static final Duration TTL = Duration.ofSeconds(2);

  private final ManualClock clock = new ManualClock();
  private final MemoryClusterStore store = new MemoryClusterStore(clock);
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final ClusterWatcher watcher = ClusterWatcher.start(store, Duration.ofSeconds(5));
  private final List<AutoCloseable> closing = new ArrayList<>();

  /** Every in-process provider the pools built, oldest first. */
  private final List<InProcessNodeProvider> built = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    watcher.close();
    store.close();
  }

  private PoolSpec spec(int min) {
    return spec(
        min,
        (s, uri, m) -> {
          InProcessNodeProvider p = new InProcessNodeProvider(s, TaskHandlers.builtins(), m);
          built.add(p);
          return p;
        });
  }

  private PoolSpec spec(int min, ProviderFactory inProcess) {
    NodeTemplate template =
        new NodeTemplate(
            "web", Resources.of(1000, 1L << 30), Map.of(PoolConfig.POOL_LABEL, "web"), TTL);
    return new PoolSpec(
        "web",
        template,
        List.of(inProcess),
        List.of(new PolicySpec.PendingDemand()),
        new PoolLimits(min, 4, Duration.ZERO, Duration.ZERO, 2.0),
        Duration.ofMillis(100),
        Duration.ofMinutes(1),
        Duration.ofSeconds(5),
        100,
        0,
        Duration.ofSeconds(2));
  }

  private Coordinator coordinator(String id) {
    Coordinator c = Coordinator.start(id, store, TTL, Duration.ofSeconds(5), metrics);
    closing.add(c);
    return c;
  }

  private PoolSupervisor supervise(Coordinator coordinator, int min) {
    PoolSupervisor p = PoolSupervisor.attach(spec(min), coordinator, store, null, metrics, clock);
    closing.add(p);
    return p;
  }

  private List<NodeInfo> readyPoolNodes() {
    return watcher.view().nodes().stream()
        .filter(
            n ->
                n.state() == NodeState.READY && "web".equals(n.labels().get(PoolConfig.POOL_LABEL)))
        .toList();
  }

  /** Ends the coordinator's leadership as a cut-off leader loses it: its lease expires. */
  private void expireLeadershipLease() throws Exception {
    String prefix = "election/" + ClusterKeys.COORDINATOR_ELECTION + "/";
    List<KeyValue> candidates = store.list(prefix).get().kvs();
    assertThat(candidates).hasSize(1);
    long leaseId = Long.parseLong(candidates.getFirst().key().substring(prefix.length()), 16);
    store.suspendKeepAlive(leaseId);
    clock.advance(TTL.plusMillis(1));
    store.expireDueLeases();
  }

  @Test
  void aLeadingCoordinatorsPoolStartsItsNodesAndPublishesWhatItDecided() throws Exception {
    Coordinator leader = coordinator("c1");
    await().until(leader::isLeader);
    PoolSupervisor pool = supervise(leader, 2);

    await().until(() -> readyPoolNodes().size() == 2);
    assertThat(pool.running()).isTrue();
    assertThat(pool.decisions())
        .isNotEmpty()
        .allMatch(d -> d.pool().equals("web"))
        .anyMatch(d -> d.reason().contains("raised to min 2"));
    assertThat(pool.providerHealth()).contains("in-process: healthy");
    await().until(() -> store.get(ClusterKeys.autoscaler("web")).get().isPresent());
    byte[] log = store.get(ClusterKeys.autoscaler("web")).get().orElseThrow().value();
    assertThat(DecisionLogs.decode(log))
        .extracting(DecisionRecord::policy)
        .contains("pending-demand");
  }

  @Test
  void thePoolsMetersSayItsSizeBoundsDecisionsAndProvidersAndNaNOnAStandby() throws Exception {
    Coordinator standby = coordinator("c0");
    await().until(standby::isLeader);
    Coordinator other = coordinator("c1");
    PoolSupervisor waiting = supervise(other, 2);
    // c1 does not lead: its pool's size is unknown here rather than zero.
    assertThat(metrics.get("tideflow.pool.nodes").tag("pool", "web").gauge().value()).isNaN();
    assertThat(metrics.get("tideflow.pool.at.max").tag("pool", "web").gauge().value()).isNaN();
    waiting.close();
    closing.remove(waiting);
    assertThat(metrics.find("tideflow.pool.nodes").gauges()).as("removed on close").isEmpty();

    PoolSupervisor pool = supervise(standby, 2);
    await().until(() -> readyPoolNodes().size() == 2);
    await()
        .untilAsserted(
            () -> {
              assertThat(metrics.get("tideflow.pool.nodes").tag("pool", "web").gauge().value())
                  .isEqualTo(2);
              assertThat(
                      metrics.get("tideflow.pool.nodes.desired").tag("pool", "web").gauge().value())
                  .isEqualTo(2);
            });
    assertThat(metrics.get("tideflow.pool.nodes.min").tag("pool", "web").gauge().value())
        .isEqualTo(2);
    assertThat(metrics.get("tideflow.pool.nodes.max").tag("pool", "web").gauge().value())
        .isEqualTo(4);
    assertThat(metrics.get("tideflow.pool.at.max").tag("pool", "web").gauge().value()).isZero();
    assertThat(metrics.get("tideflow.pool.waiting.tasks").tag("pool", "web").gauge().value())
        .isZero();
    assertThat(
            metrics
                .get("tideflow.pool.provider.healthy")
                .tags("pool", "web", "provider", "in-process")
                .gauge()
                .value())
        .isEqualTo(1);
    assertThat(
            metrics
                .get("tideflow.pool.decisions")
                .tags("pool", "web", "direction", "up")
                .counters())
        .as("the decisions that raised it to its floor")
        .isNotEmpty();
    assertThat(pool.running()).isTrue();
  }

  @Test
  void anOperatorsScaleRequestHoldsThePoolAtItsSizeUntilItIsCleared() throws Exception {
    Coordinator leader = coordinator("c1");
    await().until(leader::isLeader);
    PoolSupervisor pool = supervise(leader, 1);
    await().until(() -> readyPoolNodes().size() == 1);

    ScaleRequest three = new ScaleRequest(3, 0, clock.instant(), Duration.ofMinutes(10), "ops");
    store.put(ClusterKeys.scale("web"), ScaleRequests.encode(three), 0).get();
    await().until(() -> readyPoolNodes().size() == 3);
    assertThat(pool.decisions())
        .anyMatch(
            d ->
                d.policy().equals("scale-request")
                    && d.desired() == 3
                    && d.reason().startsWith("scale request by ops: to 3"));

    store.delete(ClusterKeys.scale("web")).get();
    await()
        .until(
            () ->
                !pool.decisions().isEmpty()
                    && !pool.decisions().getLast().policy().equals("scale-request"));
  }

  @Test
  void losingLeadershipStopsTheDecidingButNotTheNodesAndLeadingAgainTakesThemUp() throws Exception {
    Coordinator leader = coordinator("c1");
    PoolSupervisor pool = supervise(leader, 1);
    await().until(() -> readyPoolNodes().size() == 1);
    long firstToken = leader.fencingToken();

    List<Boolean> leadership = new CopyOnWriteArrayList<>();
    leader.onLeadershipChange(leadership::add);
    expireLeadershipLease();
    String node = readyPoolNodes().getFirst().id();
    // It stands again at once and wins with a newer token; in between, the pool stopped deciding
    // while its node kept serving, and the pool took that node up again.
    await().until(() -> leadership.equals(List.of(false, true)));
    assertThat(leader.fencingToken()).isGreaterThan(firstToken);
    await().until(pool::running);
    assertThat(built).as("the same provider, with the nodes it held").singleElement();
    assertThat(built.getFirst().nodes()).extracting(ProvidedNode::nodeId).containsExactly(node);
    assertThat(readyPoolNodes()).extracting(NodeInfo::id).containsExactly(node);
  }

  @Test
  void aClosedCoordinatorsPoolStopsDecidingAndClosingThePoolStopsItsNodes() {
    Coordinator leader = coordinator("c1");
    PoolSupervisor pool = supervise(leader, 2);
    await().until(() -> readyPoolNodes().size() == 2);

    leader.close();
    await().until(() -> !pool.running());
    assertThat(pool.decisions()).isEmpty();
    assertThat(readyPoolNodes()).as("nodes outlive the leadership").hasSize(2);

    pool.close();
    await().until(() -> readyPoolNodes().isEmpty());
    assertThat(built).singleElement().satisfies(p -> assertThat(p.nodes()).isEmpty());
  }

  /** Forwards to an in-process provider and records whether the pool closed it or let it go. */
  private static final class Recording implements NodeProvider {
    final InProcessNodeProvider delegate;
    volatile boolean released;
    volatile boolean closed;

    Recording(InProcessNodeProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public CompletableFuture<LaunchResult> launch(NodeTemplate t, int count, String requestId) {
      return delegate.launch(t, count, requestId);
    }

    @Override
    public CompletableFuture<Void> terminate(Collection<String> nodeIds, String requestId) {
      return delegate.terminate(nodeIds, requestId);
    }

    @Override
    public List<ProvidedNode> nodes() {
      return delegate.nodes();
    }

    @Override
    public ProviderHealth health() {
      return delegate.health();
    }

    @Override
    public void release() {
      released = true;
      delegate.close(); // in-process nodes cannot outlive their provider
    }

    @Override
    public void close() {
      closed = true;
      delegate.close();
    }
  }

  private PoolSupervisor superviseRecorded(Coordinator c, List<Recording> into) {
    PoolSupervisor p =
        PoolSupervisor.attach(
            spec(
                1,
                (s, uri, m) -> {
                  Recording r =
                      new Recording(new InProcessNodeProvider(s, TaskHandlers.builtins(), m));
                  into.add(r);
                  return r;
                }),
            c,
            store,
            null,
            metrics,
            clock);
    closing.add(p);
    return p;
  }

  @Test
  void aLeadersPoolStopsItsNodesWhenClosedAndADeposedOnesLetsThemGoForTheNextLeader() {
    List<Recording> leading = new CopyOnWriteArrayList<>();
    Coordinator c1 = coordinator("c1");
    await().until(c1::isLeader);
    PoolSupervisor pool1 = superviseRecorded(c1, leading);
    await().until(() -> readyPoolNodes().size() == 1);
    pool1.close();
    assertThat(leading).singleElement().satisfies(r -> assertThat(r.closed).isTrue());
    assertThat(leading.getFirst().released).isFalse();

    List<Recording> deposed = new CopyOnWriteArrayList<>();
    PoolSupervisor pool2 = superviseRecorded(c1, deposed);
    await().until(() -> deposed.size() == 1 && readyPoolNodes().size() == 1);
    Coordinator c2 = coordinator("c2");
    c1.close();
    await().until(c2::isLeader);
    pool2.close();
    assertThat(deposed.getFirst().released).as("let go: the leader adopts what it can").isTrue();
    assertThat(deposed.getFirst().closed).isFalse();
  }

  @Test
  void aStandbysPoolHoldsNoNodeUntilItsCoordinatorTakesOver() throws Exception {
    Coordinator first = coordinator("c1");
    await().until(first::isLeader);
    Coordinator second = coordinator("c2");
    PoolSupervisor leading = supervise(first, 1);
    PoolSupervisor standby = supervise(second, 1);
    await().until(() -> readyPoolNodes().size() == 1);
    assertThat(standby.running()).isFalse();
    assertThat(standby.decisions()).isEmpty();
    assertThat(standby.providerHealth()).isEmpty();
    assertThat(built).as("only the leader built a provider").hasSize(1);

    leading.close();
    first.close();
    await().until(second::isLeader);
    await().until(() -> standby.running() && readyPoolNodes().size() == 1);
    assertThat(built).hasSize(2);
    assertThat(built.getFirst().nodes()).isEmpty();
    assertThat(built.getLast().nodes()).hasSize(1);
  }

  @Test
  void aSpecNamesTheFieldThatIsWrong() {
    PoolSpec good = spec(1);
    assertThatThrownBy(
            () ->
                new PoolSpec(
                    "web",
                    good.template(),
                    List.of(),
                    good.policies(),
                    good.limits(),
                    good.interval(),
                    good.window(),
                    good.drainTimeout(),
                    10,
                    0,
                    good.demandSettle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("providers");
    assertThatThrownBy(
            () ->
                new PoolSpec(
                    "web",
                    good.template(),
                    good.providers(),
                    good.policies(),
                    good.limits(),
                    good.interval(),
                    good.window(),
                    good.drainTimeout(),
                    10,
                    -1,
                    good.demandSettle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warm must be >= 0, was -1");
    assertThatThrownBy(
            () ->
                new PoolSpec(
                    "api",
                    good.template(),
                    good.providers(),
                    good.policies(),
                    good.limits(),
                    good.interval(),
                    good.window(),
                    good.drainTimeout(),
                    10,
                    0,
                    good.demandSettle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PoolConfig.POOL_LABEL);
    assertThatThrownBy(
            () ->
                new PoolSpec(
                    "web",
                    good.template(),
                    good.providers(),
                    good.policies(),
                    good.limits(),
                    good.interval(),
                    good.window(),
                    Duration.ZERO,
                    10,
                    0,
                    good.demandSettle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("drainTimeout must be >= 1 ms, was PT0S");
    assertThatThrownBy(
            () -> new PolicySpec.TargetTracking("concurrency", 0, 0.1, HpaBehavior.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target must be > 0, was 0.0");
    HpaBehavior slowDown =
        HpaBehavior.defaults()
            .withScaleDown(
                new HpaBehavior.Rules(
                    Duration.ofMinutes(20),
                    HpaBehavior.defaults().scaleDown().limits(),
                    HpaBehavior.defaults().scaleDown().select()));
    assertThatThrownBy(
            () ->
                new PoolSpec(
                    "web",
                    good.template(),
                    good.providers(),
                    List.of(new PolicySpec.TargetTracking("concurrency", 8, 0.1, slowDown)),
                    good.limits(),
                    good.interval(),
                    Duration.ofMinutes(10),
                    good.drainTimeout(),
                    10,
                    0,
                    good.demandSettle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be at least the longest stabilization window (PT20M), was PT10M");
    assertThatThrownBy(() -> new PolicySpec.TargetTracking("concurrency", 8, 0.1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("behavior must not be null");
  }
}
