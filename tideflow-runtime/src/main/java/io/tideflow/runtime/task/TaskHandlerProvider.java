package io.tideflow.runtime.task;

import java.util.Map;

/**
 * Contributes named handlers to every worker, found with {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.tideflow.runtime.task.TaskHandlerProvider}.
 */
public interface TaskHandlerProvider {
  Map<String, TaskHandler> handlers();
}
