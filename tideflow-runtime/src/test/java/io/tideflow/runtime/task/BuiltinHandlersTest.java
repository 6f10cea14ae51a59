package io.tideflow.runtime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BuiltinHandlersTest {
  private static final TaskHandler PRIMES = TaskHandlers.builtins().get("primes");

  @Test
  void primesCountsThePrimesBelowItsPayload() throws Exception {
    assertThat(new String(PRIMES.run(ascii("100")), StandardCharsets.US_ASCII)).isEqualTo("25");
    assertThat(TaskHandlers.countPrimesBelow(100)).isEqualTo(25);
  }

  @Test
  void primesEndsWithAnInterruptedFailureWhenItsThreadIsInterrupted() throws Exception {
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    // Far more work than the test waits for: only the interrupt can end it in time.
    Thread worker =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    PRIMES.run(ascii(Long.toString(Long.MAX_VALUE)));
                    outcome.complete(null);
                  } catch (Throwable t) {
                    outcome.complete(t);
                  }
                });

    worker.interrupt();

    assertThat(outcome)
        .succeedsWithin(Duration.ofSeconds(10))
        .isInstanceOf(InterruptedException.class);
    assertThat(worker.join(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void primesAlreadyInterruptedStopsAtItsFirstNumber() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> PRIMES.run(ascii("1000000000")))
          .isInstanceOf(InterruptedException.class)
          .hasMessage("primes below 1000000000 interrupted at 2");
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    } finally {
      Thread.interrupted(); // never leak an interrupt into the next test
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
