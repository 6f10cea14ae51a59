package io.tideflow.runtime.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager over key material that is replaced while it serves: its alias names a generation,
 * so a handshake that chose its alias just before a reload still gets that generation's chain and
 * key, never one's certificate with the other's key.
 */
abstract class GenerationKeyManager extends X509ExtendedKeyManager {
  /** One consistent certificate chain and key. */
  interface Generation {
    long generation();

    X509Certificate[] chain();

    PrivateKey key();
  }

  /** The material to present now. */
  abstract Generation current();

  /** The material before the newest reload, or null. */
  abstract Generation previous();

  private Generation of(String alias) {
    if (alias == null) {
      return null;
    }
    Generation now = current();
    if (alias.equals(Long.toString(now.generation()))) {
      return now;
    }
    Generation before = previous();
    return before != null && alias.equals(Long.toString(before.generation())) ? before : null;
  }

  private String alias() {
    return Long.toString(current().generation());
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {alias()};
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {alias()};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generation g = of(alias);
    return g == null ? null : g.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generation g = of(alias);
    return g == null ? null : g.key();
  }
}
