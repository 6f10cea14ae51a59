package io.tideflow.runtime.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideflow.core.flow.KeyGroupStates;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyedStateTest {
  /** Instance {@code instance} of {@code parallelism}, fed keys in {@code keyGroups} groups. */
  private static ProcessContext context(int instance, int parallelism, int keyGroups) {
    return new ProcessContext() {
      @Override
      public String flow() {
        return "f";
      }

      @Override
      public String process() {
        return "count";
      }

      @Override
      public int instance() {
        return instance;
      }

      @Override
      public int parallelism() {
        return parallelism;
      }

      @Override
      public int keyGroups() {
        return keyGroups;
      }

      @Override
      public String property(String name, String fallback) {
        return fallback;
      }

      @Override
      public List<String> outputPorts() {
        return List.of();
      }

      @Override
      public Output output(String port) {
        throw new IllegalArgumentException(port);
      }
    };
  }

  /** Writes {@code groups}; keeps what it is given back. */
  private static final class Fixed implements KeyedStatefulProcess {
    private final Map<Integer, byte[]> groups;
    Map<Integer, byte[]> restored;

    Fixed(Map<Integer, byte[]> groups) {
      this.groups = groups;
    }

    @Override
    public Map<Integer, byte[]> snapshotGroups() {
      return groups;
    }

    @Override
    public void restoreGroups(Map<Integer, byte[]> groups) {
      restored = groups;
    }
  }

  @Test
  void anInstanceTakesBackTheGroupsItWrote() throws Exception {
    // Of 4 instances over 8 groups, instance 1 owns groups 2 and 3.
    ProcessContext context = context(1, 4, 8);
    byte[] state =
        new KeyedState(new Fixed(Map.of(2, new byte[] {2}, 3, new byte[] {3})), context).snapshot();
    assertThat(KeyGroupStates.isKeyed(state)).isTrue();

    Fixed next = new Fixed(Map.of());
    new KeyedState(next, context).restore(state);

    assertThat(next.restored).containsOnlyKeys(2, 3);
    assertThat(next.restored.get(3)).containsExactly(3);
  }

  @Test
  void stateForAGroupTheInstanceDoesNotOwnFailsNamingTheGroupAndItsOwner() {
    KeyedState state = new KeyedState(new Fixed(Map.of(6, new byte[0])), context(1, 4, 8));
    assertThatThrownBy(state::snapshot)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("count#1 wrote state for key group 6, which belongs to instance 3");
  }

  @Test
  void aStateOfAnotherKeyGroupCountIsNotTakenUp() throws Exception {
    byte[] state = new KeyedState(new Fixed(Map.of(0, new byte[0])), context(0, 1, 16)).snapshot();
    assertThatThrownBy(() -> new KeyedState(new Fixed(Map.of()), context(0, 1, 8)).restore(state))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hashes keys into 16 key groups, its inputs into 8");
  }
}
