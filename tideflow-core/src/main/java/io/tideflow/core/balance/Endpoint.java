package io.tideflow.core.balance;

/**
 * One place a request or message can go.
 *
 * @param id stable identity (a node id); statistics follow it across endpoint updates
 * @param address where it listens, {@code host:port}
 * @param healthy false when health checking or the node registry says not to use it
 */
public record Endpoint(String id, String address, boolean healthy) {
  public Endpoint {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException(
          "id must not be blank, was " + (id == null ? "null" : "'" + id + "'"));
    }
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException(
          "address must not be blank, was " + (address == null ? "null" : "'" + address + "'"));
    }
  }

  public static Endpoint healthy(String id, String address) {
    return new Endpoint(id, address, true);
  }
}
