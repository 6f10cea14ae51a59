package io.tideflow.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.KeyValue;
import io.tideflow.store.Leadership;
import io.tideflow.store.Lease;
import io.tideflow.store.LeaseNotFoundException;
import io.tideflow.store.clock.MonotonicClock;
import io.tideflow.store.delivery.SerialExecutor;
import io.tideflow.store.limits.StoreLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * A {@link ClusterStore} on an etcd v3 cluster, through jetcd.
 *
 * <p>Threads: jetcd completes its futures on its own cached pool ({@code jetcd-*}) and calls watch
 * and keep-alive observers on vert.x event loop threads. This store never lets callers run there:
 * every future it returns is completed, and every watch listener called, on a platform thread of
 * the store ({@code tideflow-etcd-store-*}), listeners one batch at a time per watch. One daemon
 * thread ({@code tideflow-etcd-lease-clock}) looks every 200 ms of real time whether a lease is due
 * for its keep-alive; when one is due, and until when a renewal counts, is decided on the store's
 * clock ({@link io.tideflow.store.clock.MonotonicClock#system()} unless given one), so tests can
 * drive it exactly.
 *
 * <p>Failures: a request that gets no answer within the request timeout (default {@value
 * #DEFAULT_REQUEST_TIMEOUT_SECONDS} s) fails with a {@link
 * io.tideflow.store.StoreUnavailableException} such as "cannot reach etcd at 127.0.0.1:2379 within
 * 5s"; a write naming a lease etcd no longer has fails with {@link LeaseNotFoundException}. {@link
 * #campaign} has no timeout: it waits for leadership for as long as its lease lives.
 *
 * <p>Leases are renewed about every third of their TTL. {@link Lease#lost()} completes only when
 * etcd says the lease is gone; keep-alives that get no answer (etcd paused, electing, cut off) only
 * make it unconfirmed ({@link Lease#unconfirmedFor()}), and nothing is revoked on that guess: etcd
 * refreshes every lease when a new leader takes over. TTLs are whole seconds, rounded up, and etcd
 * raises very short ones to its minimum (about 2 s with default settings).
 */
public final class EtcdClusterStore implements ClusterStore {
  public static final long DEFAULT_REQUEST_TIMEOUT_SECONDS = 5;
  public static final Duration DEFAULT_REQUEST_TIMEOUT =
      Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_SECONDS);

  private static final ByteSequence ALL_KEYS = ByteSequence.from(new byte[] {0});
  private static final Duration LEASE_CLOCK_PERIOD = Duration.ofMillis(200);

  private final List<String> endpoints;
  private final EtcdErrors errors;
  private final Client client;
  private final Executor completions;
  private final EtcdRequests requests;
  private final EtcdElections elections;
  private final InstantSource clock;
  private final ScheduledExecutorService leaseClock;
  private final Map<Long, EtcdLease> leases = new ConcurrentHashMap<>();
  private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong unansweredKeepAlives = new AtomicLong();

  private EtcdClusterStore(
      List<String> endpoints,
      Duration requestTimeout,
      InstantSource clock,
      EtcdCredentials credentials) {
    this.endpoints = List.copyOf(endpoints);
    this.clock = clock;
    this.errors = new EtcdErrors(this.endpoints, requestTimeout);
    ClientBuilder builder =
        Client.builder()
            .endpoints(this.endpoints.toArray(String[]::new))
            .interceptor(new RequestDeadlineInterceptor(requestTimeout))
            .connectTimeout(requestTimeout);
    if (credentials.tls()) {
      builder.sslContext(
          new ReloadingSslContext(
              credentials.tlsDir(),
              List.of("ca.crt", "tls.crt", "tls.key"),
              TLS_RELOAD,
              EtcdClusterStore::sslContext));
    }
    if (credentials.user() != null) {
      builder
          .user(ByteSequence.from(credentials.user(), UTF_8))
          .password(ByteSequence.from(credentials.password(), UTF_8));
    }
    this.client = builder.build();
    // Platform threads, not virtual ones: the control plane must not queue behind CPU-bound tasks
    // that occupy the virtual-thread carriers. Idle threads end after a minute.
    this.completions =
        Executors.newCachedThreadPool(
            Thread.ofPlatform().name("tideflow-etcd-store-", 0).daemon().factory());
    this.requests = new EtcdRequests(errors, completions, requestTimeout, closed::get);
    this.elections = new EtcdElections(client, requests, leases::get);
    this.leaseClock =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("tideflow-etcd-lease-clock").daemon().factory());
    long period = LEASE_CLOCK_PERIOD.toNanos();
    leaseClock.scheduleWithFixedDelay(this::tickLeases, period, period, TimeUnit.NANOSECONDS);
  }

  /** A store on {@code endpoints} ({@code http://host:port}) with the default request timeout. */
  public static EtcdClusterStore connect(List<String> endpoints) {
    return connect(endpoints, DEFAULT_REQUEST_TIMEOUT);
  }

  /**
   * A store on {@code endpoints} ({@code http://host:port}, or {@code host:port}). Connecting is
   * lazy: an unreachable etcd shows as {@link io.tideflow.store.StoreUnavailableException} on the
   * first request, after {@code requestTimeout}.
   */
  public static EtcdClusterStore connect(List<String> endpoints, Duration requestTimeout) {
    return connect(endpoints, requestTimeout, MonotonicClock.system());
  }

  /**
   * As {@link #connect(List, Duration)}, measuring lease renewals and TTLs on {@code clock}.
   * Request timeouts stay in real time: they bound waiting for a remote answer.
   */
  public static EtcdClusterStore connect(
      List<String> endpoints, Duration requestTimeout, InstantSource clock) {
    return connect(endpoints, requestTimeout, clock, EtcdCredentials.NONE);
  }

  /**
   * As {@link #connect(List, Duration, InstantSource)}, proving itself with {@code credentials};
   * with TLS the endpoints are {@code https://} and etcd's certificate must name the host dialled.
   *
   * @throws IllegalArgumentException naming a TLS file that is missing or unreadable
   */
  public static EtcdClusterStore connect(
      List<String> endpoints,
      Duration requestTimeout,
      InstantSource clock,
      EtcdCredentials credentials) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints must not be empty");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be > 0, was " + requestTimeout);
    }
    String scheme = credentials.tls() ? "https://" : "http://";
    List<String> urls = endpoints.stream().map(e -> e.contains("://") ? e : scheme + e).toList();
    return new EtcdClusterStore(urls, requestTimeout, clock, credentials);
  }

  /** How often, at most, a new connection to etcd looks whether its TLS files changed. */
  static final Duration TLS_RELOAD = Duration.ofSeconds(1);

  /** TLS to etcd: its CA from {@code dir}/ca.crt, a client certificate if {@code dir} holds one. */
  private static SslContext sslContext(Path dir) {
    Path ca = dir.resolve("ca.crt");
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    try {
      SslContextBuilder b = GrpcSslContexts.forClient().trustManager(ca.toFile());
      if (Files.exists(cert) || Files.exists(key)) {
        b.keyManager(cert.toFile(), key.toFile());
      }
      return b.protocols("TLSv1.3", "TLSv1.2").build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "TLS to etcd from "
              + dir
              + " (ca.crt, tls.crt, tls.key) cannot be used: "
              + e.getMessage(),
          e);
    }
  }

  /** The prefix of the keys etcd's election service keeps for the election {@code election}. */
  public static String electionKeyPrefix(String election) {
    return EtcdElections.ELECTION_PREFIX + election + "/";
  }

  /** Users, roles and permissions of this etcd, for an administrator's process. */
  public EtcdAccess access() {
    return new EtcdAccess(client.getAuthClient());
  }

  /** The endpoints this store talks to. */
  public List<String> endpoints() {
    return endpoints;
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be > 0, was " + ttl);
    }
    long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
    Instant sent = clock.instant();
    return requests.timed(
        () -> client.getLeaseClient().grant(seconds),
        response -> {
          if (closed.get()) {
            throw errors.closed(); // nobody keeps it alive: etcd ends it after its TTL
          }
          Duration granted = Duration.ofSeconds(response.getTTL());
          EtcdLease lease =
              new EtcdLease(response.getID(), granted, sent, client.getLeaseClient(), this);
          leases.put(lease.id(), lease);
          return lease;
        },
        0);
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long leaseId) {
    StoreLimits.requireValue(StoreLimits.requireKey(key), value);
    PutOption option = PutOption.builder().withLeaseId(leaseId).build();
    return requests.timed(
        () -> client.getKVClient().put(bytes(key), ByteSequence.from(value), option),
        response -> response.getHeader().getRevision(),
        leaseId);
  }

  @Override
  public CompletableFuture<Optional<KeyValue>> get(String key) {
    StoreLimits.requireKey(key);
    return requests.timed(
        () -> client.getKVClient().get(bytes(key)),
        response -> response.getKvs().stream().findFirst().map(EtcdWatch::toKeyValue),
        0);
  }

  @Override
  public CompletableFuture<Snapshot> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    GetOption.Builder option =
        GetOption.builder()
            .withSortField(GetOption.SortTarget.KEY)
            .withSortOrder(GetOption.SortOrder.ASCEND);
    ByteSequence key = prefix.isEmpty() ? ALL_KEYS : bytes(prefix);
    GetOption range =
        prefix.isEmpty() ? option.withRange(ALL_KEYS).build() : option.isPrefix(true).build();
    return requests.timed(
        () -> client.getKVClient().get(key, range),
        response ->
            new Snapshot(
                response.getHeader().getRevision(),
                response.getKvs().stream().map(EtcdWatch::toKeyValue).toList()),
        0);
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(
      String key, long expectedModRevision, byte[] value, long leaseId) {
    StoreLimits.requireValue(StoreLimits.requireKey(key), value);
    ByteSequence k = bytes(key);
    Cmp condition =
        expectedModRevision == 0
            ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
            : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision));
    PutOption option = PutOption.builder().withLeaseId(leaseId).build();
    return requests.timed(
        () ->
            client
                .getKVClient()
                .txn()
                .If(condition)
                .Then(Op.put(k, ByteSequence.from(value), option))
                .commit(),
        response -> response.isSucceeded(),
        leaseId);
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    StoreLimits.requireKey(key);
    return requests.timed(
        () -> client.getKVClient().delete(bytes(key)), response -> response.getDeleted() > 0, 0);
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    SerialExecutor delivery = new SerialExecutor(completions);
    EtcdWatch[] self = new EtcdWatch[1];
    EtcdWatch watch =
        new EtcdWatch(fromRevision, listener, delivery, errors, () -> watches.remove(self[0]));
    self[0] = watch;
    if (closed.get()) {
      delivery.execute(() -> listener.onError(errors.closed()));
      return watch;
    }
    watches.add(watch);
    WatchOption.Builder option = WatchOption.builder().withRevision(Math.max(0, fromRevision));
    ByteSequence key = prefix.isEmpty() ? ALL_KEYS : bytes(prefix);
    WatchOption range =
        prefix.isEmpty() ? option.withRange(ALL_KEYS).build() : option.isPrefix(true).build();
    watch.attach(client.getWatchClient().watch(key, range, watch));
    return watch;
  }

  @Override
  public CompletableFuture<Leadership> campaign(String election, String candidate, Lease lease) {
    StoreLimits.requireElection(election);
    Objects.requireNonNull(candidate, "candidate");
    return elections.campaign(election, candidate, lease.id());
  }

  @Override
  public CompletableFuture<Optional<LeaderInfo>> leader(String election) {
    StoreLimits.requireElection(election);
    return elections.leader(election);
  }

  /**
   * Test hook: stops renewing {@code leaseId} as if this node hung. etcd expires the lease one TTL
   * later; once the lease is unconfirmed this store asks etcd about it (without renewing), so
   * {@link Lease#lost()} completes soon after etcd has ended it.
   */
  public void suspendKeepAlive(long leaseId) {
    lease(leaseId).suspendKeepAlive();
  }

  /** Test hook: renews {@code leaseId} again after {@link #suspendKeepAlive(long)}. */
  public void resumeKeepAlive(long leaseId) {
    lease(leaseId).resumeKeepAlive();
  }

  /** Keep-alives that got no answer in time (etcd away, paused or electing) since the start. */
  public long unansweredKeepAlives() {
    return unansweredKeepAlives.get();
  }

  private EtcdLease lease(long leaseId) {
    EtcdLease lease = leases.get(leaseId);
    if (lease == null) {
      throw new LeaseNotFoundException(leaseId);
    }
    return lease;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    leaseClock.shutdownNow();
    List.copyOf(watches).forEach(EtcdWatch::close);
    elections.close();
    List.copyOf(leases.values()).forEach(EtcdLease::closeLost);
    client.close();
  }

  InstantSource clock() {
    return clock;
  }

  Executor completions() {
    return completions;
  }

  void forget(EtcdLease lease) {
    leases.remove(lease.id(), lease);
  }

  CompletableFuture<Void> revokeLease(long leaseId) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    requests
        .timed(() -> client.getLeaseClient().revoke(leaseId), response -> (Void) null, leaseId)
        .whenCompleteAsync(
            (ignored, error) -> {
              if (error == null || EtcdErrors.unwrap(error) instanceof LeaseNotFoundException) {
                result.complete(null); // already gone is what the caller wanted
              } else {
                result.completeExceptionally(error);
              }
            },
            completions);
    return result;
  }

  /** The lease clock's round; also called by tests right after moving their clock. */
  void tickLeases() {
    Instant now = clock.instant();
    for (EtcdLease lease : leases.values()) {
      lease.tick(now);
    }
  }

  void countUnansweredKeepAlive() {
    unansweredKeepAlives.incrementAndGet();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
