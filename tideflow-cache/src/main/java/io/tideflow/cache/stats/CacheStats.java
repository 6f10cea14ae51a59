package io.tideflow.cache.stats;

/**
 * What one cache namespace has done since it was made.
 *
 * @param nearHits reads served by the near tier
 * @param nearMisses reads the near tier could not serve
 * @param remoteHits near misses served by Redis
 * @param remoteMisses near misses Redis did not hold (or could not answer)
 * @param writes entries written by put, putAll or a load
 * @param loads loads that returned a value
 * @param loadFailures loads that threw, returned null or timed out
 * @param loadNanos time spent in successful and failed loads, summed
 * @param remoteErrors remote calls of this namespace that failed, timed out or were not sent
 * @param serializedBytes bytes of values written to Redis, before compression
 * @param storedBytes bytes of those values as stored, after compression and framing
 * @param nearSize entries in the near tier now (approximately)
 * @param evictions near entries evicted to stay within the size bound
 * @param loadsDiscarded loaded values not cached because the key was written (put, deleted or
 *     changed on another node) while the load ran; their callers still got them
 * @param pendingInvalidations keys whose deletion has not reached Redis yet, now; this node reads
 *     none of them from Redis meanwhile
 * @param invalidationsRetried failed deletions that reached Redis on a retry
 * @param pendingOverflows times more deletions failed than {@code maxPendingInvalidations}, each
 *     answered by flushing the namespace from Redis
 */
public record CacheStats(
    long nearHits,
    long nearMisses,
    long remoteHits,
    long remoteMisses,
    long writes,
    long loads,
    long loadFailures,
    long loadNanos,
    long remoteErrors,
    long serializedBytes,
    long storedBytes,
    long nearSize,
    long evictions,
    long loadsDiscarded,
    long pendingInvalidations,
    long invalidationsRetried,
    long pendingOverflows) {

  /** Reads served by either tier, over all reads; 0 when there were none. */
  public double hitRate() {
    long requests = nearHits + nearMisses;
    return requests == 0 ? 0 : (double) (nearHits + remoteHits) / requests;
  }

  /** Reads served by the near tier, over all reads. */
  public double nearHitRate() {
    long requests = nearHits + nearMisses;
    return requests == 0 ? 0 : (double) nearHits / requests;
  }

  /** Serialized over stored bytes (2.0 means half the size); 1 before anything was written. */
  public double compressionRatio() {
    return storedBytes == 0 ? 1 : (double) serializedBytes / storedBytes;
  }
}
