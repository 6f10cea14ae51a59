package io.tideflow.cli.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Machines of the test's own: one network namespace per host, each with an {@code eth0} on a bridge
 * in the root namespace, which is a host too (the test's own JVM, at {@value #ROOT}). Hosts are
 * numbered in order from 10.214.0.11; nothing is routed off the machine (the subnet is the bridge's
 * own, and the hosts have no default route). Every name starts with {@value #PREFIX}; {@link
 * #create} first deletes what a crashed run left with that prefix, {@link #close} all of it.
 *
 * <pre>
 *   root namespace: tfh-br 10.214.0.1/24
 *     ├── tfh-etcd ── eth0 10.214.0.11   (namespace tfh-etcd)
 *     ├── tfh-w1   ── eth0 10.214.0.12   (namespace tfh-w1)
 *     └── ...
 * </pre>
 */
final class HostLab implements AutoCloseable {
  static final String PREFIX = "tfh-";
  static final String ROOT = "10.214.0.1";
  private static final String BRIDGE = PREFIX + "br";

  private final Map<String, String> addresses = new LinkedHashMap<>();

  private HostLab() {}

  /** A host per name (at most 11 characters), joined by the bridge. */
  static HostLab create(String... hosts) {
    removeStale();
    HostLab lab = new HostLab();
    try {
      ip("link", "add", BRIDGE, "type", "bridge");
      ip("addr", "add", ROOT + "/24", "dev", BRIDGE);
      ip("link", "set", BRIDGE, "up");
      int next = 11;
      for (String host : hosts) {
        lab.addHost(host, "10.214.0." + next++);
      }
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  private void addHost(String host, String address) {
    String ns = PREFIX + host;
    String outside = PREFIX + host;
    String inside = "tfhi-" + host;
    ip("netns", "add", ns);
    run(true, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    ip("link", "add", outside, "type", "veth", "peer", "name", inside);
    ip("link", "set", inside, "netns", ns);
    run(true, "ip", "netns", "exec", ns, "ip", "link", "set", inside, "name", "eth0");
    run(true, "ip", "netns", "exec", ns, "ip", "addr", "add", address + "/24", "dev", "eth0");
    run(true, "ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
    ip("link", "set", outside, "master", BRIDGE);
    ip("link", "set", outside, "up");
    addresses.put(host, address);
  }

  /** Where {@code host} is reached. */
  String address(String host) {
    String a = addresses.get(host);
    if (a == null) {
      throw new IllegalArgumentException("no host " + host + " in " + addresses.keySet());
    }
    return a;
  }

  /** The command prefix that runs a process on {@code host}. */
  String[] exec(String host) {
    address(host);
    return new String[] {"ip", "netns", "exec", PREFIX + host};
  }

  /**
   * Takes {@code host}'s only link down, as a pulled cable would: it reaches nobody, nobody reaches
   * it, and what was sent to it is dropped without a FIN or RST.
   */
  void cut(String host) {
    run(true, "ip", "netns", "exec", PREFIX + host, "ip", "link", "set", "eth0", "down");
  }

  @Override
  public void close() {
    removeStale();
  }

  /**
   * Deletes every namespace and link of ours. Processes still inside one of our namespaces are
   * children a crashed run left behind: killed by pid, since a namespace lives as long as one does.
   */
  private static void removeStale() {
    Shell.deleteNamespaces(PREFIX);
    for (String line : run(false, "ip", "-o", "link", "show").lines().toList()) {
      // "7: tfh-w1@if6: <...>": the name, without the peer after '@'.
      String[] fields = line.split(":\\s+", 3);
      if (fields.length > 1) {
        String name = fields[1].split("@")[0];
        if (name.startsWith(PREFIX)) {
          run(false, "ip", "link", "delete", name);
        }
      }
    }
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(true, command.toArray(String[]::new));
  }

  private static String run(boolean check, String... command) {
    return Shell.run(check, command);
  }
}
