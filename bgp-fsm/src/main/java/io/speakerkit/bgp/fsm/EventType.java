package io.speakerkit.bgp.fsm;

/**
 * The 28 events of RFC 4271 §8.1 and Event 29 of RFC 9687 (Send Hold Timer), with their numbers and names as the
 * RFCs spell them.
 */
public enum EventType {
  ManualStart(1, "ManualStart"),
  ManualStop(2, "ManualStop"),
  AutomaticStart(3, "AutomaticStart"),
  ManualStart_with_PassiveTcpEstablishment(4, "ManualStart_with_PassiveTcpEstablishment"),
  AutomaticStart_with_PassiveTcpEstablishment(5, "AutomaticStart_with_PassiveTcpEstablishment"),
  AutomaticStart_with_DampPeerOscillations(6, "AutomaticStart_with_DampPeerOscillations"),
  AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment(
      7, "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment"),
  AutomaticStop(8, "AutomaticStop"),
  ConnectRetryTimer_Expires(9, "ConnectRetryTimer_Expires"),
  HoldTimer_Expires(10, "HoldTimer_Expires"),
  KeepaliveTimer_Expires(11, "KeepaliveTimer_Expires"),
  DelayOpenTimer_Expires(12, "DelayOpenTimer_Expires"),
  IdleHoldTimer_Expires(13, "IdleHoldTimer_Expires"),
  TcpConnection_Valid(14, "TcpConnection_Valid"),
  Tcp_CR_Invalid(15, "Tcp_CR_Invalid"),
  Tcp_CR_Acked(16, "Tcp_CR_Acked"),
  TcpConnectionConfirmed(17, "TcpConnectionConfirmed"),
  TcpConnectionFails(18, "TcpConnectionFails"),
  BGPOpen(19, "BGPOpen"),
  BGPOpen_with_DelayOpenTimer_running(20, "BGPOpen with DelayOpenTimer running"),
  BGPHeaderErr(21, "BGPHeaderErr"),
  BGPOpenMsgErr(22, "BGPOpenMsgErr"),
  OpenCollisionDump(23, "OpenCollisionDump"),
  NotifMsgVerErr(24, "NotifMsgVerErr"),
  NotifMsg(25, "NotifMsg"),
  KeepAliveMsg(26, "KeepAliveMsg"),
  UpdateMsg(27, "UpdateMsg"),
  UpdateMsgErr(28, "UpdateMsgErr"),
  SendHoldTimer_Expires(29, "SendHoldTimer_Expires");

  private final int number;
  private final String rfcName;

  EventType(int number, String rfcName) {
    this.number = number;
    this.rfcName = rfcName;
  }

  /** The event number of RFC 4271 §8.1. */
  public int number() {
    return number;
  }

  /** The name as RFC 4271 §8.1 writes it. */
  public String rfcName() {
    return rfcName;
  }

  /** E.g. {@code HoldTimer_Expires (Event 10)}. */
  @Override
  public String toString() {
    return rfcName + " (Event " + number + ")";
  }
}
