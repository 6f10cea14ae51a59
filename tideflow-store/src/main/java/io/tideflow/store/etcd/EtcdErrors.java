package io.tideflow.store.etcd;

import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.tideflow.store.LeaseNotFoundException;
import io.tideflow.store.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what jetcd and gRPC throw into the store's failures. jetcd reports the same condition in
 * several ways (an {@link EtcdException} with an error code, a gRPC status somewhere in the cause
 * chain, or only a message), so each rule looks at all of them.
 */
final class EtcdErrors {
  private static final String LEASE_NOT_FOUND = "requested lease not found";

  private final String endpoints;
  private final Duration requestTimeout;

  EtcdErrors(List<String> endpoints, Duration requestTimeout) {
    this.endpoints = String.join(",", endpoints.stream().map(EtcdErrors::hostPort).toList());
    this.requestTimeout = requestTimeout;
  }

  /** The failure to report for {@code error} of a request that named {@code leaseId} (or 0). */
  Throwable map(Throwable error, long leaseId) {
    Throwable cause = unwrap(error);
    if (cause instanceof StoreUnavailableException || cause instanceof LeaseNotFoundException) {
      return cause;
    }
    if (leaseId != 0 && isLeaseNotFound(cause)) {
      return new LeaseNotFoundException(leaseId);
    }
    if (cause instanceof TimeoutException || hasCode(cause, Status.Code.DEADLINE_EXCEEDED)) {
      return unreachable(cause);
    }
    if (hasCode(cause, Status.Code.UNAVAILABLE) || cause instanceof ClosedClientException) {
      return new StoreUnavailableException(
          "cannot reach etcd at " + endpoints + ": " + cause.getMessage(), cause);
    }
    return cause;
  }

  StoreUnavailableException unreachable(Throwable cause) {
    return new StoreUnavailableException(
        "cannot reach etcd at " + endpoints + " within " + format(requestTimeout), cause);
  }

  StoreUnavailableException closed() {
    return new StoreUnavailableException("etcd store for " + endpoints + " is closed");
  }

  StoreUnavailableException closed(Throwable cause) {
    return new StoreUnavailableException("etcd store for " + endpoints + " is closed", cause);
  }

  static boolean isLeaseNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(LEASE_NOT_FOUND)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasCode(Throwable error, Status.Code code) {
    if (Status.fromThrowable(error).getCode() == code) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof EtcdException etcd && etcd.getErrorCode().name().equals(code.name())) {
        return true;
      }
    }
    return false;
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String hostPort(String endpoint) {
    int scheme = endpoint.indexOf("://");
    return scheme < 0 ? endpoint : endpoint.substring(scheme + 3);
  }

  static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
