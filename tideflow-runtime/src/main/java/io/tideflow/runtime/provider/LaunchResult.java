package io.tideflow.runtime.provider;

import java.util.List;

/**
 * What a launch achieved.
 *
 * @param requestId the launch's request id
 * @param started ids of the nodes started
 * @param errors one line per node that could not be started
 */
public record LaunchResult(String requestId, List<String> started, List<String> errors) {
  public LaunchResult {
    started = List.copyOf(started);
    errors = List.copyOf(errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }
}
