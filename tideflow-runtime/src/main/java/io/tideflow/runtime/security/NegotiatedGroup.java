package io.tideflow.runtime.security;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/** The key-exchange group a handshake agreed on, as far as the TLS stack tells. */
final class NegotiatedGroup {
  /** What is reported when the stack does not say (the JDK's engine has no such query). */
  static final String UNKNOWN = "unknown";

  private NegotiatedGroup() {}

  /**
   * The group of {@code engine}'s handshake. Asked while the peer's certificate is checked: in TLS
   * 1.3 the key shares were exchanged before any certificate is sent, so it is known by then.
   */
  static String of(SSLEngine engine) {
    if (!(engine instanceof ReferenceCountedOpenSslEngine openSsl)) {
      return UNKNOWN;
    }
    try {
      String name = SSL.getGroupName(openSsl.sslPointer());
      return name == null || name.isBlank() ? UNKNOWN : name;
    } catch (Exception e) {
      // The native call throws when the engine is already freed: the handshake is gone anyway.
      return UNKNOWN;
    }
  }
}
