package io.tideflow.cli;

import io.tideflow.runtime.autoscale.PendingDemand;
import io.tideflow.runtime.membership.ClusterWatcher;
import io.tideflow.server.dashboard.Dashboard;
import io.tideflow.server.dashboard.DashboardHttp;
import io.tideflow.server.http.MetricsServer;
import io.tideflow.store.ClusterStore;
import java.io.PrintStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.UnaryOperator;

/**
 * A command's live dashboard: follows the store's live and GONE nodes and serves the page on the
 * command's HTTP server. Closing it stops the page's streams and the watches.
 */
final class LiveDashboard implements AutoCloseable {
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterWatcher live;
  private final ClusterWatcher gone;
  private final PendingDemand waiting;
  private final Dashboard dashboard;
  private final String url;
  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);

  private LiveDashboard(
      ClusterWatcher live,
      ClusterWatcher gone,
      PendingDemand waiting,
      Dashboard dashboard,
      String url) {
    this.live = live;
    this.gone = gone;
    this.waiting = waiting;
    this.dashboard = dashboard;
    this.url = url;
  }

  /**
   * Serves the dashboard of {@code store} on {@code http}; {@code more} adds what the command knows
   * beyond the nodes (its leader, pools, flows, meters).
   */
  static LiveDashboard serve(
      MetricsServer http, ClusterStore store, String title, UnaryOperator<Dashboard.Sources> more) {
    ClusterWatcher live = ClusterWatcher.start(store, STORE_TIMEOUT);
    ClusterWatcher gone = null;
    PendingDemand waiting = null;
    Dashboard dashboard = null;
    try {
      gone = ClusterWatcher.gone(store, STORE_TIMEOUT);
      waiting = PendingDemand.follow(store, STORE_TIMEOUT);
      dashboard =
          Dashboard.start(
              more.apply(
                  Dashboard.Sources.of(title, live::view, gone::view)
                      .withWaiting(waiting::reports)),
              Dashboard.DEFAULT_PERIOD,
              InstantSource.system());
      return new LiveDashboard(
          live, gone, waiting, dashboard, DashboardHttp.serve(http, dashboard));
    } catch (RuntimeException e) {
      closeAll(dashboard, waiting, gone, live);
      throw e;
    }
  }

  String url() {
    return url;
  }

  /**
   * Keeps the page up for {@code linger} after the command's work is done, so it can still be read;
   * returns at once when {@code linger} is zero.
   */
  void linger(Duration linger, PrintStream out) throws InterruptedException {
    if (linger.isZero()) {
      return;
    }
    out.printf(
        "dashboard stays up at %s for %s (Ctrl-C to stop)%n", url, linger.toSeconds() + " s");
    out.flush();
    // Ends early when the dashboard is closed (the command is stopping).
    boolean closedEarly =
        closing.await(linger.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    if (closedEarly) {
      out.println("dashboard closed");
    }
  }

  /**
   * How long a demo keeps its dashboard up after its run when not told: a while in a terminal,
   * where someone may be reading the page, not at all otherwise (scripts, tests).
   */
  static Duration defaultLinger() {
    java.io.Console console = System.console();
    boolean terminal = console != null;
    if (terminal) {
      try {
        // Since Java 22 a console exists also when the streams are redirected; isTerminal tells.
        terminal = (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
      } catch (ReflectiveOperationException e) {
        // Java 21: the console exists only on a terminal.
      }
    }
    return terminal ? Duration.ofMinutes(2) : Duration.ZERO;
  }

  @Override
  public void close() {
    closing.countDown();
    closeAll(dashboard, waiting, gone, live);
  }

  private static void closeAll(AutoCloseable... parts) {
    RuntimeException failure = null;
    for (AutoCloseable part : parts) {
      if (part == null) {
        continue;
      }
      try {
        part.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing the dashboard failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
