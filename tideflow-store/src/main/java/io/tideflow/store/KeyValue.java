package io.tideflow.store;

/**
 * A stored key and its value. For a DELETE watch event, the value is empty, {@code modRevision} is
 * the revision of the delete and {@code createRevision} and {@code leaseId} are 0. {@code leaseId}
 * is 0 for a key written without a lease.
 */
public record KeyValue(
    String key, byte[] value, long createRevision, long modRevision, long leaseId) {}
