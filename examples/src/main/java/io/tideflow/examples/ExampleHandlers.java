package io.tideflow.examples;

import io.tideflow.runtime.task.TaskHandler;
import io.tideflow.runtime.task.TaskHandlerProvider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The examples' task handlers. A worker finds them with {@link java.util.ServiceLoader} when this
 * jar is on its classpath, through {@code
 * META-INF/services/io.tideflow.runtime.task.TaskHandlerProvider}.
 *
 * <ul>
 *   <li>{@code pi-darts}: payload {@code "SEED DARTS"}; throws that many darts at the unit square
 *       and answers how many fell inside the quarter circle.
 *   <li>{@code word-count}: payload some text; answers {@code word<TAB>count} lines.
 * </ul>
 */
public final class ExampleHandlers implements TaskHandlerProvider {
  /** The most darts one task throws: keeps a task to seconds, not hours. */
  public static final long MAX_DARTS = 100_000_000;

  @Override
  public Map<String, TaskHandler> handlers() {
    return Map.of("pi-darts", ExampleHandlers::darts, "word-count", ExampleHandlers::words);
  }

  static byte[] darts(byte[] payload) {
    String[] parts = new String(payload, StandardCharsets.US_ASCII).strip().split("\\s+");
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "pi-darts takes \"SEED DARTS\", was " + parts.length + " part(s)");
    }
    long seed = Long.parseLong(parts[0]);
    long darts = Long.parseLong(parts[1]);
    if (darts < 1 || darts > MAX_DARTS) {
      throw new IllegalArgumentException("DARTS must be in [1, " + MAX_DARTS + "], was " + darts);
    }
    SplittableRandom random = new SplittableRandom(seed);
    long inside = 0;
    for (long i = 0; i < darts; i++) {
      double x = random.nextDouble();
      double y = random.nextDouble();
      if (x * x + y * y <= 1) {
        inside++;
      }
    }
    return Long.toString(inside).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] words(byte[] payload) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String w :
        new String(payload, StandardCharsets.UTF_8)
            .toLowerCase(java.util.Locale.ROOT)
            .split("[^\\p{L}\\p{N}']+")) {
      if (!w.isEmpty()) {
        counts.merge(w, 1, Integer::sum);
      }
    }
    StringBuilder out = new StringBuilder();
    counts.forEach((w, c) -> out.append(w).append('\t').append(c).append('\n'));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
