package io.tideflow.runtime.flow;

import io.tideflow.core.flow.Connection;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.KeyGroupStates;
import io.tideflow.core.flow.Routing;
import java.util.Map;

/**
 * A {@link KeyedStatefulProcess}'s groups as the one state the runtime keeps for an instance
 * ({@link KeyGroupStates}), checked: every group written is one the instance owns, and a state
 * taken up hashes keys into as many groups as the instance's inputs do.
 */
final class KeyedState implements StatefulProcess {
  private final KeyedStatefulProcess process;
  private final ProcessContext context;

  KeyedState(KeyedStatefulProcess process, ProcessContext context) {
    this.process = process;
    this.context = context;
  }

  /**
   * How many key groups the keyed inputs of {@code process} hash into: 0 when it has none or they
   * disagree.
   */
  static int keyGroups(Flow flow, String process) {
    int groups = 0;
    for (Connection c : flow.connections()) {
      if (c.to().equals(process) && c.routing() == Routing.KEYED) {
        if (groups != 0 && groups != c.keyGroups()) {
          return 0;
        }
        groups = c.keyGroups();
      }
    }
    return groups;
  }

  /**
   * Checks that every input of {@code process} is keyed, with one key-group count.
   *
   * @throws IllegalArgumentException naming the process and the input that is not
   */
  static void checkInputs(Flow flow, String process, String type) {
    Integer groups = null;
    for (Connection c : flow.connections()) {
      if (!c.to().equals(process)) {
        continue;
      }
      String input = c.from() + "." + c.fromPort() + " -> " + process + "." + c.toPort();
      if (c.routing() != Routing.KEYED) {
        throw new IllegalArgumentException(
            "process "
                + process
                + " ("
                + type
                + ") holds state by key group, so its inputs must be keyed; "
                + input
                + " is "
                + c.routing().name().toLowerCase(java.util.Locale.ROOT));
      }
      if (groups != null && groups != c.keyGroups()) {
        throw new IllegalArgumentException(
            "process "
                + process
                + " ("
                + type
                + ") holds state by key group, so its keyed inputs must share one key-group"
                + " count; "
                + input
                + " has "
                + c.keyGroups()
                + ", another "
                + groups);
      }
      groups = c.keyGroups();
    }
  }

  @Override
  public byte[] snapshot() throws Exception {
    Map<Integer, byte[]> groups = process.snapshotGroups();
    if (groups == null) {
      throw new IllegalStateException(id() + " returned no groups from snapshotGroups()");
    }
    byte[] state = KeyGroupStates.encode(context.keyGroups(), groups);
    for (int g : groups.keySet()) {
      if (!context.ownsKeyGroup(g)) {
        throw new IllegalStateException(
            id()
                + " wrote state for key group "
                + g
                + ", which belongs to instance "
                + io.tideflow.core.flow.KeyGroups.instance(
                    g, context.keyGroups(), context.parallelism())
                + " (a keyed input routes its keys there)");
      }
    }
    return state;
  }

  @Override
  public void restore(byte[] state) throws Exception {
    KeyGroupStates.Decoded d = KeyGroupStates.decode(state);
    if (d.keyGroups() != context.keyGroups()) {
      throw new IllegalStateException(
          "the kept state of "
              + id()
              + " hashes keys into "
              + d.keyGroups()
              + " key groups, its inputs into "
              + context.keyGroups());
    }
    process.restoreGroups(d.groups());
  }

  private String id() {
    return context.process() + "#" + context.instance();
  }
}
