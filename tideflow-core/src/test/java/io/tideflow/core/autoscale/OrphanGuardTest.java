package io.tideflow.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OrphanGuardTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long GRACE = OrphanGuard.GRACE.toNanos();
  private static final OptionalLong NONE = OptionalLong.empty();

  @Test
  void aNodeStaysWhileItsParentLivesWhoeverLeads() {
    OrphanGuard guard = new OrphanGuard(true, OptionalLong.of(7));
    assertThat(guard.shouldExit(0, true, NONE)).isFalse();
    assertThat(guard.shouldExit(10 * GRACE, true, NONE)).isFalse();
    assertThat(guard.shouldExit(20 * GRACE, true, OptionalLong.of(8))).isFalse();
  }

  @Test
  void aNodeOfNoPoolGoesWithItsParentAtOnce() {
    OrphanGuard guard = new OrphanGuard(false, OptionalLong.of(7));
    assertThat(guard.shouldExit(0, true, NONE)).isFalse();
    assertThat(guard.shouldExit(SECOND, false, OptionalLong.of(8))).isTrue();
  }

  @Test
  void anOrphanNoOtherCoordinatorLeadsForGoesAfterTheGrace() {
    OrphanGuard guard = new OrphanGuard(true, OptionalLong.of(7));
    assertThat(guard.shouldExit(0, true, OptionalLong.of(7))).isFalse();
    // The parent's own leadership lingers in the store until its lease ends: it adopts nothing.
    assertThat(guard.shouldExit(SECOND, false, OptionalLong.of(7))).isFalse();
    assertThat(guard.shouldExit(SECOND + GRACE - 1, false, NONE)).isFalse();
    assertThat(guard.shouldExit(SECOND + GRACE, false, NONE)).isTrue();
  }

  @Test
  void anOrphanStaysWhileASuccessorLeadsAndGoesAGraceAfterTheLastOne() {
    OrphanGuard guard = new OrphanGuard(true, OptionalLong.of(7));
    assertThat(guard.shouldExit(0, false, NONE)).isFalse();
    assertThat(guard.shouldExit(2 * SECOND, false, OptionalLong.of(9))).isFalse();
    assertThat(guard.shouldExit(GRACE + SECOND, false, OptionalLong.of(9))).isFalse();
    assertThat(guard.shouldExit(3 * GRACE, false, OptionalLong.of(9))).isFalse();
    // The successor is gone too (or the store cannot be read): a grace later the node goes.
    assertThat(guard.shouldExit(3 * GRACE + SECOND, false, NONE)).isFalse();
    assertThat(guard.shouldExit(4 * GRACE - 1, false, NONE)).isFalse();
    assertThat(guard.shouldExit(4 * GRACE, false, NONE)).isTrue();
  }

  @Test
  void aParentThatComesBackRestartsTheCount() {
    OrphanGuard guard = new OrphanGuard(true, NONE);
    assertThat(guard.shouldExit(0, false, NONE)).isFalse();
    assertThat(guard.shouldExit(GRACE - SECOND, true, NONE)).isFalse();
    assertThat(guard.shouldExit(GRACE + SECOND, false, NONE)).isFalse();
    assertThat(guard.shouldExit(2 * GRACE + SECOND, false, NONE)).isTrue();
  }
}
