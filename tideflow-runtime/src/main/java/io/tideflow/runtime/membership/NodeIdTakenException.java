package io.tideflow.runtime.membership;

/** Another live node holds the id a node tried to register under. */
public final class NodeIdTakenException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String nodeId;

  public NodeIdTakenException(String nodeId, String holderAddress) {
    super(
        "node id "
            + nodeId
            + " is registered by another live node at "
            + holderAddress
            + ": every node needs an id of its own");
    this.nodeId = nodeId;
  }

  public String nodeId() {
    return nodeId;
  }
}
