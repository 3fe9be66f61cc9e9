package io.speakerkit.examples.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector as written in a manifest ({@code matchLabels} and {@code matchExpressions}); the
 * operators are checked here, matching is done by the module that uses the selector.
 */
public record SelectorSpec(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

  /** One {@code matchExpressions} entry. */
  public record Requirement(String key, String operator, List<String> values) {}

  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  public SelectorSpec {
    matchLabels = Map.copyOf(matchLabels);
    matchExpressions = List.copyOf(matchExpressions);
  }

  static List<SelectorSpec> readAll(Node parent, String field) {
    List<SelectorSpec> out = new ArrayList<>();
    for (Node n : parent.children(field)) {
      out.add(read(n));
    }
    return List.copyOf(out);
  }

  static SelectorSpec read(Node n) {
    Map<String, String> labels = n.stringMap("matchLabels");
    List<Requirement> reqs = new ArrayList<>();
    for (Node e : n.children("matchExpressions")) {
      String key = e.requiredString("key");
      String op = e.requiredString("operator");
      if (!OPERATORS.contains(op)) {
        throw e.error("operator", "\"" + op + "\" (expected: In, NotIn, Exists or DoesNotExist)");
      }
      List<String> values = e.strings("values");
      if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) {
        throw e.error("values", "must be non-empty for operator " + op);
      }
      if ((op.equals("Exists") || op.equals("DoesNotExist")) && !values.isEmpty()) {
        throw e.error("values", "must be empty for operator " + op);
      }
      reqs.add(new Requirement(key, op, values));
    }
    return new SelectorSpec(labels, reqs);
  }
}
