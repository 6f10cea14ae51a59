package io.tideflow.runtime.task;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable registry of handlers by name: the built-ins, what {@link TaskHandlerProvider}s on
 * the class path contribute, and what the application adds.
 *
 * <p>Built-ins: {@code noop} (returns nothing), {@code echo} (returns its payload), {@code primes}
 * (counts the primes below the decimal number in its payload: CPU-bound work) and {@code sleep}
 * (sleeps the number of milliseconds in its payload). Both of the last two end with {@link
 * InterruptedException} when their thread is interrupted, as {@link TaskHandler} asks.
 */
public final class TaskHandlers {
  private static final byte[] EMPTY = new byte[0];

  private final Map<String, TaskHandler> byName;

  private TaskHandlers(Map<String, TaskHandler> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** The built-ins plus every handler a {@link TaskHandlerProvider} on the class path offers. */
  public static TaskHandlers discover() {
    TaskHandlers handlers = builtins();
    for (TaskHandlerProvider provider : ServiceLoader.load(TaskHandlerProvider.class)) {
      for (Map.Entry<String, TaskHandler> e : provider.handlers().entrySet()) {
        handlers = handlers.with(e.getKey(), e.getValue());
      }
    }
    return handlers;
  }

  public static TaskHandlers builtins() {
    Map<String, TaskHandler> map = new TreeMap<>();
    map.put("noop", payload -> EMPTY);
    map.put("echo", payload -> payload);
    map.put(
        "primes",
        payload ->
            ascii(Long.toString(countPrimesBelowInterruptibly(parseLong(payload, "primes")))));
    map.put(
        "sleep",
        payload -> {
          Thread.sleep(parseLong(payload, "sleep"));
          return EMPTY;
        });
    return new TaskHandlers(map);
  }

  /** Returns a registry with {@code handler} under {@code name}, replacing any there. */
  public TaskHandlers with(String name, TaskHandler handler) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("handler name must not be blank, was '" + name + "'");
    }
    if (handler == null) {
      throw new IllegalArgumentException("handler '" + name + "' must not be null");
    }
    Map<String, TaskHandler> map = new TreeMap<>(byName);
    map.put(name, handler);
    return new TaskHandlers(map);
  }

  /** The handler of that name, or null. */
  public TaskHandler get(String name) {
    return byName.get(name);
  }

  public Set<String> names() {
    return new TreeSet<>(byName.keySet());
  }

  /**
   * Counts primes below {@code n} by trial division: deliberately plain CPU work. Does not look at
   * interrupts; for the answer a caller checks a task against.
   */
  public static long countPrimesBelow(long n) {
    long count = 0;
    for (long i = 2; i < n; i++) {
      if (isPrime(i)) {
        count++;
      }
    }
    return count;
  }

  /**
   * {@link #countPrimesBelow}, stopping with {@link InterruptedException} once its thread is
   * interrupted, so a task timed out or stopped on a worker gives its slot back instead of counting
   * on.
   */
  public static long countPrimesBelowInterruptibly(long n) throws InterruptedException {
    long count = 0;
    for (long i = 2; i < n; i++) {
      if (Thread.interrupted()) {
        throw new InterruptedException("primes below " + n + " interrupted at " + i);
      }
      if (isPrime(i)) {
        count++;
      }
    }
    return count;
  }

  private static boolean isPrime(long i) {
    for (long d = 2; d * d <= i; d++) {
      if (i % d == 0) {
        return false;
      }
    }
    return true;
  }

  private static long parseLong(byte[] payload, String handler) {
    String text = new String(payload, StandardCharsets.US_ASCII).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          handler + " expects a decimal number as payload, got '" + abbreviate(text) + "'", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
