package io.speakerkit.allocator;

/** Transport protocol of a service port, as in Kubernetes {@code ServicePort.protocol}. */
public enum Protocol {
  TCP,
  UDP,
  SCTP
}
