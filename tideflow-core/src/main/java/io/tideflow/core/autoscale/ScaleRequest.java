package io.tideflow.core.autoscale;

import java.time.Duration;
import java.time.Instant;

/**
 * An operator's "scale this pool to N" ({@code tideflow scale POOL --to N}, or {@code --factor F}
 * resolved against the pool's size when asked): while it holds, the pool's size is {@code to}
 * instead of what its policies want — still within its bounds, growth cap and cooldowns — and every
 * decision says so; when it lapses the policies decide again.
 *
 * @param to the size asked for
 * @param factor the factor it was asked as, 0 when asked as a size
 * @param requestedAt when it was asked
 * @param hold how long it holds
 * @param by who asked, for the decision log
 */
public record ScaleRequest(int to, double factor, Instant requestedAt, Duration hold, String by) {
  /** The longest a request may hold: past it a pool would seem stuck to whoever comes next. */
  public static final Duration MAX_HOLD = Duration.ofDays(7);

  public ScaleRequest {
    if (to < 0) {
      throw new IllegalArgumentException("to must be >= 0, was " + to);
    }
    if (factor < 0 || Double.isNaN(factor)) {
      throw new IllegalArgumentException("factor must be >= 0, was " + factor);
    }
    if (requestedAt == null) {
      throw new IllegalArgumentException("requestedAt must not be null");
    }
    if (hold == null || hold.isNegative() || hold.isZero() || hold.compareTo(MAX_HOLD) > 0) {
      throw new IllegalArgumentException("hold must be in (0, 7d], was " + hold);
    }
    by = by == null || by.isBlank() ? "an operator" : by;
  }

  /** The size {@code factor} times {@code current} asks for, rounded up (at least 0). */
  public static int resolve(double factor, int current) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor must be > 0, was " + factor);
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(factor * current));
  }

  public Instant until() {
    return requestedAt.plus(hold);
  }

  /** Whether it holds at {@code now}. */
  public boolean holds(Instant now) {
    return !now.isBefore(requestedAt) && now.isBefore(until());
  }

  /** The reason a decision it made gives. */
  String reason() {
    return "scale request by "
        + by
        + ": to "
        + to
        + (factor > 0 ? " (x" + factor + ")" : "")
        + ", held until "
        + until();
  }
}
