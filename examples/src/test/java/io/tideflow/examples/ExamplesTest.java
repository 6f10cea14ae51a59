package io.tideflow.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tideflow.runtime.task.TaskHandlers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The examples on an embedded cluster whose workers find the handlers as any worker would. */
class ExamplesTest {
  @Test
  void workersFindTheExampleHandlersThroughServiceLoader() {
    TaskHandlers found = TaskHandlers.discover();
    assertThat(found.get("pi-darts")).isNotNull();
    assertThat(found.get("word-count")).isNotNull();
  }

  @Test
  void estimatesPiOverManyTasks() throws Exception {
    try (Cluster cluster = Cluster.open("embedded")) {
      EstimatePi.Estimate e = EstimatePi.estimate(cluster.client, 40, 50_000);
      assertThat(e.darts()).isEqualTo(2_000_000);
      assertThat(e.pi()).isCloseTo(Math.PI, within(0.01));
    }
  }

  @Test
  void countsWordsOverSlicesOfLines() throws Exception {
    List<String> lines = List.of("the cat sat", "on the mat", "The end", "", "cat's cradle");
    try (Cluster cluster = Cluster.open("embedded")) {
      Map<String, Long> counts = WordCount.count(cluster.client, lines, 2);
      assertThat(counts)
          .containsEntry("the", 3L)
          .containsEntry("cat", 1L)
          .containsEntry("cat's", 1L)
          .containsEntry("mat", 1L)
          .hasSize(8);
    }
  }

  @Test
  void theDartsHandlerRefusesWhatItCannotDo() {
    assertThatThrownBy(() -> ExampleHandlers.darts("1".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("pi-darts takes \"SEED DARTS\"");
    assertThatThrownBy(() -> ExampleHandlers.darts("1 0".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("DARTS must be in [1, 100000000], was 0");
  }
}
