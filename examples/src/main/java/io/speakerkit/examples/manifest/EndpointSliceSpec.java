package io.speakerkit.examples.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code discovery.k8s.io/v1} EndpointSlice, reduced to what decides whether a node announces its service: which
 * endpoints can serve and on which node.
 *
 * @param service the Service it belongs to (label {@code kubernetes.io/service-name}), in the slice's namespace
 * @param endpoints its endpoints
 */
public record EndpointSliceSpec(ObjectRef ref, String service, List<Endpoint> endpoints) {

  /**
   * One endpoint.
   *
   * @param ready whether it can serve, as MetalLB's {@code EndpointCanServe} reads the conditions: {@code ready}
   *     true or absent (as Kubernetes tells consumers to read it), or {@code serving} true (a terminating pod that
   *     still finishes its connections)
   * @param nodeName the node it runs on, or null
   */
  public record Endpoint(boolean ready, String nodeName) {}

  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  static EndpointSliceSpec read(ObjectRef ref, java.util.Map<String, String> labels, Node root) {
    String service = labels.get(SERVICE_NAME_LABEL);
    if (service == null || service.isEmpty()) {
      throw root.error("metadata.labels", "no " + SERVICE_NAME_LABEL + " label (expected: the Service it serves)");
    }
    root.skip("addressType");
    root.skip("ports");
    List<Endpoint> endpoints = new ArrayList<>();
    for (Node e : root.children("endpoints")) {
      boolean ready = true;
      if (e.has("conditions")) {
        Node c = e.child("conditions");
        boolean serving = c.bool("serving", false);
        ready = c.bool("ready", true) || serving;
        c.skip("terminating");
      }
      String node = e.string("nodeName");
      for (String ignored : List.of("addresses", "hostname", "targetRef", "zone", "hints", "deprecatedTopology")) {
        e.skip(ignored);
      }
      endpoints.add(new Endpoint(ready, node == null || node.isEmpty() ? null : node));
    }
    return new EndpointSliceSpec(ref, service, List.copyOf(endpoints));
  }
}
