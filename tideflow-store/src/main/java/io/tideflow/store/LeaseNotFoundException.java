package io.tideflow.store;

/** A write named a lease that has expired or was revoked. */
public class LeaseNotFoundException extends RuntimeException {
  public LeaseNotFoundException(long leaseId) {
    super("lease " + Long.toHexString(leaseId) + " not found: it expired or was revoked");
  }
}
