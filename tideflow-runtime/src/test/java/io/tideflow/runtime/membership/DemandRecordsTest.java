package io.tideflow.runtime.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.model.LabelSelector;
import io.tideflow.core.model.PendingWork;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.membership.proto.DemandRecord;
import io.tideflow.runtime.membership.proto.PendingWorkRecord;
import io.tideflow.runtime.membership.proto.SelectorRequirementRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemandRecordsTest {

  @Test
  void roundTripsEveryFieldOfTheWaitingWork() {
    PendingWork gpu =
        new PendingWork(
            Resources.of(2000, 1L << 30).withCustom("gpu", 1),
            new LabelSelector(
                List.of(
                    LabelSelector.in("tier", "edge", "core"), LabelSelector.notIn("zone", "z9"))),
            Set.of("gpu-only", "batch"),
            7,
            "no node fits: 2 node(s), 2 rejected by gpu");
    PendingWork plain = new PendingWork(Resources.of(500, 0), LabelSelector.ALL, 3, "no node fits");
    DemandRecords.Report report = new DemandRecords.Report("client-1", 1234, List.of(plain, gpu));
    DemandRecords.Report back = DemandRecords.decode("k", DemandRecords.encode(report));
    assertThat(back.clientId()).isEqualTo("client-1");
    assertThat(back.reportedAtMillis()).isEqualTo(1234);
    assertThat(back.work()).containsExactly(gpu, plain); // the most numerous first
    assertThat(back.waiting()).isEqualTo(10);
  }

  @Test
  void keepsTheMostNumerousShapesAndCutsLongReasons() {
    List<PendingWork> many = new ArrayList<>();
    for (int i = 1; i <= DemandRecords.MAX_SHAPES + 10; i++) {
      many.add(new PendingWork(Resources.of(i, 0), LabelSelector.ALL, i, "x".repeat(1000)));
    }
    DemandRecords.Report back =
        DemandRecords.decode("k", DemandRecords.encode(new DemandRecords.Report("c", 0, many)));
    assertThat(back.work()).hasSize(DemandRecords.MAX_SHAPES);
    assertThat(back.work().get(0).count()).isEqualTo(DemandRecords.MAX_SHAPES + 10);
    assertThat(back.work().get(0).reason()).hasSize(DemandRecords.MAX_REASON_CHARS);
  }

  @Test
  void rejectsWhatIsNotADemandRecordNamingTheKey() {
    assertThatThrownBy(
            () -> DemandRecords.decode("/tideflow/demand/c", new byte[] {(byte) 0xff, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid demand record at /tideflow/demand/c");
    DemandRecord.Builder tooMany = DemandRecord.newBuilder().setClientId("c");
    for (int i = 0; i <= DemandRecords.MAX_SHAPES; i++) {
      tooMany.addWork(
          PendingWorkRecord.newBuilder()
              .setCount(1)
              .setDemand(NodeRecords.toRecord(Resources.ZERO)));
    }
    assertThatThrownBy(() -> DemandRecords.decode("k", tooMany.build().toByteArray()))
        .hasMessageContaining("more than the limit of " + DemandRecords.MAX_SHAPES);
    byte[] badOp =
        DemandRecord.newBuilder()
            .addWork(
                PendingWorkRecord.newBuilder()
                    .setCount(1)
                    .setDemand(NodeRecords.toRecord(Resources.ZERO))
                    .addSelector(
                        SelectorRequirementRecord.newBuilder().setKey("a").setOperator("NEAR")))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> DemandRecords.decode("k", badOp))
        .hasMessageContaining("unknown selector operator 'NEAR'");
  }
}
