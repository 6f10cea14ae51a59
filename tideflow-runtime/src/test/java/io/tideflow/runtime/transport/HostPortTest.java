package io.tideflow.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void readsNamesIpv4AndBracketedIpv6AndWritesThemBackTheSameWay() {
    assertThat(HostPort.parse("worker-1.example:7000"))
        .isEqualTo(new HostPort("worker-1.example", 7000));
    assertThat(HostPort.parse("10.0.0.2:0")).isEqualTo(new HostPort("10.0.0.2", 0));
    assertThat(HostPort.parse("[fd00::2]:65535")).isEqualTo(new HostPort("fd00::2", 65535));
    for (String text :
        new String[] {"worker-1.example:7000", "10.0.0.2:1", "[fd00::2]:65535", "[::1]:9"}) {
      assertThat(HostPort.parse(text).toString()).isEqualTo(text);
    }
  }

  @Test
  void rejectsWhatCannotBeDialledAndSaysWhy() {
    assertThatThrownBy(() -> HostPort.parse("fd00::2:7000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IPv6 address must be in brackets, as [fd00::2]:port");
    assertThatThrownBy(() -> HostPort.parse("host"))
        .hasMessageContaining("address must be host:port, was 'host'");
    assertThatThrownBy(() -> HostPort.parse(":7000"))
        .hasMessageContaining("address must be host:port");
    assertThatThrownBy(() -> HostPort.parse("[::1]7000"))
        .hasMessageContaining("address must be [v6]:port, was '[::1]7000'");
    assertThatThrownBy(() -> HostPort.parse("host:70000"))
        .hasMessageContaining("port must be in 0..65535, was 70000");
    assertThatThrownBy(() -> HostPort.parse("host:http"))
        .hasMessageContaining("port must be a number in 0..65535, was 'http'");
    assertThatThrownBy(() -> new HostPort("a b", 1)).hasMessageContaining("brackets or spaces");
    assertThatThrownBy(() -> new HostPort("h".repeat(254), 1))
        .hasMessageContaining("at most 253 characters, was 254");
  }
}
