package io.tideflow.runtime.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideflow.runtime.transport.proto.ResultMessage;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Dedup's ends of runs, which task threads queue without the lock, are applied by the next claim
 * before it looks.
 */
class DedupTest {
  private final Dedup dedup = new Dedup(2);

  private static Dedup.Key key(String k) {
    return new Dedup.Key("h", k);
  }

  @Test
  void aFinishedRunIsReusedByTheNextClaim() {
    CompletableFuture<ResultMessage> first = new CompletableFuture<>();
    assertThat(dedup.claim(key("a"), first).claimed()).isTrue();
    dedup.finish(key("a"), first);

    Dedup.Claim again = dedup.claim(key("a"), new CompletableFuture<>());
    assertThat(again.earlier()).isSameAs(first);
    assertThat(again.claimed()).isFalse();
  }

  @Test
  void aRemovedRunIsForgottenSoTheNextClaimRunsAgain() {
    CompletableFuture<ResultMessage> first = new CompletableFuture<>();
    dedup.claim(key("a"), first);
    dedup.remove(key("a"), first);

    CompletableFuture<ResultMessage> second = new CompletableFuture<>();
    Dedup.Claim again = dedup.claim(key("a"), second);
    assertThat(again.earlier()).isNull();
    assertThat(again.claimed()).isTrue();
    assertThat(dedup.size()).isEqualTo(1);
  }

  @Test
  void onlyFinishedEntriesMakeRoomAndTheQueuedEndsCountForIt() {
    CompletableFuture<ResultMessage> a = new CompletableFuture<>();
    CompletableFuture<ResultMessage> b = new CompletableFuture<>();
    dedup.claim(key("a"), a);
    dedup.claim(key("b"), b);
    assertThat(dedup.claim(key("c"), new CompletableFuture<>()).claimed())
        .as("both entries run: none may be evicted")
        .isFalse();

    dedup.finish(key("a"), a); // queued; the claim below applies it, then evicts it
    CompletableFuture<ResultMessage> c = new CompletableFuture<>();
    assertThat(dedup.claim(key("c"), c).claimed()).isTrue();
    assertThat(dedup.size()).isEqualTo(2);
    assertThat(dedup.claim(key("b"), new CompletableFuture<>()).earlier())
        .as("the running entry stays")
        .isSameAs(b);
  }

  @Test
  void anEndOfAnEarlierRunDoesNotTouchALaterRunOfTheSameKey() {
    CompletableFuture<ResultMessage> first = new CompletableFuture<>();
    dedup.claim(key("a"), first);
    dedup.remove(key("a"), first);
    CompletableFuture<ResultMessage> second = new CompletableFuture<>();
    dedup.claim(key("a"), second);
    dedup.finish(key("a"), first); // stale: names the first run, which is gone

    assertThat(dedup.claim(key("a"), new CompletableFuture<>()).earlier()).isSameAs(second);
  }
}
