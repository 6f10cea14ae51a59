package io.tideflow.cache.remote;

/**
 * Redis could not serve a call: it failed, timed out, or the circuit breaker kept it from being
 * sent. Checked on purpose: the cache must handle every one (serve from the near tier or the
 * loader), so none reaches the application.
 */
public final class RemoteUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public RemoteUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public RemoteUnavailableException(String message) {
    super(message);
  }
}
