package io.speakerkit.examples.manifest;

/** Names a manifest object the way MetalLB's webhook does in its errors: {@code BGPPeer metallb-system/peer1}. */
public record ObjectRef(String kind, String namespace, String name) {

  @Override
  public String toString() {
    return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
  }
}
