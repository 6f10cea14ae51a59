package io.tideflow.runtime.membership;

/** The size bound every record read from the store is held to before it is parsed. */
public final class RecordLimits {
  private RecordLimits() {}

  /**
   * @param what the record, as a message names it, e.g. {@code "load history"}
   * @throws IllegalArgumentException naming {@code what}, {@code key} and the bound when {@code
   *     bytes} are longer than {@code max}
   */
  public static void check(String what, String key, byte[] bytes, int max) {
    if (bytes.length > max) {
      throw new IllegalArgumentException(
          what + " at " + key + " is " + bytes.length + " bytes, over " + max);
    }
  }
}
