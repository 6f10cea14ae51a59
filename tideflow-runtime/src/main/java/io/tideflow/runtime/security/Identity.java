package io.tideflow.runtime.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who a certificate speaks for, written into it as a URI subject alternative name in the SPIFFE
 * form {@code spiffe://<trust domain>/<role>/<name>}, as Istio, Linkerd and SPIRE write theirs: a
 * worker node {@code spiffe://tideflow/node/worker-1}, a client {@code
 * spiffe://tideflow/client/etl}. A client dials a node only if the node's certificate names the
 * node id the registry gives, so a registry entry forged at another address receives nothing.
 *
 * @param trustDomain the cluster's name, shared by every certificate its CA issues
 * @param role what the holder may do
 * @param name a node id or a client's name
 */
public record Identity(String trustDomain, Role role, String name) {
  /** What the holder of a certificate is. */
  public enum Role {
    /** A worker node: serves tasks, may submit them from its handlers. */
    NODE,
    /** A coordinator: may drain and terminate nodes (with its fencing token) and submit tasks. */
    COORDINATOR,
    /** A client: submits tasks and reads status. */
    CLIENT,
    /**
     * A server the cluster uses, such as etcd or Redis: its certificate names the hosts it is
     * dialled at; it calls no node.
     */
    SERVICE;

    String path() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Letters, digits, {@code .}, {@code _} and {@code -}; a DNS label's length. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  public Identity {
    if (trustDomain == null || !TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException(
          "trustDomain must be lower-case letters, digits, '.', '_' or '-' (at most 63), was '"
              + trustDomain
              + "'");
    }
    if (role == null) {
      throw new IllegalArgumentException("role must not be null");
    }
    checkName(name);
  }

  /** Checks that {@code name} can be a node id or client name in a certificate. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a name in a certificate must be letters, digits, '.', '_' or '-', starting with a letter"
              + " or digit, at most 63 characters; was '"
              + name
              + "'");
    }
    return name;
  }

  /** The SPIFFE URI. */
  public String uri() {
    return "spiffe://" + trustDomain + "/" + role.path() + "/" + name;
  }

  /**
   * Reads a SPIFFE URI of this form.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Identity parse(String uri) {
    String prefix = "spiffe://";
    if (uri == null || !uri.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "identity must be spiffe://<trust domain>/<role>/<name>, was '" + uri + "'");
    }
    String[] parts = uri.substring(prefix.length()).split("/", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "identity must be spiffe://<trust domain>/<role>/<name>, was '" + uri + "'");
    }
    Role role = null;
    for (Role r : Role.values()) {
      if (r.path().equals(parts[1])) {
        role = r;
      }
    }
    if (role == null) {
      throw new IllegalArgumentException(
          "identity role must be node, coordinator, client or service, was '"
              + parts[1]
              + "' in "
              + uri);
    }
    return new Identity(parts[0], role, parts[2]);
  }

  /**
   * The identities {@code certificate} names: its URI subject alternative names of this form
   * (others, and malformed ones, are not identities and are left out).
   */
  public static List<Identity> of(X509Certificate certificate) {
    List<Identity> found = new ArrayList<>();
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      // An extension that cannot be parsed names nobody; the caller refuses a peer without one.
      return found;
    }
    if (names == null) {
      return found;
    }
    for (List<?> san : names) {
      // Type 6 is uniformResourceIdentifier (RFC 5280, 4.2.1.6).
      if (san.size() == 2
          && Integer.valueOf(6).equals(san.get(0))
          && san.get(1) instanceof String s) {
        try {
          found.add(parse(s));
        } catch (IllegalArgumentException notOurs) {
          // A URI of another scheme or shape names no Tideflow identity; skipping it is the rule.
        }
      }
    }
    return found;
  }

  @Override
  public String toString() {
    return uri();
  }
}
