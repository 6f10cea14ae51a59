package io.tideflow.core.placement;

/**
 * What a caller of {@link PlacementStrategy} knows about nodes beyond the view: work it has sent
 * there and not yet seen finish, and nodes it has stopped using (an open connection broke).
 * Implementations are read by the strategy only; they must answer without blocking.
 */
public interface LiveLoad {

  LiveLoad NONE =
      new LiveLoad() {
        @Override
        public int inFlight(String nodeId) {
          return 0;
        }

        @Override
        public boolean excluded(String nodeId) {
          return false;
        }
      };

  /** Tasks the caller has in flight on that node. */
  int inFlight(String nodeId);

  /** True when the caller must not place on that node. */
  boolean excluded(String nodeId);
}
