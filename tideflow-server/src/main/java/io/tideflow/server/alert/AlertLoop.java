package io.tideflow.server.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideflow.core.alert.Alert;
import io.tideflow.core.alert.AlertBook;
import io.tideflow.core.alert.AlertEvaluator;
import io.tideflow.core.alert.AlertRule;
import io.tideflow.core.alert.Series;
import io.tideflow.core.alert.Severity;
import io.tideflow.core.alert.Silence;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Evaluates alert rules every interval while this process may ({@code evaluates}: the leading
 * coordinator) and hands what fired and resolved to each channel. The core decides ({@link
 * AlertEvaluator}); this loop owns the book between evaluations (on its timer thread), the
 * silences, and one bounded outbox per channel drained by a virtual thread, so a slow webhook
 * delays neither the evaluation nor the other channels.
 */
public final class AlertLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AlertLoop.class.getName());

  /** Deliveries a channel may have waiting; beyond it the oldest is dropped and counted. */
  public static final int OUTBOX = 64;

  /** Attempts of one delivery before it is counted as failed. */
  static final int ATTEMPTS = 3;

  /** Silences kept at once. */
  public static final int MAX_SILENCES = 1000;

  private final List<AlertRule> rules;
  private final Supplier<List<Series>> samples;
  private final BooleanSupplier evaluates;
  private final InstantSource clock;
  private final Duration retryDelay;
  private final ScheduledExecutorService timer;
  private final List<Outbox> outboxes = new ArrayList<>();
  private final CopyOnWriteArrayList<Silence> silences = new CopyOnWriteArrayList<>();
  private final Counter evaluations;
  private final Counter failedEvaluations;
  private AlertBook book = AlertBook.EMPTY;
  private volatile List<Alert> current = List.of();
  private volatile boolean closed;

  /** Counted down by {@link #close()}: a sender waiting to retry stops waiting at once. */
  private final java.util.concurrent.CountDownLatch stopping =
      new java.util.concurrent.CountDownLatch(1);

  private AlertLoop(
      List<AlertRule> rules,
      Supplier<List<Series>> samples,
      BooleanSupplier evaluates,
      InstantSource clock,
      Duration retryDelay,
      MeterRegistry metrics) {
    this.rules = List.copyOf(rules);
    this.samples = samples;
    this.evaluates = evaluates;
    this.clock = clock;
    this.retryDelay = retryDelay;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tideflow-alerts").factory());
    this.evaluations =
        Counter.builder("tideflow.alerts.evaluations")
            .description("Evaluations of the alert rules")
            .register(metrics);
    this.failedEvaluations =
        Counter.builder("tideflow.alerts.evaluation.failures")
            .description("Evaluations that could not read the metrics")
            .register(metrics);
    for (Severity s : Severity.values()) {
      Gauge.builder("tideflow.alerts.firing", this, l -> l.firing(s))
          .tag("severity", s.label())
          .description("Alerts firing now, silenced ones among them")
          .register(metrics);
    }
  }

  /**
   * Starts evaluating {@code rules} over {@code samples} every {@code interval}.
   *
   * @throws IllegalArgumentException when two rules share a name or the interval is not positive
   */
  public static AlertLoop start(
      List<AlertRule> rules,
      Supplier<List<Series>> samples,
      BooleanSupplier evaluates,
      List<AlertChannel> channels,
      Duration interval,
      InstantSource clock,
      MeterRegistry metrics) {
    return start(
        rules, samples, evaluates, channels, interval, clock, metrics, Duration.ofMillis(500));
  }

  static AlertLoop start(
      List<AlertRule> rules,
      Supplier<List<Series>> samples,
      BooleanSupplier evaluates,
      List<AlertChannel> channels,
      Duration interval,
      InstantSource clock,
      MeterRegistry metrics,
      Duration retryDelay) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("alert interval must be > 0, was " + interval);
    }
    Set<String> names = new HashSet<>();
    for (AlertRule r : rules) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("two alert rules are named " + r.name());
      }
    }
    AlertLoop loop = new AlertLoop(rules, samples, evaluates, clock, retryDelay, metrics);
    for (AlertChannel c : channels) {
      loop.outboxes.add(loop.new Outbox(c, metrics));
    }
    long millis = interval.toMillis();
    loop.timer.scheduleWithFixedDelay(loop::evaluate, millis, millis, TimeUnit.MILLISECONDS);
    return loop;
  }

  public List<AlertRule> rules() {
    return rules;
  }

  /**
   * The alerts pending or firing at the last evaluation; empty where this process does not
   * evaluate.
   */
  public List<Alert> alerts() {
    return current;
  }

  /**
   * Mutes the alerts {@code silence} matches from its start to its end.
   *
   * @throws IllegalArgumentException when its id is taken or {@link #MAX_SILENCES} are kept
   */
  public synchronized void silence(Silence silence) {
    Instant now = clock.instant();
    silences.removeIf(s -> !s.endsAt().isAfter(now));
    for (Silence s : silences) {
      if (s.id().equals(silence.id())) {
        throw new IllegalArgumentException("a silence with id " + silence.id() + " exists");
      }
    }
    if (silences.size() >= MAX_SILENCES) {
      throw new IllegalArgumentException(
          MAX_SILENCES + " silences are kept already: expire some first");
    }
    silences.add(silence);
  }

  /** Ends the silence {@code id} now; false when there is none. */
  public boolean expire(String id) {
    return silences.removeIf(s -> s.id().equals(id));
  }

  public List<Silence> silences() {
    Instant now = clock.instant();
    return silences.stream().filter(s -> s.endsAt().isAfter(now)).toList();
  }

  private int firing(Severity s) {
    int n = 0;
    for (Alert a : current) {
      if (a.state() == Alert.State.FIRING && a.rule().severity() == s) {
        n++;
      }
    }
    return n;
  }

  /** One evaluation, on the timer thread; a failure is counted and the next one runs. */
  private void evaluate() {
    try {
      evaluateOnce();
    } catch (RuntimeException e) {
      // An exception would cancel every later run of the timer: count it, say it, go on.
      failedEvaluations.increment();
      LOG.log(Level.ERROR, "alert evaluation failed: " + e, e);
    }
  }

  private void evaluateOnce() {
    if (closed) {
      return;
    }
    if (!evaluates.getAsBoolean()) {
      // Not the leader: the one that is evaluates and sends; starting over when leading again
      // waits each rule's for anew rather than trusting a stale book.
      book = AlertBook.EMPTY;
      current = List.of();
      return;
    }
    Instant now = clock.instant();
    List<Series> read;
    try {
      read = samples.get();
    } catch (RuntimeException e) {
      failedEvaluations.increment();
      LOG.log(Level.WARNING, "alert rules not evaluated: the metrics could not be read: " + e);
      return;
    }
    AlertEvaluator.Evaluation e = AlertEvaluator.evaluate(rules, read, book, silences(), now);
    evaluations.increment();
    book = e.book();
    current = List.copyOf(book.alerts().values());
    for (String rule : e.truncated()) {
      LOG.log(
          Level.WARNING,
          "alert rule "
              + rule
              + " matched more than "
              + AlertEvaluator.MAX_ALERTS_PER_RULE
              + " series; the rest are not alerted on");
    }
    List<Alert> firing = new ArrayList<>();
    for (Alert a : book.firing()) {
      if (a.silencedBy() == null) {
        firing.add(a);
      }
    }
    AlertChannel.Delivery d =
        new AlertChannel.Delivery(e.notifications(), List.copyOf(firing), now);
    for (Outbox o : outboxes) {
      o.offer(d);
    }
  }

  /** One channel's queue and the virtual thread that sends from it. */
  private final class Outbox {
    private final AlertChannel channel;
    private final BlockingQueue<AlertChannel.Delivery> queue = new ArrayBlockingQueue<>(OUTBOX);
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final Thread sender;

    Outbox(AlertChannel channel, MeterRegistry metrics) {
      this.channel = channel;
      this.sent = counter(metrics, "tideflow.alerts.deliveries", "Deliveries a channel took");
      this.failed =
          counter(
              metrics, "tideflow.alerts.delivery.failures", "Deliveries given up after retries");
      this.dropped =
          counter(metrics, "tideflow.alerts.deliveries.dropped", "Deliveries dropped: outbox full");
      this.sender = Thread.ofVirtual().name("tideflow-alerts-" + channel.name()).start(this::run);
    }

    private Counter counter(MeterRegistry metrics, String name, String description) {
      return Counter.builder(name)
          .tag("channel", channel.name())
          .description(description)
          .register(metrics);
    }

    void offer(AlertChannel.Delivery d) {
      if (!channel.wants(d)) {
        return;
      }
      while (!queue.offer(d)) {
        if (queue.poll() != null) {
          dropped.increment();
        }
      }
    }

    private void run() {
      try {
        while (!closed) {
          AlertChannel.Delivery d = queue.take();
          send(d);
        }
      } catch (InterruptedException e) {
        // Closed.
      }
    }

    private void send(AlertChannel.Delivery d) throws InterruptedException {
      Duration wait = retryDelay;
      for (int attempt = 1; ; attempt++) {
        try {
          channel.deliver(d);
          sent.increment();
          return;
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          if (attempt >= ATTEMPTS) {
            failed.increment();
            LOG.log(
                Level.WARNING,
                "alert channel "
                    + channel.name()
                    + " failed "
                    + ATTEMPTS
                    + " times, giving up on "
                    + d.notifications().size()
                    + " notification(s): "
                    + e.getMessage());
            return;
          }
          if (stopping.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return; // closed while waiting to try again
          }
          wait = wait.multipliedBy(2);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    stopping.countDown();
    timer.shutdownNow();
    for (Outbox o : outboxes) {
      o.sender.interrupt();
    }
  }
}
