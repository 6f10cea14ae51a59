package io.tideflow.server.alert;

import io.tideflow.core.alert.Alert;
import io.tideflow.core.alert.Notification;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * Sends alerts to Alertmanager's v2 API ({@code POST /api/v2/alerts}) as Prometheus does: every
 * firing alert again at each evaluation, with an {@code endsAt} a few evaluations ahead so
 * Alertmanager resolves it by itself if this coordinator stops sending (it died, lost the lead); a
 * resolved alert once, with the time it resolved. Alertmanager then groups, inhibits, silences and
 * routes them as its configuration says.
 */
public final class AlertmanagerChannel implements AlertChannel {
  private final URI alerts;
  private final Duration validFor;
  private final HttpPost post;

  /**
   * @param base Alertmanager's address, e.g. {@code http://alertmanager:9093}
   * @param interval how often the loop evaluates: a firing alert is valid for four of them
   */
  public AlertmanagerChannel(URI base, Duration interval) {
    this(base, interval, HttpPost.withDefaults());
  }

  AlertmanagerChannel(URI base, Duration interval, HttpPost post) {
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new IllegalArgumentException("Alertmanager URL must be http or https, was " + base);
    }
    String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
    this.alerts = base.resolve(path + "/api/v2/alerts");
    this.validFor =
        interval.multipliedBy(4).compareTo(Duration.ofMinutes(1)) < 0
            ? Duration.ofMinutes(1)
            : interval.multipliedBy(4);
    this.post = post;
  }

  @Override
  public String name() {
    return "alertmanager";
  }

  /** Every evaluation that has firing alerts or resolutions: the whole state again. */
  @Override
  public boolean wants(Delivery d) {
    return !d.firing().isEmpty() || !d.notifications().isEmpty();
  }

  @Override
  public void deliver(Delivery d) throws Exception {
    Instant until = d.at().plus(validFor);
    String body =
        AlertJson.write(
            w -> {
              w.beginArray();
              for (Alert a : d.firing()) {
                AlertJson.alert(w, a, null, until, false);
              }
              for (Notification n : d.notifications()) {
                if (n.kind() == Notification.Kind.RESOLVED) {
                  AlertJson.alert(w, n.alert(), null, n.at(), false);
                }
              }
              w.endArray();
            });
    post.json(alerts, body);
  }
}
