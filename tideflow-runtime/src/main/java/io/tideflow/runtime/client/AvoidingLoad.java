package io.tideflow.runtime.client;

import io.tideflow.core.placement.LiveLoad;

/** The client's live load with one node left out: the node that just turned a task back. */
record AvoidingLoad(LiveLoad load, String avoided) implements LiveLoad {
  @Override
  public int inFlight(String nodeId) {
    return load.inFlight(nodeId);
  }

  @Override
  public boolean excluded(String nodeId) {
    return nodeId.equals(avoided) || load.excluded(nodeId);
  }
}
