package io.tideflow.runtime.flow;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Contributes process implementations by type name to every worker, found with {@link
 * java.util.ServiceLoader}: list the implementation in {@code
 * META-INF/services/io.tideflow.runtime.flow.FlowProcessProvider}. Each supplier makes a new object
 * per instance.
 */
public interface FlowProcessProvider {
  Map<String, Supplier<? extends FlowProcess>> processes();
}
