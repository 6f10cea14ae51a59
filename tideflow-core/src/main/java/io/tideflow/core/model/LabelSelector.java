package io.tideflow.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Requirements on a node's labels, all of which must hold (Kubernetes' set-based selector).
 *
 * @param requirements each must match; empty selects every node
 */
public record LabelSelector(List<Requirement> requirements) {

  public static final LabelSelector ALL = new LabelSelector(List.of());

  public LabelSelector {
    Checks.notNull("requirements", requirements);
    requirements = List.copyOf(requirements);
  }

  /** How a requirement tests a label. */
  public enum Operator {
    /** the label is present and its value is one of the values */
    IN,
    /** the label is absent, or its value is none of the values */
    NOT_IN,
    /** the label is present, whatever its value */
    EXISTS,
    /** the label is absent */
    DOES_NOT_EXIST
  }

  /**
   * One test of one label.
   *
   * @param key the label key
   * @param operator how to test it
   * @param values the values IN and NOT_IN compare with (non-empty for them, empty otherwise)
   */
  public record Requirement(String key, Operator operator, Set<String> values) {
    public Requirement {
      Checks.notBlank("key", key);
      Checks.notNull("operator", operator);
      Checks.notNull("values", values);
      values = Set.copyOf(values);
      boolean needsValues = operator == Operator.IN || operator == Operator.NOT_IN;
      if (needsValues == values.isEmpty()) {
        throw new IllegalArgumentException(
            "values must be "
                + (needsValues ? "non-empty" : "empty")
                + " for "
                + operator
                + ", was "
                + values);
      }
    }

    public boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case IN -> value != null && values.contains(value);
        case NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
      };
    }

    @Override
    public String toString() {
      return switch (operator) {
        case IN -> key + " in " + new TreeSet<>(values);
        case NOT_IN -> key + " notin " + new TreeSet<>(values);
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
      };
    }
  }

  public static Requirement in(String key, String... values) {
    return new Requirement(key, Operator.IN, Set.of(values));
  }

  public static Requirement notIn(String key, String... values) {
    return new Requirement(key, Operator.NOT_IN, Set.of(values));
  }

  public static Requirement exists(String key) {
    return new Requirement(key, Operator.EXISTS, Set.of());
  }

  public static Requirement doesNotExist(String key) {
    return new Requirement(key, Operator.DOES_NOT_EXIST, Set.of());
  }

  public static LabelSelector of(Requirement... requirements) {
    return new LabelSelector(List.of(requirements));
  }

  /**
   * The equality selector of {@link TaskSpec#labelSelector()}: each key {@code in} its one value.
   */
  public static LabelSelector equality(Map<String, String> labels) {
    List<Requirement> reqs = new ArrayList<>();
    new TreeMap<>(labels).forEach((k, v) -> reqs.add(in(k, v)));
    return new LabelSelector(reqs);
  }

  /** This and {@code other}'s requirements together. */
  public LabelSelector and(LabelSelector other) {
    List<Requirement> all = new ArrayList<>(requirements);
    all.addAll(other.requirements);
    return new LabelSelector(all);
  }

  public boolean matches(Map<String, String> labels) {
    for (int i = 0; i < requirements.size(); i++) {
      if (!requirements.get(i).matches(labels)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return requirements.toString();
  }
}
