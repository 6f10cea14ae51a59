package io.tideflow.runtime.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.runtime.membership.ClientStatsRecords.Counts;
import io.tideflow.runtime.membership.ClientStatsRecords.Held;
import io.tideflow.runtime.membership.proto.ClientStatsRecord;
import io.tideflow.runtime.membership.proto.TaskAllocationRecord;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientStatsRecordsTest {
  @Test
  void aRecordReadsBackAsWritten() {
    Counts c =
        new Counts("client-1", 42, 10, 7, 2, 3, 1, 0, Map.of("w1", new Held(500, 1 << 20, 2)));
    Counts back =
        ClientStatsRecords.decode("/tideflow/clients/client-1", ClientStatsRecords.encode(c));
    assertThat(back).isEqualTo(c);
    assertThat(back.sameCounts(c)).isTrue();
    assertThat(back.sameCounts(new Counts("client-1", 99, 10, 7, 2, 3, 1, 0, c.held()))).isTrue();
    assertThat(back.sameCounts(new Counts("client-1", 42, 10, 7, 2, 3, 1, 0, Map.of()))).isFalse();
  }

  @Test
  void onlyTheNodesHoldingTheMostCpuAreWrittenWhenThereAreTooMany() {
    Map<String, Held> held = new HashMap<>();
    for (int i = 0; i < ClientStatsRecords.MAX_NODES + 10; i++) {
      held.put("n" + i, new Held(i, 0, 1));
    }
    Counts back =
        ClientStatsRecords.decode(
            "/tideflow/clients/c",
            ClientStatsRecords.encode(new Counts("c", 1, 0, 0, 0, 0, 0, 0, held)));
    assertThat(back.held()).hasSize(ClientStatsRecords.MAX_NODES).doesNotContainKey("n0");
    assertThat(back.held()).containsKey("n" + (ClientStatsRecords.MAX_NODES + 9));
  }

  @Test
  void longNodeIdsLeaveOutTheSmallestAllocationsRatherThanTheCounts() {
    Map<String, Held> held = new HashMap<>();
    for (int i = 0; i < ClientStatsRecords.MAX_NODES; i++) {
      held.put("n".repeat(200) + i, new Held(1_000 + i, 0, 1));
    }
    byte[] bytes = ClientStatsRecords.encode(new Counts("c", 1, 9, 8, 1, 0, 0, 0, held));
    assertThat(bytes.length).isLessThanOrEqualTo(ClientStatsRecords.MAX_RECORD_BYTES);
    Counts back = ClientStatsRecords.decode("/tideflow/clients/c", bytes);
    assertThat(back.failed()).isEqualTo(1);
    assertThat(back.held()).isNotEmpty().hasSizeLessThan(ClientStatsRecords.MAX_NODES);
    assertThat(back.held()).containsKey("n".repeat(200) + (ClientStatsRecords.MAX_NODES - 1));
    assertThatThrownBy(() -> ClientStatsRecords.decode("/tideflow/clients/other", bytes))
        .hasMessageContaining("it names client 'c'");
  }

  @Test
  void recordsTooLargeOrNotOursAreRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                ClientStatsRecords.decode(
                    "/tideflow/clients/x", new byte[ClientStatsRecords.MAX_RECORD_BYTES + 1]))
        .hasMessageContaining("/tideflow/clients/x")
        .hasMessageContaining("over " + ClientStatsRecords.MAX_RECORD_BYTES);
    assertThatThrownBy(() -> ClientStatsRecords.decode("/tideflow/clients/y", new byte[] {-1, 1}))
        .hasMessageContaining("invalid client stats at /tideflow/clients/y");
    ClientStatsRecord.Builder many = ClientStatsRecord.newBuilder().setClientId("z");
    for (int i = 0; i <= ClientStatsRecords.MAX_NODES; i++) {
      many.addAllocations(TaskAllocationRecord.newBuilder().setNode("n" + i).setTasks(1));
    }
    assertThatThrownBy(
            () -> ClientStatsRecords.decode("/tideflow/clients/z", many.build().toByteArray()))
        .hasMessageContaining("more than the limit of " + ClientStatsRecords.MAX_NODES);
    ClientStatsRecord negative =
        ClientStatsRecord.newBuilder().setClientId("n").setFailed(-1).build();
    assertThatThrownBy(
            () -> ClientStatsRecords.decode("/tideflow/clients/n", negative.toByteArray()))
        .hasMessageContaining("negative task count");
  }
}
