package io.tideflow.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenAddressTest {

  @Test
  void aSpecificBindAddressIsAdvertisedAsItIsUnlessAnotherHostIsNamed() {
    assertThat(ListenAddress.of("127.0.0.1", null)).isEqualTo(ListenAddress.LOOPBACK);
    assertThat(ListenAddress.of("127.0.0.1", "worker-1.cluster.local").advertiseHost())
        .isEqualTo("worker-1.cluster.local");
    assertThat(ListenAddress.LOOPBACK.loopbackOnly()).isTrue();
    assertThat(ListenAddress.of("::1", null).advertised(7000)).isEqualTo("[::1]:7000");
  }

  @Test
  void aWildcardBindIsNeverAdvertisedAndIsNotLoopbackOnly() {
    ListenAddress any = ListenAddress.of("0.0.0.0", null);
    assertThat(any.advertiseHost()).isNotIn("0.0.0.0", "::", "0:0:0:0:0:0:0:0");
    assertThat(any.loopbackOnly()).isFalse();
    assertThatThrownBy(() -> ListenAddress.of("0.0.0.0", "0.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("advertiseHost must be an address others can dial, not the wildcard");
    assertThatThrownBy(() -> new ListenAddress("::", "::"))
        .hasMessageContaining("not the wildcard ::");
  }

  @Test
  void aWildcardAdvertisesAnAddressOthersCanDialOfItsOwnFamilyFirst() throws Exception {
    InetAddress loopback = ip("127.0.0.1");
    InetAddress linkLocal = ip("fe80::1");
    InetAddress v6 = ip("fd00::7");
    InetAddress v4 = ip("10.1.2.3");
    List<InetAddress> all = List.of(loopback, linkLocal, v6, v4);
    assertThat(ListenAddress.pick(all, false)).contains(v4);
    assertThat(ListenAddress.pick(all, true)).contains(v6);
    assertThat(ListenAddress.pick(List.of(loopback, v6), false)).contains(v6);
    assertThat(ListenAddress.pick(List.of(loopback, linkLocal), true)).isEmpty();
  }

  @Test
  void anUnknownBindHostIsNamedInTheError() {
    assertThatThrownBy(() -> ListenAddress.of("no-such-host.invalid", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bind address no-such-host.invalid is unknown");
  }

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }
}
