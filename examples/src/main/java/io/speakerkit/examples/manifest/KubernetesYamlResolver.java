package io.speakerkit.examples.manifest;

import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Scalar typing of the YAML 1.2 core schema, not YAML 1.1: {@code 65535:65282} is the string a community is written
 * as, not the base-60 integer YAML 1.1 makes of it. {@code on}/{@code yes}/{@code no} stay strings here; kubectl's
 * reader (goyaml.v2) makes booleans of them, so boolean fields take them too ({@code Node.bool}).
 */
final class KubernetesYamlResolver extends Resolver {

  private static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
  // 0o octal (defaultMode: 0o644 in objects the speaker ignores) is left a string: SnakeYAML cannot build it
  private static final Pattern INT = Pattern.compile("^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$");
  private static final Pattern FLOAT = Pattern.compile(
      "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  private static final Pattern NULL = Pattern.compile("^(?:~|null|Null|NULL| )$");

  @Override
  protected void addImplicitResolvers() {
    addImplicitResolver(Tag.BOOL, BOOL, "tTfF");
    addImplicitResolver(Tag.INT, INT, "-+0123456789");
    addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
    addImplicitResolver(Tag.NULL, NULL, "~nN\0");
    addImplicitResolver(Tag.NULL, EMPTY, null);
    addImplicitResolver(Tag.MERGE, MERGE, "<"); // <<: merge keys, which kubectl's YAML reader takes too
  }
}
