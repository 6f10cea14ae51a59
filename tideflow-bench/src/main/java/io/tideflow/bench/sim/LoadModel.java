package io.tideflow.bench.sim;

import java.util.SplittableRandom;

/**
 * How many tasks a second arrive at simulated time {@code t}: the offered load of a simulation.
 * Pure and deterministic: noise, where a model has it, is drawn from the seed and the minute, so
 * the same model gives the same rate whatever else the simulation draws.
 */
public interface LoadModel {
  /** Tasks per second arriving at {@code atMillis} since the simulation's start. */
  double rate(long atMillis);

  /** A short description for reports. */
  String describe();

  /**
   * {@code base} scaled by a normal noise of relative size {@code noise}, the same for every
   * instant of a minute and drawn from {@code seed} and the minute alone.
   */
  static double noisy(double base, double noise, long seed, long atMillis) {
    if (noise == 0) {
      return base;
    }
    long minute = Math.floorDiv(atMillis, 60_000L);
    double n = new SplittableRandom(seed * 1_000_003L + minute).nextGaussian();
    return Math.max(0, base * (1 + noise * n));
  }

  /**
   * A daily cycle: {@code low} at 04:00, {@code high} at 16:00 (a raised cosine between), each
   * minute scaled by a normal noise of relative size {@code noise}.
   */
  record Diurnal(double low, double high, double noise, long seed) implements LoadModel {
    private static final long DAY = 86_400_000L;

    @Override
    public double rate(long atMillis) {
      double phase = 2 * Math.PI * (Math.floorMod(atMillis, DAY) - 4 * 3_600_000L) / DAY;
      double base = low + (high - low) * (1 - Math.cos(phase)) / 2;
      return noisy(base, noise, seed, atMillis);
    }

    @Override
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "diurnal %.0f-%.0f tasks/s, noise %.0f %%",
          low,
          high,
          100 * noise);
    }
  }

  /**
   * A working day: {@code low} at night, rising linearly to {@code high} over {@code rampMinutes}
   * from 08:00, {@code high} until 18:00, back to {@code low} over the same ramp; each minute
   * scaled by a normal noise of relative size {@code noise}. The steep morning ramp is where a pool
   * that only reacts falls behind.
   */
  record WorkingDay(double low, double high, int rampMinutes, double noise, long seed)
      implements LoadModel {
    @Override
    public double rate(long atMillis) {
      double minute = Math.floorMod(atMillis, 86_400_000L) / 60_000.0;
      double up = Math.clamp((minute - 8 * 60) / rampMinutes, 0, 1);
      double down = Math.clamp((minute - 18 * 60) / rampMinutes, 0, 1);
      double base = low + (high - low) * (up - down);
      return noisy(base, noise, seed, atMillis);
    }

    @Override
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "working day %.0f-%.0f tasks/s, %d min ramps, noise %.0f %%",
          low,
          high,
          rampMinutes,
          100 * noise);
    }
  }

  /** {@code before} tasks/s until {@code atMillis}, then {@code after}. */
  record Step(double before, double after, long atMillis) implements LoadModel {
    @Override
    public double rate(long t) {
      return t < atMillis ? before : after;
    }

    @Override
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "step %.0f -> %.0f tasks/s at %d min",
          before,
          after,
          atMillis / 60_000);
    }
  }

  /** {@code base} tasks/s with {@code peak} for {@code lengthMillis} from {@code atMillis}. */
  record Spike(double base, double peak, long atMillis, long lengthMillis) implements LoadModel {
    @Override
    public double rate(long t) {
      return t >= atMillis && t < atMillis + lengthMillis ? peak : base;
    }

    @Override
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "spike %.0f -> %.0f tasks/s for %d min at %d min",
          base,
          peak,
          lengthMillis / 60_000,
          atMillis / 60_000);
    }
  }

  /** {@code model} repeated on every day it covers, each day's rate times {@code growth}^day. */
  record Growing(LoadModel model, double growth) implements LoadModel {
    @Override
    public double rate(long t) {
      return model.rate(t) * Math.pow(growth, Math.floorDiv(t, 86_400_000L));
    }

    @Override
    public String describe() {
      return model.describe() + String.format(java.util.Locale.ROOT, ", x%.2f a day", growth);
    }
  }
}
