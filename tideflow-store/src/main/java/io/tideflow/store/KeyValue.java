package io.tideflow.store;

/**
 * A stored key and its value. For a DELETE watch event, the value is empty and {@code
 * modRevision} is the revision of the delete.
 */
public record KeyValue(
    String key, byte[] value, long createRevision, long modRevision, long leaseId) {}
