package io.tideflow.server.alert;

import io.tideflow.core.alert.Notification;
import java.net.URI;

/**
 * Posts each evaluation's firings and resolutions to a URL as one JSON document in the shape of
 * Alertmanager's webhook ({@code version}, {@code status}, {@code alerts} with {@code labels},
 * {@code annotations}, {@code startsAt}, {@code endsAt}), which chat bridges and incident tools
 * already read.
 */
public final class WebhookChannel implements AlertChannel {
  private final URI url;
  private final HttpPost post;

  public WebhookChannel(URI url) {
    this(url, HttpPost.withDefaults());
  }

  WebhookChannel(URI url, HttpPost post) {
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("webhook URL must be http or https, was " + url);
    }
    this.url = url;
    this.post = post;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void deliver(Delivery d) throws Exception {
    boolean firing = d.notifications().stream().anyMatch(n -> n.kind() == Notification.Kind.FIRING);
    String body =
        AlertJson.write(
            w -> {
              w.beginObject();
              w.name("version").value("4");
              w.name("receiver").value("tideflow");
              w.name("status").value(firing ? "firing" : "resolved");
              w.name("alerts").beginArray();
              for (Notification n : d.notifications()) {
                boolean resolved = n.kind() == Notification.Kind.RESOLVED;
                AlertJson.alert(
                    w, n.alert(), resolved ? "resolved" : "firing", resolved ? n.at() : null, true);
              }
              w.endArray();
              w.endObject();
            });
    post.json(url, body);
  }
}
