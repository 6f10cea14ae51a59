package io.tideflow.core.model;

import java.time.Duration;
import java.util.Map;

/**
 * A one-shot task: which handler runs it, on what input, needing what, where it may run.
 *
 * <p>The payload array is owned by the spec once built: callers must not change it afterwards.
 *
 * @param handler the handler's registered name; workers run the same code and look it up by name
 * @param payload the input bytes handed to the handler
 * @param demand resources the task holds while it runs
 * @param labelSelector labels a node must carry, each with exactly this value
 * @param idempotencyKey identifies retries of the same logical task so a worker runs it once; empty
 *     when the task has none
 * @param maxAttempts how many nodes may be tried in all before the task fails
 * @param timeout how long one attempt may take before the task fails
 * @param placement where the task may run and what it holds there: built from {@code demand} and
 *     {@code labelSelector} when null; when given, its demand must equal {@code demand} and {@code
 *     labelSelector} must be empty (the request's selector says it all)
 */
public record TaskSpec(
    String handler,
    byte[] payload,
    Resources demand,
    Map<String, String> labelSelector,
    String idempotencyKey,
    int maxAttempts,
    Duration timeout,
    PlacementRequest placement) {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public TaskSpec {
    Checks.notBlank("handler", handler);
    Checks.notNull("payload", payload);
    Checks.notNull("demand", demand);
    labelSelector = Checks.labels("labelSelector", labelSelector);
    Checks.notNull("idempotencyKey", idempotencyKey);
    Checks.positive("maxAttempts", maxAttempts);
    Checks.notNull("timeout", timeout);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
    }
    if (placement == null) {
      placement = PlacementRequest.of(demand, labelSelector);
    } else {
      if (!placement.demand().equals(demand)) {
        throw new IllegalArgumentException(
            "demand " + demand + " must equal the placement request's " + placement.demand());
      }
      if (!labelSelector.isEmpty()) {
        throw new IllegalArgumentException(
            "labelSelector must be empty when a placement request is"
                + " given (put it in the request's selector), was "
                + labelSelector);
      }
    }
  }

  public static Builder builder(String handler) {
    return new Builder(handler);
  }

  /** True when {@code node}'s labels satisfy this task's selector. */
  public boolean selects(NodeInfo node) {
    return placement.selector().matches(node.labels());
  }

  @Override
  public String toString() {
    return "TaskSpec[handler="
        + handler
        + ", payload="
        + payload.length
        + "B, demand="
        + demand
        + ", selector="
        + labelSelector
        + ", key="
        + idempotencyKey
        + ", maxAttempts="
        + maxAttempts
        + ", timeout="
        + timeout
        + (placement.hasAffinity()
                || !placement.latencyBounds().isEmpty()
                || !placement.tolerations().isEmpty()
                || !placement.dataKey().isEmpty()
                || !placement.workLabels().isEmpty()
            ? ", placement=" + placement
            : "")
        + "]";
  }

  /** Builds a {@link TaskSpec}; only the handler is required. */
  public static final class Builder {
    private final String handler;
    private byte[] payload = new byte[0];
    private Resources demand = Resources.ZERO;
    private Map<String, String> labelSelector = Map.of();
    private String idempotencyKey = "";
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration timeout = DEFAULT_TIMEOUT;
    private PlacementRequest placement;

    private Builder(String handler) {
      this.handler = handler;
    }

    public Builder payload(byte[] payload) {
      this.payload = payload;
      return this;
    }

    public Builder demand(Resources demand) {
      this.demand = demand;
      return this;
    }

    public Builder labelSelector(Map<String, String> labelSelector) {
      this.labelSelector = labelSelector;
      return this;
    }

    public Builder idempotencyKey(String idempotencyKey) {
      this.idempotencyKey = idempotencyKey;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Places the task by {@code request}: its demand becomes the task's, its selector, affinity,
     * tolerations, latency bounds, data key and work labels apply. Replaces {@link #demand} and
     * {@link #labelSelector}.
     */
    public Builder placement(PlacementRequest request) {
      this.placement = request;
      this.demand = request.demand();
      this.labelSelector = Map.of();
      return this;
    }

    public TaskSpec build() {
      return new TaskSpec(
          handler, payload, demand, labelSelector, idempotencyKey, maxAttempts, timeout, placement);
    }
  }
}
