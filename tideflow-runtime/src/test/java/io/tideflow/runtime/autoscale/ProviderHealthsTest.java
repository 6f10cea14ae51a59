package io.tideflow.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.runtime.provider.ProviderHealth;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderHealthsTest {

  @Test
  void roundTripsInPriorityOrderAndDescribesForPeople() {
    Map<String, ProviderHealth> healths = new LinkedHashMap<>();
    healths.put("cloud", new ProviderHealth(false, 3, "quota\texceeded\nin us-east"));
    healths.put("local-process", new ProviderHealth(true, 0, ""));
    Map<String, ProviderHealth> back = ProviderHealths.decode(ProviderHealths.encode(healths));
    assertThat(back.keySet()).containsExactly("cloud", "local-process");
    assertThat(back.get("cloud"))
        .isEqualTo(new ProviderHealth(false, 3, "quota exceeded in us-east"));
    assertThat(ProviderHealths.describe(back))
        .isEqualTo(
            "cloud: UNHEALTHY (3 failure(s) in a row: quota exceeded in us-east); local-process: healthy");
  }

  @Test
  void cutsLongDetailsAndRejectsWhatIsNotAHealthLine() {
    Map<String, ProviderHealth> healths =
        Map.of("p", new ProviderHealth(true, 1, "x".repeat(5_000)));
    assertThat(ProviderHealths.decode(ProviderHealths.encode(healths)).get("p").detail())
        .hasSize(ProviderHealths.MAX_DETAIL_CHARS);
    assertThatThrownBy(
            () -> ProviderHealths.decode("p\tmaybe\t1\t\n".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("provider health line 1 is not 'name, healthy, failures, detail'");
    assertThatThrownBy(
            () -> ProviderHealths.decode("p\ttrue\tmany\t\n".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("provider health line 1 is malformed");
  }
}
