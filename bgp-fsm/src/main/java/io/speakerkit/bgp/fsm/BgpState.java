package io.speakerkit.bgp.fsm;

/** The six session states of RFC 4271 §8.2.2, spelled as the RFC spells them. */
public enum BgpState {
  Idle,
  Connect,
  Active,
  OpenSent,
  OpenConfirm,
  Established
}
