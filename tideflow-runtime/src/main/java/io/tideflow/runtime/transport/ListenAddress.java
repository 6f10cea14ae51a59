package io.tideflow.runtime.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a listener binds and the host others reach it at, as etcd's {@code --listen-*} and {@code
 * --advertise-*} URLs or Kafka's {@code listeners} and {@code advertised.listeners} split them. A
 * node binding a wildcard ({@code 0.0.0.0}, {@code ::}) cannot tell others to dial the wildcard, so
 * it advertises one of this machine's addresses unless told which; behind NAT or in a pod, name the
 * advertised host.
 *
 * @param bindHost the interface to listen on: a name or an address literal
 * @param advertiseHost what the registry records for others to dial; never a wildcard
 */
public record ListenAddress(String bindHost, String advertiseHost) {
  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** The default: loopback only, which needs no credentials. */
  public static final ListenAddress LOOPBACK = new ListenAddress("127.0.0.1", "127.0.0.1");

  public ListenAddress {
    // HostPort checks blankness, length and stray brackets the same way for both.
    new HostPort(bindHost, 0);
    new HostPort(advertiseHost, 0);
    if (literal(advertiseHost).filter(InetAddress::isAnyLocalAddress).isPresent()) {
      throw new IllegalArgumentException(
          "advertiseHost must be an address others can dial, not the wildcard " + advertiseHost);
    }
  }

  /**
   * Binds {@code bindHost} and advertises {@code advertiseHost}, or, when that is null, the bind
   * host itself, or for a wildcard bind this machine's first address that is up and neither
   * loopback nor link-local (of the wildcard's family first; loopback when there is none).
   *
   * @throws IllegalArgumentException when {@code bindHost} is not an address of this machine's
   *     resolver or the interfaces cannot be listed
   */
  public static ListenAddress of(String bindHost, String advertiseHost) {
    InetAddress bind = resolve(bindHost);
    if (advertiseHost != null) {
      return new ListenAddress(bindHost, advertiseHost);
    }
    if (!bind.isAnyLocalAddress()) {
      return new ListenAddress(bindHost, bindHost);
    }
    boolean preferV6 = bind instanceof Inet6Address;
    InetAddress chosen =
        pick(interfaceAddresses(), preferV6)
            .orElse(preferV6 ? InetAddress.getLoopbackAddress() : loopbackV4());
    return new ListenAddress(bindHost, chosen.getHostAddress().replaceFirst("%.*$", ""));
  }

  /**
   * The first of {@code candidates} that others could dial, of the preferred family if any is: not
   * loopback, link-local or a wildcard.
   */
  static Optional<InetAddress> pick(List<InetAddress> candidates, boolean preferV6) {
    List<InetAddress> usable = new ArrayList<>();
    for (InetAddress a : candidates) {
      if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
        usable.add(a);
      }
    }
    return usable.stream()
        .filter(a -> (a instanceof Inet6Address) == preferV6)
        .findFirst()
        .or(() -> usable.stream().findFirst());
  }

  /** The socket to bind for {@code port}. */
  public InetSocketAddress bindSocket(int port) {
    return new InetSocketAddress(resolve(bindHost), port);
  }

  /** Whether only this machine can reach the listener: it binds a loopback address. */
  public boolean loopbackOnly() {
    return resolve(bindHost).isLoopbackAddress();
  }

  /** {@code advertiseHost:port} as the registry records it, IPv6 in brackets. */
  public String advertised(int port) {
    return new HostPort(advertiseHost, port).toString();
  }

  private static InetAddress resolve(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bind address " + host + " is unknown", e);
    }
  }

  /** The address {@code host} spells if it is a literal; never a name lookup. */
  private static Optional<InetAddress> literal(String host) {
    if (host.indexOf(':') < 0 && !IPV4_LITERAL.matcher(host).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address " + host + " is not a valid literal", e);
    }
  }

  private static InetAddress loopbackV4() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4-byte address is always valid", e);
    }
  }

  private static List<InetAddress> interfaceAddresses() {
    try {
      List<InetAddress> all = new ArrayList<>();
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp()) {
          all.addAll(Collections.list(nic.getInetAddresses()));
        }
      }
      return all;
    } catch (SocketException e) {
      throw new IllegalArgumentException(
          "cannot list this machine's interfaces to choose an address to advertise: "
              + e.getMessage()
              + "; name one with --advertise",
          e);
    }
  }
}
