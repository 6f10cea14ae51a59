package io.tideflow.runtime.flow;

import io.tideflow.runtime.flow.proto.ChannelId;

/**
 * Names one channel of a flow across nodes: the connection (by its index in the flow), the sending
 * instance and the receiving instance. Both ends derive it from the same flow, so it needs no
 * negotiation.
 */
record ChannelKey(String flow, int connection, int sender, int receiver) {
  static ChannelKey of(ChannelId id) {
    return new ChannelKey(id.getFlow(), id.getConnection(), id.getSender(), id.getReceiver());
  }

  ChannelId toProto() {
    return ChannelId.newBuilder()
        .setFlow(flow)
        .setConnection(connection)
        .setSender(sender)
        .setReceiver(receiver)
        .build();
  }

  @Override
  public String toString() {
    return flow + "/" + connection + "/" + sender + "->" + receiver;
  }
}
