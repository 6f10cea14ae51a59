package io.tideflow.runtime.flow;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the runtime keeps for a stateful instance: where each of its inputs from another node stood
 * (so that a sender's replay of what the state already took is dropped) and the process's own state
 * after them. A deployment that replaces another starts its channels afresh, so a state handed to
 * it keeps the process's part only ({@link #fresh}).
 */
public final class KeptState {
  private final List<InboundChannel.Position> positions;
  private final byte[] body;

  private KeptState(List<InboundChannel.Position> positions, byte[] body) {
    this.positions = positions;
    this.body = body;
  }

  /**
   * Writes a state.
   *
   * @param positions by input, in the instance's input order; null for an input whose position is
   *     not known (from this node, or nothing of its sender's epoch taken yet)
   */
  static byte[] encode(List<InboundChannel.Position> positions, byte[] body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(positions.size());
      for (InboundChannel.Position at : positions) {
        out.writeBoolean(at != null);
        if (at != null) {
          out.writeLong(at.seq());
          out.writeUTF(at.senderNode());
        }
      }
      out.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from memory
    }
    return bytes.toByteArray();
  }

  /** {@code body} as the state of an instance whose inputs start afresh. */
  public static byte[] fresh(byte[] body) {
    return encode(List.of(), body);
  }

  /**
   * Reads a kept state.
   *
   * @throws IllegalArgumentException when it does not read, saying why
   */
  public static KeptState decode(byte[] kept) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(kept))) {
      int n = in.readInt();
      if (n < 0 || n > kept.length) {
        throw new IllegalArgumentException("a kept state of " + n + " inputs");
      }
      List<InboundChannel.Position> positions = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        positions.add(
            in.readBoolean() ? new InboundChannel.Position(in.readLong(), in.readUTF()) : null);
      }
      return new KeptState(Collections.unmodifiableList(positions), in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalArgumentException("a kept state does not read: " + e, e);
    }
  }

  /** Where the inputs stood, by input; null entries where not known. */
  List<InboundChannel.Position> positions() {
    return positions;
  }

  /** What the process itself wrote. */
  public byte[] body() {
    return body.clone();
  }

  /** How many bytes the process's part holds. */
  public int bodyLength() {
    return body.length;
  }
}
