package io.speakerkit.examples.manifest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Kubernetes {@code Secret} (v1), read for BGPPeer {@code passwordSecret}: {@code data} (base64) and {@code stringData}. */
public record SecretSpec(ObjectRef ref, String type, Map<String, String> values) {

  static SecretSpec read(ObjectRef ref, Node root) {
    String type = root.string("type");
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : root.stringMap("data").entrySet()) {
      try {
        values.put(e.getKey(), new String(Base64.getMimeDecoder().decode(e.getValue()), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException ex) {
        throw root.error("data." + e.getKey(), "not valid base64");
      }
    }
    values.putAll(root.stringMap("stringData"));
    return new SecretSpec(ref, type == null ? "Opaque" : type, Map.copyOf(values));
  }
}
