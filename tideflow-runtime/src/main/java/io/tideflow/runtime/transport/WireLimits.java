package io.tideflow.runtime.transport;

/** Size limits on what crosses the wire between nodes. */
public final class WireLimits {
  /** Largest gRPC message a node accepts (gRPC's own default). */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** Largest task payload or result; a batch of tasks stays under {@link #MAX_MESSAGE_BYTES}. */
  public static final int MAX_PAYLOAD_BYTES = 1024 * 1024;

  /** Bytes a batch is filled up to before it is sent. */
  public static final int BATCH_BYTES = 2 * 1024 * 1024;

  /** Items a batch holds at most. */
  public static final int BATCH_ITEMS = 512;

  private WireLimits() {}
}
