package io.tideflow.store.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every unary etcd call a deadline. jetcd waits for a connection forever by default ("wait
 * for ready"), so without this a put to an unreachable etcd would stay queued and might be applied
 * long after we reported it failed. Streams (watch, keep-alive) and election campaigns, which
 * legitimately wait, are left alone.
 */
final class RequestDeadlineInterceptor implements ClientInterceptor {
  private final Duration timeout;

  RequestDeadlineInterceptor(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    boolean waits = method.getFullMethodName().endsWith("/Campaign");
    if (method.getType() == MethodDescriptor.MethodType.UNARY
        && !waits
        && callOptions.getDeadline() == null) {
      return next.newCall(
          method, callOptions.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }
    return next.newCall(method, callOptions);
  }
}
