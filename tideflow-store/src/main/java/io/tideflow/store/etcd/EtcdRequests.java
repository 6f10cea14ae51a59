package io.tideflow.store.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Starts jetcd calls and hands their outcome to the store's executor, with jetcd's failures mapped
 * to the store's. jetcd completes its futures on its own pool; nothing returned from here ever
 * completes there, nor on the caller's thread inside the call.
 */
final class EtcdRequests {
  private final EtcdErrors errors;
  private final Executor completions;
  private final Duration requestTimeout;
  private final BooleanSupplier closed;

  EtcdRequests(
      EtcdErrors errors, Executor completions, Duration requestTimeout, BooleanSupplier closed) {
    this.errors = errors;
    this.completions = completions;
    this.requestTimeout = requestTimeout;
    this.closed = closed;
  }

  Executor completions() {
    return completions;
  }

  boolean isClosed() {
    return closed.getAsBoolean();
  }

  EtcdErrors errors() {
    return errors;
  }

  /** A request that fails with StoreUnavailableException after the request timeout. */
  <S, T> CompletableFuture<T> timed(
      Supplier<CompletableFuture<S>> call, Function<S, T> convert, long leaseId) {
    return relay(call, convert, leaseId, true);
  }

  /** A request that may wait as long as it needs (an election campaign). */
  <S, T> CompletableFuture<T> untimed(
      Supplier<CompletableFuture<S>> call, Function<S, T> convert, long leaseId) {
    return relay(call, convert, leaseId, false);
  }

  private <S, T> CompletableFuture<T> relay(
      Supplier<CompletableFuture<S>> call, Function<S, T> convert, long leaseId, boolean timed) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (closed.getAsBoolean()) {
      completions.execute(() -> result.completeExceptionally(errors.closed()));
      return result;
    }
    CompletableFuture<S> source;
    try {
      source = call.get();
    } catch (RuntimeException e) {
      source = CompletableFuture.failedFuture(e);
    }
    if (timed) {
      source = source.orTimeout(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    source.whenComplete(
        (value, error) ->
            completions.execute(() -> finish(result, value, error, convert, leaseId)));
    return result;
  }

  private <S, T> void finish(
      CompletableFuture<T> result, S value, Throwable error, Function<S, T> convert, long leaseId) {
    if (error != null && closed.getAsBoolean()) {
      // Calls cut short by close() fail with gRPC's CANCELLED; say what happened instead.
      result.completeExceptionally(errors.closed(error));
      return;
    }
    if (error != null) {
      result.completeExceptionally(errors.map(error, leaseId));
      return;
    }
    try {
      result.complete(convert.apply(value));
    } catch (RuntimeException e) {
      result.completeExceptionally(errors.map(e, leaseId));
    }
  }
}
