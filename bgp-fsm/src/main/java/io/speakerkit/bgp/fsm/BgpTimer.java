package io.speakerkit.bgp.fsm;

/**
 * The timers of RFC 4271 §8 the machine starts and stops through {@link BgpAction.StartTimer} and
 * {@link BgpAction.StopTimer}; the driver reports their expiry as the matching event.
 */
public enum BgpTimer {
  /** RFC 4271 §8: ConnectRetryTimer; expiry is Event 9, ConnectRetryTimer_Expires. */
  ConnectRetryTimer,
  /** RFC 4271 §8: HoldTimer; expiry is Event 10, HoldTimer_Expires. */
  HoldTimer,
  /** RFC 4271 §8: KeepaliveTimer; expiry is Event 11, KeepaliveTimer_Expires. */
  KeepaliveTimer,
  /** RFC 4271 §8.1.1 (optional): DelayOpenTimer; expiry is Event 12, DelayOpenTimer_Expires. */
  DelayOpenTimer,
  /** RFC 4271 §8.1.1 (optional): IdleHoldTimer, used to damp peer oscillations; expiry is Event 13. */
  IdleHoldTimer
}
