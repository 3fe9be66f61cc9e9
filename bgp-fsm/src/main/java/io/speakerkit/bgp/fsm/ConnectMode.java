package io.speakerkit.bgp.fsm;

/** How the session establishes its TCP connection. */
public enum ConnectMode {
  /** Connect to the peer and accept its connections too (RFC 4271 ManualStart / AutomaticStart). */
  ACTIVE,
  /**
   * RFC 4271 passive TCP establishment (ManualStart_with_PassiveTcpEstablishment): wait in Active for the peer to
   * connect, and connect ourselves only when the ConnectRetryTimer expires.
   */
  PASSIVE,
  /** Never initiate: wait for the peer's connection only (a route collector, or a peer the router dials). */
  LISTEN_ONLY
}
