package io.tideflow.runtime.flow;

import io.tideflow.runtime.flow.proto.ChannelId;

/**
 * Names one channel of a flow across nodes: the flow's deployment (its generation), the connection
 * (by its index in the flow), the sending instance and the receiving instance. Both ends derive it
 * from the same deployed flow, so it needs no negotiation.
 */
record ChannelKey(String flow, long generation, int connection, int sender, int receiver) {
  static ChannelKey of(ChannelId id) {
    return new ChannelKey(
        id.getFlow(), id.getGeneration(), id.getConnection(), id.getSender(), id.getReceiver());
  }

  /** Whether this channel belongs to {@code flow}'s deployment {@code generation}. */
  boolean of(String flow, long generation) {
    return this.flow.equals(flow) && this.generation == generation;
  }

  ChannelId toProto() {
    return ChannelId.newBuilder()
        .setFlow(flow)
        .setGeneration(generation)
        .setConnection(connection)
        .setSender(sender)
        .setReceiver(receiver)
        .build();
  }

  @Override
  public String toString() {
    return flow + "@" + generation + "/" + connection + "/" + sender + "->" + receiver;
  }
}
