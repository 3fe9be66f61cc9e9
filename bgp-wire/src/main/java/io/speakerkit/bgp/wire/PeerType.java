package io.speakerkit.bgp.wire;

/** Whether the session is iBGP or eBGP; some RFC 7606 checks depend on it (e.g. LOCAL_PREF from an eBGP peer). */
public enum PeerType {
  INTERNAL,
  EXTERNAL
}
