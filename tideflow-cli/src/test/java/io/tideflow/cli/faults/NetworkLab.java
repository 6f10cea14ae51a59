package io.tideflow.cli.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace of the test's own, joined to the root namespace by two veth links: one for
 * the store's traffic, one for the tasks', so a test cuts one and keeps the other. Every name
 * starts with {@value #PREFIX}; {@link #create()} first deletes what an earlier run that crashed
 * left with that prefix, and {@link #close()} deletes all of it. A route {@code unreachable
 * 10.213.0.0/16} in the root namespace keeps the lab's traffic local when a link is down: without
 * it, packets for a namespace whose link is down would follow the default route off the machine.
 *
 * <pre>
 *   root namespace                         namespace {@value #NAMESPACE}
 *   tffs0 10.213.0.1/30  ---- store ----   tffs1 10.213.0.2/30
 *   tfft0 10.213.1.1/30  ---- tasks ----   tfft1 10.213.1.2/30
 * </pre>
 */
final class NetworkLab implements AutoCloseable {
  static final String PREFIX = "tff";
  static final String NAMESPACE = "tff-node";

  /** The root namespace's end of the store link. */
  static final String STORE_ROOT = "10.213.0.1";

  /** The namespace's end of the task link. */
  static final String TASKS_NODE = "10.213.1.2";

  private static final String STORE_LINK = "tffs0";
  private static final String TASKS_LINK = "tfft0";
  private static final String TASKS_LINK_INSIDE = "tfft1";
  private static final String GUARD = "10.213.0.0/16";

  private NetworkLab() {}

  static NetworkLab create() {
    removeStale();
    NetworkLab lab = new NetworkLab();
    try {
      ip("route", "add", "unreachable", GUARD);
      ip("netns", "add", NAMESPACE);
      inside("ip", "link", "set", "lo", "up");
      lab.link(STORE_LINK, "tffs1", "10.213.0.1/30", "10.213.0.2/30");
      lab.link(TASKS_LINK, TASKS_LINK_INSIDE, "10.213.1.1/30", "10.213.1.2/30");
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  private void link(String rootEnd, String nodeEnd, String rootAddress, String nodeAddress) {
    ip("link", "add", rootEnd, "type", "veth", "peer", "name", nodeEnd);
    ip("link", "set", nodeEnd, "netns", NAMESPACE);
    ip("addr", "add", rootAddress, "dev", rootEnd);
    ip("link", "set", rootEnd, "up");
    inside("ip", "addr", "add", nodeAddress, "dev", nodeEnd);
    inside("ip", "link", "set", nodeEnd, "up");
  }

  /** The command prefix that runs a process inside the namespace. */
  String[] exec() {
    return new String[] {"ip", "netns", "exec", NAMESPACE};
  }

  /**
   * Takes the task link down at the namespace's end, as a pulled cable would: the root end keeps
   * its route (marked linkdown), so what is sent is dropped without a FIN, an RST or an ICMP error,
   * and connecting anew times out. The store link stays up.
   */
  void cutTasks() {
    inside("ip", "link", "set", TASKS_LINK_INSIDE, "down");
  }

  @Override
  public void close() {
    removeStale();
  }

  /**
   * Deletes every namespace, root-side link and route of ours. Processes still inside one of our
   * namespaces are children a crashed run of this test left behind (the test's own are stopped
   * before this runs): they are killed by pid, since a namespace lives as long as one does.
   */
  private static void removeStale() {
    Shell.deleteNamespaces(PREFIX);
    // The namespace's end of a veth goes with it; the root end may outlive it for a moment.
    for (String link : List.of(STORE_LINK, TASKS_LINK)) {
      if (!run(false, "ip", "-o", "link", "show", link).isBlank()) {
        run(false, "ip", "link", "delete", link);
      }
    }
    run(false, "ip", "route", "delete", "unreachable", GUARD); // fails harmlessly when absent
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(true, command.toArray(String[]::new));
  }

  private static void inside(String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NAMESPACE));
    command.addAll(List.of(args));
    run(true, command.toArray(String[]::new));
  }

  private static String run(boolean check, String... command) {
    return Shell.run(check, command);
  }
}
