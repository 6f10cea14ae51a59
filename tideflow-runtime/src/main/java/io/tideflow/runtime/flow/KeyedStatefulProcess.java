package io.tideflow.runtime.flow;

import java.util.Map;

/**
 * A process that holds state by key and so can be rescaled: its state is split by the {@link
 * io.tideflow.core.flow.KeyGroups key groups} of its keyed inputs, and when the vertical scaler
 * changes its parallelism every group's state goes to the instance that owns the group at the new
 * parallelism (Flink's key-group state). An instance placed again after its node died takes up the
 * groups it had, as a {@link StatefulProcess} takes up its state.
 *
 * <p>Every input of such a process must be {@link io.tideflow.core.flow.Routing#KEYED}, all with
 * the same number of key groups ({@link ProcessContext#keyGroups}); the flow fails to start
 * otherwise, naming the process. The instance owns the groups {@link ProcessContext#ownsKeyGroup}
 * says; a message's group is {@link ProcessContext#keyGroup}.
 *
 * <p>The runtime calls {@link #snapshotGroups} on the instance's own thread between two messages,
 * and {@link #restoreGroups} once, after {@link #open} and before any message, as for a {@link
 * StatefulProcess}. All groups' states together are at most {@link FlowStateStore#MAX_STATE_BYTES}
 * less a few bytes a group; a rescale that would gather more on one instance does not begin.
 */
public interface KeyedStatefulProcess extends FlowProcess {
  /**
   * The state held now for each key group that holds any; only groups this instance owns. Groups
   * left out hold nothing.
   */
  Map<Integer, byte[]> snapshotGroups() throws Exception;

  /**
   * Takes up the states of key groups this instance owns now, as instances of this process wrote
   * them with {@link #snapshotGroups}: its own former ones, or after a rescale those of the
   * instances that owned the groups before.
   */
  void restoreGroups(Map<Integer, byte[]> groups) throws Exception;
}
