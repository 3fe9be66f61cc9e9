package io.speakerkit.speaker;

/** MetalLB BGPPeer {@code dynamicASN}: accept whatever AS the peer announces, as long as it is internal or external. */
public enum DynamicAsn {
  /** The peer's AS must equal ours (iBGP). */
  INTERNAL,
  /** The peer's AS must differ from ours (eBGP). */
  EXTERNAL,
  /** Any AS (not a MetalLB value: for route collectors); iBGP or eBGP follows from the peer's OPEN. */
  ANY
}
