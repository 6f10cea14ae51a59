package io.tideflow.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KeyGroupStatesTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aStateReadsBackAsItWasWritten() {
    Map<Integer, byte[]> groups = new HashMap<>();
    groups.put(7, bytes("seven"));
    groups.put(0, new byte[0]);
    groups.put(127, bytes("last"));

    KeyGroupStates.Decoded d = KeyGroupStates.decode(KeyGroupStates.encode(128, groups));

    assertThat(d.keyGroups()).isEqualTo(128);
    assertThat(d.groups().keySet()).containsExactly(0, 7, 127);
    assertThat(new String(d.groups().get(7), StandardCharsets.UTF_8)).isEqualTo("seven");
    assertThat(d.groups().get(0)).isEmpty();
    assertThat(d.bytes()).isEqualTo(9);
  }

  @Test
  void anyOtherStateIsNotTakenForOne() {
    byte[] state = KeyGroupStates.encode(16, Map.of(3, bytes("three")));
    assertThat(KeyGroupStates.isKeyed(state)).isTrue();
    assertThat(KeyGroupStates.isKeyed(new byte[0])).isFalse();
    assertThat(KeyGroupStates.isKeyed(bytes("a plain state of some process"))).isFalse();

    // Same header, one byte changed: the checksum tells.
    byte[] bent = state.clone();
    bent[bent.length - 6] ^= 1;
    assertThat(KeyGroupStates.isKeyed(bent)).isFalse();
    assertThatThrownBy(() -> KeyGroupStates.decode(bent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a key-group state");
  }

  @Test
  void aGroupOutsideTheRangeOrWithoutStateIsRefusedByName() {
    assertThatThrownBy(() -> KeyGroupStates.encode(8, Map.of(8, new byte[1])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key group 8 is outside [0, 8)");
    Map<Integer, byte[]> nulls = new HashMap<>();
    nulls.put(2, null);
    assertThatThrownBy(() -> KeyGroupStates.encode(8, nulls))
        .hasMessageContaining("key group 2 has a null state");
  }

  @Test
  void statesThatDisagreeOrOverlapAreNotRegrouped() {
    byte[] a = KeyGroupStates.encode(16, Map.of(1, bytes("a")));
    byte[] b = KeyGroupStates.encode(32, Map.of(2, bytes("b")));
    byte[] c = KeyGroupStates.encode(16, Map.of(1, bytes("c")));
    assertThatThrownBy(() -> KeyGroupStates.regroup(List.of(a, b), 2))
        .hasMessageContaining("16 and 32 key groups");
    assertThatThrownBy(() -> KeyGroupStates.regroup(List.of(a, c), 2))
        .hasMessageContaining("two states hold key group 1");
    assertThatThrownBy(() -> KeyGroupStates.regroup(List.of(a), 17))
        .hasMessageContaining("16 key groups cannot be spread over 17 instances");
  }

  @Property
  void regroupingHandsEveryGroupToItsNewOwnerOnceAndLosesNothing(
      @ForAll @IntRange(min = 1, max = 12) int before,
      @ForAll @IntRange(min = 1, max = 12) int after,
      @ForAll @IntRange(min = 12, max = 300) int keyGroups,
      @ForAll long seed) {
    Random random = new Random(seed);
    Map<Integer, byte[]> everything = new TreeMap<>();
    List<Map<Integer, byte[]>> owned = new ArrayList<>();
    for (int i = 0; i < before; i++) {
      owned.add(new TreeMap<>());
    }
    for (int g = 0; g < keyGroups; g++) {
      if (random.nextInt(3) == 0) {
        continue; // a group no key of which came
      }
      byte[] state = new byte[random.nextInt(20)];
      random.nextBytes(state);
      everything.put(g, state);
      owned.get(KeyGroups.instance(g, keyGroups, before)).put(g, state);
    }
    List<byte[]> states = new ArrayList<>();
    for (Map<Integer, byte[]> o : owned) {
      states.add(KeyGroupStates.encode(keyGroups, o));
    }

    List<byte[]> next = KeyGroupStates.regroup(states, after);

    assertThat(next).hasSize(after);
    Map<Integer, byte[]> gathered = new TreeMap<>();
    for (int j = 0; j < after; j++) {
      if (next.get(j) == null) {
        continue;
      }
      for (Map.Entry<Integer, byte[]> e : KeyGroupStates.decode(next.get(j)).groups().entrySet()) {
        assertThat(KeyGroupStates.owns(j, e.getKey(), keyGroups, after)).isTrue();
        assertThat(gathered.put(e.getKey(), e.getValue())).isNull();
      }
    }
    assertThat(gathered.keySet()).isEqualTo(everything.keySet());
    for (Map.Entry<Integer, byte[]> e : everything.entrySet()) {
      assertThat(gathered.get(e.getKey())).isEqualTo(e.getValue());
    }
  }
}
