package io.tideflow.runtime.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WatchHealthsTest {
  @Test
  void aReportSurvivesTheStoreWithTabsAndLineBreaksOfItsErrorFlattened() {
    WatchHealths.Report r =
        new WatchHealths.Report("c1", false, 2, 5, 1_000, "compacted\tat 17\nretrying");

    WatchHealths.Report back = WatchHealths.decode(WatchHealths.encode(r));

    assertThat(back)
        .isEqualTo(new WatchHealths.Report("c1", false, 2, 5, 1_000, "compacted at 17 retrying"));
  }

  @Test
  void aLongErrorIsCutToItsLimit() {
    String error = "x".repeat(WatchHealths.MAX_ERROR_CHARS + 50);
    WatchHealths.Report back =
        WatchHealths.decode(
            WatchHealths.encode(new WatchHealths.Report("c1", true, 0, 1, 1, error)));
    assertThat(back.lastError()).hasSize(WatchHealths.MAX_ERROR_CHARS);
  }

  @Test
  void whatIsNotAWatchHealthIsRejectedSayingSo() {
    assertThatThrownBy(
            () -> WatchHealths.decode("c1\tmaybe\t0\t0\t0\t".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holder, healthy, restarts");
    assertThatThrownBy(
            () -> WatchHealths.decode("c1\ttrue\tmany\t0\t0\t".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed number");
  }

  @Test
  void describesAFollowingAndARecoveringWatchForPeople() {
    assertThat(WatchHealths.describe(new WatchHealths.Report("c1", true, 0, 0, 0, ""), 5_000))
        .isEqualTo("following (c1), 0 restart(s)");
    assertThat(
            WatchHealths.describe(
                new WatchHealths.Report("c2", false, 3, 4, 2_000, "revision 9 compacted"), 14_000))
        .isEqualTo("RECOVERING (c2), 3 restart(s); last error 12 s ago: revision 9 compacted");
  }
}
