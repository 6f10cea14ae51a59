package io.tideflow.server.alert;

import io.tideflow.core.alert.Notification;
import java.lang.System.Logger.Level;

/** Writes each firing and resolution as one log line: WARNING for firing, INFO for resolved. */
public final class LogChannel implements AlertChannel {
  private static final System.Logger LOG = System.getLogger("io.tideflow.alerts");

  @Override
  public String name() {
    return "log";
  }

  @Override
  public void deliver(Delivery d) {
    for (Notification n : d.notifications()) {
      LOG.log(
          n.kind() == Notification.Kind.FIRING ? Level.WARNING : Level.INFO,
          "alert "
              + n.kind().name().toLowerCase(java.util.Locale.ROOT)
              + " "
              + n.alert().labels()
              + ": "
              + n.alert().summary());
    }
  }
}
