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

  /** Longest handler name a task may carry, in chars. */
  public static final int MAX_HANDLER_NAME_CHARS = 256;

  /** Longest idempotency key a task may carry, in chars. */
  public static final int MAX_IDEMPOTENCY_KEY_CHARS = 256;

  /** Longest error text a result carries, in chars; a longer one is truncated with a marker. */
  public static final int MAX_ERROR_MESSAGE_CHARS = 4096;

  /**
   * Largest encoded result, so that one result alone still makes a stream message under {@link
   * #MAX_MESSAGE_BYTES}; the margin leaves room for the batch's own fields.
   */
  public static final int MAX_RESULT_BYTES = MAX_MESSAGE_BYTES - 1024;

  /**
   * Which of a task's names exceeds its limit, as a sentence naming the field and the limit; null
   * when both fit. Checked by the client before it sends and by the worker on arrival, with the
   * same words.
   */
  public static String overLimit(String handler, String idempotencyKey) {
    int name = handler.length();
    if (name > MAX_HANDLER_NAME_CHARS) {
      return "handler name is " + name + " chars, more than the limit of " + MAX_HANDLER_NAME_CHARS;
    }
    int key = idempotencyKey.length();
    if (key > MAX_IDEMPOTENCY_KEY_CHARS) {
      return "idempotency key is "
          + key
          + " chars, more than the limit of "
          + MAX_IDEMPOTENCY_KEY_CHARS;
    }
    return null;
  }

  private WireLimits() {}
}
