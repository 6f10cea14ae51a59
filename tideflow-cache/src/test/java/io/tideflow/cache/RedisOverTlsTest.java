package io.tideflow.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.cache.remote.RedisCredentials;
import io.tideflow.cache.remote.RedisRemote;
import io.tideflow.cache.remote.RemoteOptions;
import io.tideflow.cache.remote.RemoteUnavailableException;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote tier on a Redis that takes only TLS with client certificates and an ACL user. */
class RedisOverTlsTest {
  @TempDir Path dir;

  @Test
  void onlyAClientWithTheClusterCasCertificateAndTheUsersPasswordIsServed() throws Exception {
    ClusterCa ca = ClusterCa.create("tideflow", Instant.now(), Duration.ofDays(1));
    Instant now = Instant.now();
    ca.issue(Identity.Role.SERVICE, "redis", List.of("127.0.0.1"), now, Duration.ofHours(1))
        .save(dir.resolve("redis"));
    ca.issue(Identity.Role.CLIENT, "app", List.of(), now, Duration.ofHours(1))
        .save(dir.resolve("app"));
    Path caOnly = Files.createDirectories(dir.resolve("ca-only"));
    Files.copy(dir.resolve("app").resolve("ca.crt"), caOnly.resolve("ca.crt"));
    Path password = Files.writeString(dir.resolve("password"), "s3cret-pw\n");

    try (RedisProcess redis =
        RedisProcess.startTls(dir.resolve("redis"), "tideflow", "s3cret-pw")) {
      assertThat(redis.uri()).startsWith("rediss://127.0.0.1:");
      RemoteOptions options =
          RemoteOptions.defaults(redis.uri()).withCommandTimeout(Duration.ofSeconds(2));
      try (RedisRemote remote =
          RedisRemote.connect(
              options.withCredentials(
                  RedisCredentials.fromFiles(dir.resolve("app"), "tideflow", password)))) {
        remote.set("k", "over tls".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
        assertThat(remote.get("k")).asString(StandardCharsets.UTF_8).isEqualTo("over tls");
      }
      // The right certificate, the wrong password: the ACL refuses it.
      try (RedisRemote wrongPassword =
          RedisRemote.connect(
              options.withCredentials(
                  new RedisCredentials(dir.resolve("app"), "tideflow", "nope")))) {
        assertThatThrownBy(() -> wrongPassword.get("k"))
            .isInstanceOf(RemoteUnavailableException.class);
      }
      // The right password, no client certificate: TLS refuses it.
      try (RedisRemote anonymous =
          RedisRemote.connect(
              options.withCredentials(new RedisCredentials(caOnly, "tideflow", "s3cret-pw")))) {
        assertThatThrownBy(() -> anonymous.get("k")).isInstanceOf(RemoteUnavailableException.class);
      }
    }
    assertThatThrownBy(
            () ->
                RemoteOptions.defaults("redis://127.0.0.1:6379")
                    .withCredentials(new RedisCredentials(caOnly, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is plaintext but a TLS directory was given: write rediss://");
    assertThatThrownBy(
            () ->
                RemoteOptions.defaults("redis://10.0.0.5:6379")
                    .withCredentials(new RedisCredentials(null, "u", "pw")))
        .hasMessageContaining("would carry the Redis user's password in the clear beyond loopback");
    assertThat(
            RemoteOptions.defaults("redis://127.0.0.1:6379")
                .withCredentials(new RedisCredentials(null, "u", "pw"))
                .credentials()
                .user())
        .isEqualTo("u");
    assertThatThrownBy(() -> RemoteOptions.defaults("redis://app:pw@127.0.0.1:6379"))
        .hasMessageContaining("must not carry a user or password");
    assertThat(new RedisCredentials(null, "u", "pw").toString()).doesNotContain("pw]");
  }
}
