package io.tideflow.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.store.connect.ClusterStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdCredentialsTest {
  @TempDir Path dir;

  @Test
  void aPasswordIsReadFromAFileNamedByAnOptionOrTheEnvironmentAndNeverPrinted() throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "s3cret\nignored\n");
    EtcdCredentials fromOptions = EtcdCredentials.of(dir, "w1", file, Map.of());
    assertThat(fromOptions.user()).isEqualTo("w1");
    assertThat(fromOptions.password()).isEqualTo("s3cret");
    assertThat(fromOptions.tls()).isTrue();
    assertThat(fromOptions.toString()).doesNotContain("s3cret");

    EtcdCredentials fromEnv =
        EtcdCredentials.of(
            null,
            null,
            null,
            Map.of(
                EtcdCredentials.USER_ENV,
                "ops",
                EtcdCredentials.PASSWORD_FILE_ENV,
                file.toString()));
    assertThat(fromEnv.user()).isEqualTo("ops");
    assertThat(fromEnv.tls()).isFalse();
    assertThat(EtcdCredentials.of(null, null, null, Map.of())).isEqualTo(EtcdCredentials.NONE);
  }

  @Test
  void halfACredentialOrAnUnreadableOneIsRefusedNamingWhatIsMissing() throws Exception {
    assertThatThrownBy(() -> EtcdCredentials.of(null, "w1", null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("an etcd user needs a password file");
    Path empty = Files.writeString(dir.resolve("empty"), "");
    assertThatThrownBy(() -> EtcdCredentials.of(null, "w1", empty, Map.of()))
        .hasMessageContaining("password file " + empty + " is empty");
    assertThatThrownBy(
            () -> ClusterStores.open("etcd://127.0.0.1:2379", new EtcdCredentials(dir, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is plaintext but a TLS directory was given: write etcds://");
    assertThatThrownBy(
            () -> ClusterStores.open("etcd://10.0.0.5:2379", new EtcdCredentials(null, "w1", "pw")))
        .hasMessageContaining("would carry the etcd user's password in the clear beyond loopback");
    assertThatThrownBy(() -> ClusterStores.open("etcds://127.0.0.1:2379"))
        .hasMessageContaining("is etcd over TLS: give the directory with its ca.crt");
  }
}
