package io.speakerkit.allocator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Kubernetes label selector ({@code metav1.LabelSelector}): every {@code matchLabels} pair and every
 * {@code matchExpressions} requirement must hold. An empty selector matches every object, as in Kubernetes.
 *
 * @param matchLabels labels that must be present with exactly these values
 * @param matchExpressions set-based requirements
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

  /** Operator of a set-based requirement. */
  public enum Operator {
    /** The label is present and its value is one of the values. */
    IN,
    /** The label is absent, or present with a value outside the values. */
    NOT_IN,
    /** The label is present, whatever its value. */
    EXISTS,
    /** The label is absent. */
    DOES_NOT_EXIST
  }

  /**
   * One {@code matchExpressions} entry.
   *
   * @param key label key
   * @param operator operator
   * @param values non-empty for {@code IN}/{@code NOT_IN}, empty for {@code EXISTS}/{@code DOES_NOT_EXIST}
   */
  public record Requirement(String key, Operator operator, Set<String> values) {
    public Requirement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operator, "operator");
      values = Set.copyOf(new TreeSet<>(Objects.requireNonNull(values, "values")));
      boolean needsValues = operator == Operator.IN || operator == Operator.NOT_IN;
      if (needsValues && values.isEmpty()) {
        throw new IllegalArgumentException("requirement on \"" + key + "\": " + operator + " with no values (expected: at least one value)");
      }
      if (!needsValues && !values.isEmpty()) {
        throw new IllegalArgumentException("requirement on \"" + key + "\": " + operator + " with values " + values + " (expected: no values)");
      }
    }

    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (operator) {
        case IN -> v != null && values.contains(v);
        case NOT_IN -> v == null || !values.contains(v);
        case EXISTS -> v != null;
        case DOES_NOT_EXIST -> v == null;
      };
    }
  }

  public LabelSelector {
    matchLabels = Map.copyOf(Objects.requireNonNull(matchLabels, "matchLabels"));
    matchExpressions = List.copyOf(Objects.requireNonNull(matchExpressions, "matchExpressions"));
  }

  /** A selector with only {@code matchLabels}. */
  public static LabelSelector matchLabels(Map<String, String> labels) {
    return new LabelSelector(labels, List.of());
  }

  /** A builder, for selectors that mix labels and expressions. */
  public static Builder builder() {
    return new Builder();
  }

  /** True if {@code labels} satisfy every part of this selector. */
  public boolean matches(Map<String, String> labels) {
    Objects.requireNonNull(labels, "labels");
    for (Map.Entry<String, String> e : matchLabels.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Requirement r : matchExpressions) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Builder for {@link LabelSelector}. */
  public static final class Builder {
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<Requirement> expressions = new ArrayList<>();

    private Builder() {}

    public Builder matchLabel(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder matchExpression(String key, Operator operator, String... values) {
      expressions.add(new Requirement(key, operator, Set.of(values)));
      return this;
    }

    public LabelSelector build() {
      return new LabelSelector(labels, expressions);
    }
  }
}
