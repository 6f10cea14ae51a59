package io.tideflow.server.report;

import java.awt.Color;
import java.util.Locale;

/**
 * The colours shared by the PNG chart and the HTML report, so an event's colour in the table
 * matches its marker. Series and event colours are kept apart from one another.
 */
final class Palette {
  static final Color BACKGROUND = Color.WHITE;
  static final Color TEXT = new Color(0x222222);
  static final Color MUTED_TEXT = new Color(0x555555);
  static final Color GRID = new Color(0xE8E8E8);
  static final Color FRAME = new Color(0x9A9A9A);

  static final Color OFFERED = new Color(0x1F77B4);
  static final Color THROUGHPUT = new Color(0x9467BD);
  static final Color NODES = new Color(0x333333);
  static final Color P50 = new Color(0x17BECF);
  static final Color P99 = new Color(0x8C564B);

  static final Color SCALE_UP = new Color(0x2CA02C);
  static final Color SCALE_DOWN = new Color(0xFF7F0E);
  static final Color NODE_KILLED = new Color(0xD62728);
  private static final Color[] OTHER_EVENTS = {
    new Color(0xE377C2), new Color(0xBCBD22), new Color(0x7F7F7F)
  };

  private Palette() {}

  /** The marker colour of an event kind; unknown kinds get a stable colour from a small set. */
  static Color event(String kind) {
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case RunTimeline.Event.SCALE_UP -> SCALE_UP;
      case RunTimeline.Event.SCALE_DOWN -> SCALE_DOWN;
      case RunTimeline.Event.NODE_KILLED -> NODE_KILLED;
      default -> OTHER_EVENTS[Math.floorMod(kind.hashCode(), OTHER_EVENTS.length)];
    };
  }

  /** CSS notation, e.g. {@code #1f77b4}. */
  static String hex(Color colour) {
    return String.format(Locale.ROOT, "#%06x", colour.getRGB() & 0xFFFFFF);
  }
}
