package io.speakerkit.examples.manifest;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A YAML mapping with its path in the object ({@code spec}, {@code spec.serviceAllocation}) that reads typed fields,
 * reports errors naming the field, and remembers which keys were read so the rest can be warned about.
 */
final class Node {

  private final ObjectRef object;
  private final String path;
  private final Map<?, ?> map;
  private final Set<String> read = new LinkedHashSet<>();
  private final List<Node> children = new ArrayList<>();

  Node(ObjectRef object, String path, Map<?, ?> map) {
    this.object = object;
    this.path = path;
    this.map = map == null ? Map.of() : map;
  }

  ObjectRef object() {
    return object;
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  ManifestException error(String field, String reason) {
    return new ManifestException(object, path(field), reason);
  }

  boolean has(String field) {
    return map.containsKey(field) && map.get(field) != null;
  }

  Object raw(String field) {
    read.add(field);
    return map.get(field);
  }

  /** Marks a field as handled on purpose although it is not read (documented as ignored elsewhere). */
  void skip(String field) {
    read.add(field);
  }

  /** Marks every field as handled: the object is not the speaker's concern. */
  void skipAll() {
    map.keySet().forEach(k -> read.add(String.valueOf(k)));
  }

  String string(String field) {
    Object v = raw(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Map || v instanceof List) {
      throw error(field, "expected a string, got " + describe(v));
    }
    return String.valueOf(v);
  }

  String requiredString(String field) {
    String v = string(field);
    if (v == null || v.isEmpty()) {
      throw error(field, "required");
    }
    return v;
  }

  Long integer(String field, long min, long max) {
    Object v = raw(field);
    if (v == null) {
      return null;
    }
    long n;
    if (v instanceof Number num && !(v instanceof Double) && !(v instanceof Float)) {
      n = num.longValue();
      if (v instanceof java.math.BigInteger big && big.bitLength() > 63) {
        throw error(field, v + " (expected: " + min + "-" + max + ")");
      }
    } else if (v instanceof String s && s.matches("-?\\d{1,19}")) {
      n = Long.parseLong(s);
    } else {
      throw error(field, describe(v) + " (expected: an integer " + min + "-" + max + ")");
    }
    if (n < min || n > max) {
      throw error(field, n + " (expected: " + min + "-" + max + ")");
    }
    return n;
  }

  boolean bool(String field, boolean defaultValue) {
    Object v = raw(field);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    // kubectl's YAML reader (sigs.k8s.io/yaml, goyaml.v2 resolve.go) takes YAML 1.1 booleans
    if (v instanceof String s && s.matches("y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON")) {
      return true;
    }
    if (v instanceof String s && s.matches("n|N|no|No|NO|false|False|FALSE|off|Off|OFF")) {
      return false;
    }
    throw error(field, describe(v) + " (expected: true or false)");
  }

  /**
   * A duration as MetalLB writes it ({@code 90s}, {@code 1m30s}); a bare number is taken as seconds with a warning,
   * because MetalLB's own field is a duration string.
   */
  Duration duration(String field, Consumer<String> warnings) {
    Object v = raw(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number num && !(v instanceof Double) && !(v instanceof Float)) {
      long seconds = num.longValue();
      warnings.accept(object + ": " + path(field) + ": bare number " + seconds + " taken as " + seconds
          + "s (MetalLB expects a duration string such as \"" + seconds + "s\")");
      return Duration.ofSeconds(seconds);
    }
    if (!(v instanceof String s)) {
      throw error(field, describe(v) + " (expected: a duration such as 90s or 1m30s)");
    }
    try {
      return GoDuration.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(field, e.getMessage());
    }
  }

  InetAddress address(String field) {
    String s = string(field);
    if (s == null || s.isEmpty()) {
      return null;
    }
    return parseAddress(field, s);
  }

  /** Go's net.ParseIP (what MetalLB parses with): four decimal octets without leading zeros, or IPv6. */
  private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final java.util.regex.Pattern IPV4 =
      java.util.regex.Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

  InetAddress parseAddress(String field, String s) {
    String t = s.trim();
    // not Java's inet_aton forms: "1.2.3" would be 1.2.0.3, "10.1" 10.0.0.1
    // nor a zone ("fe80::1%eth0"): Go's net.ParseIP, which MetalLB uses, refuses it
    if (!t.contains(":") && !IPV4.matcher(t).matches() || t.indexOf('%') >= 0) {
      throw error(field, "\"" + s + "\" (expected: an IPv4 or IPv6 address)");
    }
    try {
      return InetAddress.getByName(t);
    } catch (java.net.UnknownHostException e) {
      throw error(field, "\"" + s + "\" (expected: an IPv4 or IPv6 address)");
    }
  }

  List<String> strings(String field) {
    Object v = raw(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw error(field, describe(v) + " (expected: a list of strings)");
    }
    List<String> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        throw error(field + "[" + i + "]", describe(item) + " (expected: a string)");
      }
      out.add(String.valueOf(item));
    }
    return List.copyOf(out);
  }

  /** As {@link #strings}, refusing an entry listed twice (MetalLB's validateDuplicate). */
  List<String> distinctStrings(String field) {
    List<String> out = strings(field);
    for (int i = 1; i < out.size(); i++) {
      if (out.subList(0, i).contains(out.get(i))) {
        throw error(field + "[" + i + "]", "\"" + out.get(i) + "\" listed twice (expected: each entry once)");
      }
    }
    return out;
  }

  Map<String, String> stringMap(String field) {
    Object v = raw(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw error(field, describe(v) + " (expected: a map of strings)");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getValue() instanceof Map || e.getValue() instanceof List) {
        throw error(field + "." + e.getKey(), describe(e.getValue()) + " (expected: a string)");
      }
      out.put(String.valueOf(e.getKey()), e.getValue() == null ? "" : String.valueOf(e.getValue()));
    }
    return out;
  }

  Node child(String field) {
    Object v = raw(field);
    if (v != null && !(v instanceof Map)) {
      throw error(field, describe(v) + " (expected: a mapping)");
    }
    Node n = new Node(object, path(field), (Map<?, ?>) v);
    children.add(n);
    return n;
  }

  List<Node> children(String field) {
    Object v = raw(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw error(field, describe(v) + " (expected: a list)");
    }
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (!(item instanceof Map<?, ?> m)) {
        throw error(field + "[" + i + "]", describe(item) + " (expected: a mapping)");
      }
      Node n = new Node(object, path(field) + "[" + i + "]", m);
      children.add(n);
      out.add(n);
    }
    return out;
  }

  /** Warns once for every key present but never read, here and in every child read through this node. */
  void warnUnread(Consumer<String> warnings) {
    for (Object key : map.keySet()) {
      String k = String.valueOf(key);
      if (!read.contains(k)) {
        warnings.accept(object + ": " + path(k) + ": unknown or unsupported field, ignored");
      }
    }
    for (Node c : children) {
      c.warnUnread(warnings);
    }
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof List) {
      return "a list";
    }
    return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
  }
}
