package io.tideflow.store;

import java.util.concurrent.CompletableFuture;

/**
 * Leadership won in an election. Any action taken as leader carries {@link #fencingToken()}, so
 * receivers can reject a deposed leader's actions (tokens older than the newest they have seen).
 */
public interface Leadership {
  String election();

  String candidate();

  /** Grows with each new leader of the election (the store revision at which this one won). */
  long fencingToken();

  /** Completes when this leadership has ended: resigned, or its lease ended. */
  CompletableFuture<Void> lost();

  /** Gives up leadership; another candidate may then win. */
  CompletableFuture<Void> resign();
}
