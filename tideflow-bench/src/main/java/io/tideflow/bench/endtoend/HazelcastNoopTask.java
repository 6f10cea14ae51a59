package io.tideflow.bench.endtoend;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.concurrent.Callable;

/**
 * The no-op task as a well-tuned Hazelcast user writes it: {@link IdentifiedDataSerializable}, so
 * it travels as a factory id and a class id (a few bytes, no reflection, no class name) instead of
 * through Java serialization. It has no fields and returns {@code null}.
 */
public final class HazelcastNoopTask implements Callable<Object>, IdentifiedDataSerializable {

  /** Registered with {@link Factory} in every member's serialization config. */
  public static final int FACTORY_ID = 0x7_1DEF;

  static final int CLASS_ID = 1;

  /** Stateless, so one instance serves every submission. */
  static final HazelcastNoopTask INSTANCE = new HazelcastNoopTask();

  @Override
  public Object call() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return CLASS_ID;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // No state: the ids Hazelcast writes in front are the whole task.
  }

  @Override
  public void readData(ObjectDataInput in) {
    // No state to read.
  }

  /** Creates {@link HazelcastNoopTask}s when a member deserializes one. */
  public static final class Factory implements DataSerializableFactory {
    @Override
    public IdentifiedDataSerializable create(int typeId) {
      if (typeId != CLASS_ID) {
        throw new IllegalArgumentException(
            "unknown class id for factory "
                + FACTORY_ID
                + ": "
                + typeId
                + " (known: "
                + CLASS_ID
                + ")");
      }
      return INSTANCE;
    }
  }
}
