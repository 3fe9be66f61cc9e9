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
  public record Requirement(String key, String operator, List<String> values) {
    /** This requirement with its values sorted: MetalLB compares values as a set. */
    Requirement normalized() {
      return new Requirement(key, operator, values.stream().sorted().toList());
    }
  }

  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  public SelectorSpec {
    matchLabels = Map.copyOf(matchLabels);
    matchExpressions = List.copyOf(matchExpressions);
  }

  static List<SelectorSpec> readAll(Node parent, String field) {
    List<SelectorSpec> out = new ArrayList<>();
    List<Node> nodes = parent.children(field);
    for (int i = 0; i < nodes.size(); i++) {
      SelectorSpec s = read(nodes.get(i));
      // MetalLB (validateLabelSelectorDuplicate): "duplicate definition of <field>", values compared as a set
      if (out.stream().anyMatch(o -> o.normalized().equals(s.normalized()))) {
        throw parent.error(field + "[" + i + "]", "the same selector listed twice (expected: each selector once)");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** This selector with each requirement's values sorted, as MetalLB compares selectors. */
  private SelectorSpec normalized() {
    return new SelectorSpec(matchLabels, matchExpressions.stream()
        .map(Requirement::normalized).toList());
  }

  // k8s.io/apimachinery validation: a label key is [prefix/]name, the prefix a DNS subdomain of at most 253
  // characters, the name (and a value, which may also be empty) at most 63 alphanumerics, '-', '_' or '.', beginning
  // and ending with an alphanumeric
  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final java.util.regex.Pattern SUBDOMAIN =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static boolean validKey(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      return NAME.matcher(key).matches();
    }
    String prefix = key.substring(0, slash);
    return prefix.length() <= 253 && SUBDOMAIN.matcher(prefix).matches()
        && NAME.matcher(key.substring(slash + 1)).matches();
  }

  private static boolean validValue(String value) {
    return value.isEmpty() || NAME.matcher(value).matches();
  }

  static SelectorSpec read(Node n) {
    Map<String, String> labels = n.stringMap("matchLabels");
    for (Map.Entry<String, String> l : labels.entrySet()) {
      // MetalLB turns every selector into a labels.Selector (LabelSelectorAsSelector), which refuses these
      if (!validKey(l.getKey())) {
        throw n.error("matchLabels." + l.getKey(), "not a valid label key (expected: [prefix/]name, the name at"
            + " most 63 alphanumerics, '-', '_' or '.', beginning and ending with an alphanumeric)");
      }
      if (!validValue(l.getValue())) {
        throw n.error("matchLabels." + l.getKey(), "\"" + l.getValue() + "\" is not a valid label value (expected:"
            + " at most 63 alphanumerics, '-', '_' or '.', beginning and ending with an alphanumeric)");
      }
    }
    List<Requirement> reqs = new ArrayList<>();
    for (Node e : n.children("matchExpressions")) {
      String key = e.requiredString("key");
      if (!validKey(key)) {
        throw e.error("key", "\"" + key + "\" is not a valid label key");
      }
      String op = e.requiredString("operator");
      if (!OPERATORS.contains(op)) {
        throw e.error("operator", "\"" + op + "\" (expected: In, NotIn, Exists or DoesNotExist)");
      }
      List<String> values = e.distinctStrings("values");
      for (int i = 0; i < values.size(); i++) {
        if (!validValue(values.get(i))) {
          throw e.error("values[" + i + "]", "\"" + values.get(i) + "\" is not a valid label value");
        }
      }
      if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) {
        throw e.error("values", "must be non-empty for operator " + op);
      }
      if ((op.equals("Exists") || op.equals("DoesNotExist")) && !values.isEmpty()) {
        throw e.error("values", "must be empty for operator " + op);
      }
      Requirement r = new Requirement(key, op, values);
      if (reqs.stream().anyMatch(o -> o.normalized().equals(r.normalized()))) {
        throw n.error("matchExpressions", "the same requirement on \"" + key + "\" listed twice (expected: each once)");
      }
      reqs.add(r);
    }
    return new SelectorSpec(labels, reqs);
  }
}
