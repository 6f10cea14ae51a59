package io.tideflow.store;

/**
 * A watch asked for a revision the store no longer keeps. List the keys again and watch from the
 * snapshot's revision + 1.
 */
public class RevisionCompactedException extends RuntimeException {
  private final long compactedRevision;

  public RevisionCompactedException(long requestedRevision, long compactedRevision) {
    super(
        "revision "
            + requestedRevision
            + " has been compacted (history kept only after revision "
            + compactedRevision
            + "): list again and watch from the snapshot's revision + 1");
    this.compactedRevision = compactedRevision;
  }

  /** The newest revision the store has dropped; watches may start after it. */
  public long compactedRevision() {
    return compactedRevision;
  }
}
