package io.tideflow.runtime.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tideflow.runtime.flow.proto.FlowServiceGrpc;
import io.tideflow.runtime.transport.proto.NodeControlGrpc;
import io.tideflow.runtime.transport.proto.TaskServiceGrpc;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Which callers a node's server lets call which methods, by the role their certificate names: tasks
 * from clients, coordinators and other nodes (whose handlers may submit); drains and terminations
 * from a coordinator alone (whose fencing token the node then checks against the store); status
 * from anyone of the cluster; flow streams from other nodes alone. A call from a role not allowed
 * ends {@code PERMISSION_DENIED} naming the caller and what it may not do, before the service sees
 * it.
 *
 * <p>Over plaintext (loopback only) there is no certificate and every call is let through: on one
 * machine, the operating system's users are the boundary.
 */
public final class CallerRoles implements ServerInterceptor {
  private static final Logger LOG = System.getLogger(CallerRoles.class.getName());

  private static final Set<Identity.Role> ANYONE =
      EnumSet.of(Identity.Role.NODE, Identity.Role.COORDINATOR, Identity.Role.CLIENT);
  private static final Set<Identity.Role> COORDINATOR = EnumSet.of(Identity.Role.COORDINATOR);
  private static final Set<Identity.Role> NODE = EnumSet.of(Identity.Role.NODE);

  /** Methods by full name; a method of the node not named here is refused to everyone. */
  private static final Map<String, Set<Identity.Role>> ALLOWED =
      Map.of(
          TaskServiceGrpc.getTasksMethod().getFullMethodName(), ANYONE,
          NodeControlGrpc.getDrainMethod().getFullMethodName(), COORDINATOR,
          NodeControlGrpc.getTerminateMethod().getFullMethodName(), COORDINATOR,
          NodeControlGrpc.getStatusMethod().getFullMethodName(), ANYONE,
          FlowServiceGrpc.getExchangeMethod().getFullMethodName(), NODE);

  /**
   * Who makes the call, as its certificate says, in the call's context (absent over plaintext): for
   * a service that checks what the caller claims to be, as a flow stream's first frame does.
   */
  public static final Context.Key<Identity> CALLER = Context.key("tideflow-caller");

  private final LongAdder denied = new LongAdder();

  /** Calls refused so far. */
  public long denied() {
    return denied.sum();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    Identity caller = caller(session);
    Set<Identity.Role> allowed = ALLOWED.getOrDefault(method, Set.of());
    if (caller != null && allowed.contains(caller.role())) {
      return Contexts.interceptCall(
          Context.current().withValue(CALLER, caller), call, headers, next);
    }
    denied.increment();
    String why =
        (caller == null ? "a caller without an identity" : caller.toString())
            + " may not call "
            + method
            + (allowed.equals(COORDINATOR) ? ": only a coordinator may" : "");
    LOG.log(Level.WARNING, "call refused: " + why);
    call.close(Status.PERMISSION_DENIED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static Identity caller(SSLSession session) {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      // The server requires client certificates, so this is a session without one: nobody.
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    List<Identity> ids = Identity.of(leaf);
    return ids.size() == 1 ? ids.get(0) : null;
  }
}
