package io.tideflow.core.flow;

/** How a connection spreads the messages of a sending process's instances over the receiver's. */
public enum Routing {
  /** Instance i sends to instance i only; both processes have the same parallelism. */
  FORWARD,
  /** Each sending instance deals its messages to the receiving instances in turn. */
  ROUND_ROBIN,
  /**
   * By the hash of the message's key, through key groups: a key's group is fixed, and the groups
   * are split among the receiving instances, so rescaling moves whole groups (Flink's scheme).
   */
  KEYED,
  /** Every receiving instance gets every message. */
  BROADCAST
}
