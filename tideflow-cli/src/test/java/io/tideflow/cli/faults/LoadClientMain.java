package io.tideflow.cli.faults;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideflow.core.model.TaskSpec;
import io.tideflow.runtime.client.ClientConfig;
import io.tideflow.runtime.client.TideflowClient;
import io.tideflow.runtime.task.TaskResult;
import io.tideflow.store.ClusterStore;
import io.tideflow.store.connect.ClusterStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client in a process of its own, for scenarios that kill the client: submits {@code COUNT}
 * {@link CountingHandlers} tasks {@code PREFIX-0..} at once, prints {@value #SUBMITTED} and then
 * waits for their answers.
 *
 * <p>Arguments: {@code STORE_URI PREFIX COUNT PRIMES_BELOW}.
 */
public final class LoadClientMain {
  static final String SUBMITTED = "SUBMITTED";

  private LoadClientMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: LoadClientMain STORE_URI PREFIX COUNT PRIMES_BELOW");
      System.exit(2);
    }
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    int work = Integer.parseInt(args[3]);
    try (ClusterStore store = ClusterStores.open(args[0]);
        TideflowClient client =
            TideflowClient.connect(store, ClientConfig.defaults(), new SimpleMeterRegistry())) {
      List<CompletableFuture<TaskResult>> futures = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        futures.add(
            client.submit(
                TaskSpec.builder(CountingHandlers.NAME)
                    .payload(CountingHandlers.payload(prefix + "-" + i, work))
                    .timeout(Duration.ofSeconds(60))
                    .build()));
      }
      System.out.println(SUBMITTED + " " + count);
      System.out.flush();
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      System.out.println("DONE " + client.stats());
    }
  }
}
