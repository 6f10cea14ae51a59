package io.tideflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.store.etcd.EtcdCluster;
import io.tideflow.store.etcd.EtcdProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store away under load, three ways, on the {@link StoreFaultBench}: the only etcd frozen, the
 * leader of three killed, two of three frozen. A store that cannot be reached stops nothing:
 * workers keep serving the clients they are connected to, no process exits, and whatever etcd ended
 * meanwhile rejoins in place when it returns. The targets are checked by the bench.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StoreOutageTest {
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  /**
   * The only etcd frozen (SIGSTOP) for 30 s: every keep-alive goes unanswered for ten times the
   * workers' lease TTL.
   */
  @Test
  void aFrozenEtcdFailsNoTaskAndStopsNoProcess() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        StoreFaultBench bench = StoreFaultBench.start(etcd.uri())) {
      Load load = bench.load(OUTAGE.plusSeconds(15));
      bench.awaitWarm(load);

      etcd.pause();
      long pausedAt = System.nanoTime();
      int answeredDuring = bench.sitOut(load, pausedAt, OUTAGE);
      etcd.resume();

      bench.finish(
          load,
          "etcd-sigstop",
          pausedAt,
          "etcd frozen "
              + OUTAGE.toSeconds()
              + " s; w1+w2 answered "
              + answeredDuring
              + " tasks while it was");
      assertThat(answeredDuring).as("the workers kept serving while etcd was frozen").isPositive();
    }
  }

  /**
   * The leader of a three-member etcd killed (SIGKILL): the two left elect another within a few
   * election timeouts and every connection moves to a live member.
   */
  @Test
  void killingEtcdsLeaderFailsNoTaskAndStopsNoProcess() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(3);
        StoreFaultBench bench = StoreFaultBench.start(etcd.uri())) {
      Load load = bench.load(Duration.ofSeconds(25));
      bench.awaitWarm(load);

      EtcdCluster.Member leader = etcd.leader();
      leader.kill();
      long killedAt = System.nanoTime();
      EtcdCluster.Member next = etcd.awaitLeader(Duration.ofSeconds(30));
      long electedMillis = (System.nanoTime() - killedAt) / 1_000_000;

      bench.finish(
          load,
          "etcd-leader-kill",
          killedAt,
          "killed leader "
              + leader.name()
              + "; "
              + next.name()
              + " led after "
              + electedMillis
              + " ms");
      assertThat(next.name()).isNotEqualTo(leader.name());
    }
  }

  /**
   * Two of a three-member etcd frozen (SIGSTOP) for 30 s, the leader among them: the one left can
   * commit nothing, so no lease is renewed and no key written until they resume.
   */
  @Test
  void losingEtcdsQuorumFailsNoTaskAndStopsNoProcess() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(3);
        StoreFaultBench bench = StoreFaultBench.start(etcd.uri())) {
      Load load = bench.load(OUTAGE.plusSeconds(15));
      bench.awaitWarm(load);

      EtcdCluster.Member leader = etcd.leader();
      EtcdCluster.Member follower =
          etcd.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
      List<EtcdCluster.Member> frozen = List.of(leader, follower);
      frozen.forEach(EtcdCluster.Member::pause);
      long lostAt = System.nanoTime();
      int answeredDuring = bench.sitOut(load, lostAt, OUTAGE);
      frozen.forEach(EtcdCluster.Member::resume);
      etcd.awaitWritable(Duration.ofSeconds(30));
      long writableMillis = (System.nanoTime() - lostAt) / 1_000_000;

      bench.finish(
          load,
          "etcd-quorum-loss",
          lostAt,
          "froze "
              + leader.name()
              + " (leader) and "
              + follower.name()
              + " "
              + OUTAGE.toSeconds()
              + " s; writable after "
              + writableMillis
              + " ms, "
              + etcd.leader().name()
              + " leads; w1+w2 answered "
              + answeredDuring
              + " tasks meanwhile");
      assertThat(answeredDuring).as("the workers kept serving without a quorum").isPositive();
    }
  }
}
