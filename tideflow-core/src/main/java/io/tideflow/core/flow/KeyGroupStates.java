package io.tideflow.core.flow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The state of a keyed process instance, split by {@link KeyGroups key group}: what it holds for
 * each group it owns, written so that a rescale can hand every group to the instance of the new
 * parallelism that owns it. Flink's key-group state, without the restart: the groups of all former
 * instances are gathered and cut again by the new ranges ({@link #regroup}).
 *
 * <p>The format is a header ({@code TFKG}, a version, the key-group count), the groups in rising
 * order with their lengths, and a CRC-32C of all before it, so that a state written by any other
 * process is never mistaken for one. Pure.
 */
public final class KeyGroupStates {
  private static final int MAGIC = 0x54464B47; // "TFKG"
  private static final byte VERSION = 1;
  private static final int HEADER = Integer.BYTES + 1 + 2 * Integer.BYTES;

  private KeyGroupStates() {}

  /**
   * The groups of one instance's state, and how many key groups its keys hash into.
   *
   * @param groups state by key group, rising (a group's state may be empty)
   */
  public record Decoded(int keyGroups, SortedMap<Integer, byte[]> groups) {
    public Decoded {
      groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    }

    /** The bytes all groups hold together. */
    public long bytes() {
      long n = 0;
      for (byte[] b : groups.values()) {
        n += b.length;
      }
      return n;
    }
  }

  /**
   * Writes {@code groups} as one state.
   *
   * @throws IllegalArgumentException for a group outside {@code [0, keyGroups)} or a null state,
   *     naming the group
   */
  public static byte[] encode(int keyGroups, Map<Integer, byte[]> groups) {
    if (keyGroups < 1) {
      throw new IllegalArgumentException("keyGroups must be >= 1, was " + keyGroups);
    }
    long size = HEADER + Integer.BYTES;
    for (Map.Entry<Integer, byte[]> e : groups.entrySet()) {
      int g = e.getKey();
      if (g < 0 || g >= keyGroups) {
        throw new IllegalArgumentException("key group " + g + " is outside [0, " + keyGroups + ")");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("key group " + g + " has a null state");
      }
      size += 2L * Integer.BYTES + e.getValue().length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("the key groups' states are " + size + " bytes together");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    out.putInt(MAGIC).put(VERSION).putInt(keyGroups).putInt(groups.size());
    for (Map.Entry<Integer, byte[]> e : new TreeMap<>(groups).entrySet()) {
      out.putInt(e.getKey()).putInt(e.getValue().length).put(e.getValue());
    }
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return out.array();
  }

  /** Whether {@code state} was written by {@link #encode}, whole. */
  public static boolean isKeyed(byte[] state) {
    if (state.length < HEADER + Integer.BYTES || ByteBuffer.wrap(state).getInt() != MAGIC) {
      return false;
    }
    CRC32C crc = new CRC32C();
    crc.update(state, 0, state.length - Integer.BYTES);
    return (int) crc.getValue() == ByteBuffer.wrap(state, state.length - 4, 4).getInt();
  }

  /**
   * Reads a state {@link #encode} wrote.
   *
   * @throws IllegalArgumentException when it is not one, or does not read whole, saying why
   */
  public static Decoded decode(byte[] state) {
    if (!isKeyed(state)) {
      throw new IllegalArgumentException(
          "not a key-group state (" + state.length + " bytes, no TFKG header or a bad checksum)");
    }
    ByteBuffer in = ByteBuffer.wrap(state, 0, state.length - Integer.BYTES);
    in.getInt();
    byte version = in.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("key-group state of version " + version + ", not 1");
    }
    int keyGroups = in.getInt();
    int count = in.getInt();
    if (keyGroups < 1 || count < 0 || count > keyGroups) {
      throw new IllegalArgumentException(
          "key-group state of " + count + " groups out of " + keyGroups);
    }
    SortedMap<Integer, byte[]> groups = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 2 * Integer.BYTES) {
        throw new IllegalArgumentException("key-group state ends within group " + i);
      }
      int g = in.getInt();
      int length = in.getInt();
      if (g < 0 || g >= keyGroups || length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException(
            "key-group state: group " + g + " of " + length + " bytes does not read");
      }
      byte[] b = new byte[length];
      in.get(b);
      if (groups.put(g, b) != null) {
        throw new IllegalArgumentException("key-group state holds group " + g + " twice");
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "key-group state has " + in.remaining() + " bytes after its groups");
    }
    return new Decoded(keyGroups, groups);
  }

  /**
   * The states of a keyed process at a new parallelism: the groups of every former instance's state
   * go to the instance that owns them now ({@link KeyGroups#instance}).
   *
   * @param states the former instances' states, each written by {@link #encode}
   * @return by new instance, its state, or null where it owns no group that holds any
   * @throws IllegalArgumentException when a state does not read, the states disagree on the
   *     key-group count, two hold the same group, or the count is below {@code parallelism}
   */
  public static List<byte[]> regroup(Collection<byte[]> states, int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
    }
    int keyGroups = 0;
    List<SortedMap<Integer, byte[]>> next = new ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      next.add(new TreeMap<>());
    }
    for (byte[] state : states) {
      Decoded d = decode(state);
      if (keyGroups != 0 && d.keyGroups() != keyGroups) {
        throw new IllegalArgumentException(
            "states hash keys into " + keyGroups + " and " + d.keyGroups() + " key groups");
      }
      keyGroups = d.keyGroups();
      if (keyGroups < parallelism) {
        throw new IllegalArgumentException(
            keyGroups + " key groups cannot be spread over " + parallelism + " instances");
      }
      for (Map.Entry<Integer, byte[]> e : d.groups().entrySet()) {
        int owner = KeyGroups.instance(e.getKey(), keyGroups, parallelism);
        if (next.get(owner).put(e.getKey(), e.getValue()) != null) {
          throw new IllegalArgumentException("two states hold key group " + e.getKey());
        }
      }
    }
    List<byte[]> out = new ArrayList<>();
    for (SortedMap<Integer, byte[]> groups : next) {
      out.add(groups.isEmpty() ? null : encode(keyGroups, groups));
    }
    return out;
  }

  /** Whether instance {@code instance} of {@code parallelism} owns key group {@code group}. */
  public static boolean owns(int instance, int group, int keyGroups, int parallelism) {
    return KeyGroups.instance(group, keyGroups, parallelism) == instance;
  }
}
