package io.tideflow.bench.endtoend;

import java.util.concurrent.CompletableFuture;

/**
 * The harness's own floor: every task "runs" and completes on the caller's thread before {@link
 * #submitNoop()} returns. Whatever latency and rate it shows is the cost of the harness (permits,
 * clocks, the histogram, one {@link CompletableFuture}), not of any runtime.
 */
public final class DirectBackend implements TaskBackend {

  @Override
  public String name() {
    return "direct";
  }

  @Override
  public CompletableFuture<?> submitNoop() {
    // A fresh future each time, as a real backend would hand out; completing it runs the
    // harness's completion callback right here, on the caller.
    CompletableFuture<Object> result = new CompletableFuture<>();
    result.complete(null);
    return result;
  }

  @Override
  public void close() {
    // Nothing to release: no threads, no sockets.
  }
}
