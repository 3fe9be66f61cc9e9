package io.speakerkit.bgp.fsm;

import java.util.Objects;

/**
 * An input to the {@link BgpFsm}: the events of RFC 4271 §8.1, named as the RFC names them. Sockets, timers and the
 * operator only ever produce these; the machine answers with {@link BgpAction}s.
 *
 * <p>Event 20 (BGPOpen with DelayOpenTimer running) has no record of its own: a {@link BGPOpen} that arrives while
 * the machine's DelayOpenTimer runs is Event 20, and is reported as such.
 */
public sealed interface BgpEvent {

  /** The RFC 4271 §8.1 event this is. */
  EventType type();

  /** Event 1. */
  record ManualStart() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.ManualStart;
    }
  }

  /**
   * Event 2, with the Cease NOTIFICATION to send where the state has a connection to send it on: by default Cease /
   * Administrative Shutdown with an RFC 9003 shutdown communication.
   */
  record ManualStop(Notification cease) implements BgpEvent {
    public ManualStop {
      requireCease(cease);
    }

    /** Cease / Administrative Shutdown carrying {@code shutdownCommunication} (may be empty). */
    public static ManualStop withCommunication(String shutdownCommunication) {
      return new ManualStop(Notification.administrativeShutdown(shutdownCommunication));
    }

    /** Cease / Administrative Shutdown without a communication. */
    public ManualStop() {
      this(Notification.cease(Notification.ADMINISTRATIVE_SHUTDOWN));
    }

    @Override
    public EventType type() {
      return EventType.ManualStop;
    }
  }

  /** Event 3. */
  record AutomaticStart() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.AutomaticStart;
    }
  }

  /** Event 4. */
  record ManualStart_with_PassiveTcpEstablishment() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.ManualStart_with_PassiveTcpEstablishment;
    }
  }

  /** Event 5. */
  record AutomaticStart_with_PassiveTcpEstablishment() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.AutomaticStart_with_PassiveTcpEstablishment;
    }
  }

  /** Event 6. */
  record AutomaticStart_with_DampPeerOscillations() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.AutomaticStart_with_DampPeerOscillations;
    }
  }

  /** Event 7. */
  record AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment;
    }
  }

  /**
   * Event 8, with the Cease NOTIFICATION to send: e.g. Maximum Number of Prefixes Reached, or BFD Down (RFC 9384)
   * when the speaker tears the session down because BFD declared the path dead.
   */
  record AutomaticStop(Notification cease) implements BgpEvent {
    public AutomaticStop {
      requireCease(cease);
    }

    /** Cease with {@code subcode} and no data. */
    public static AutomaticStop cease(int subcode) {
      return new AutomaticStop(Notification.cease(subcode));
    }

    @Override
    public EventType type() {
      return EventType.AutomaticStop;
    }
  }

  /** Event 9. */
  record ConnectRetryTimer_Expires() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.ConnectRetryTimer_Expires;
    }
  }

  /** Event 10. */
  record HoldTimer_Expires() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.HoldTimer_Expires;
    }
  }

  /** Event 11. */
  record KeepaliveTimer_Expires() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.KeepaliveTimer_Expires;
    }
  }

  /** Event 12. */
  record DelayOpenTimer_Expires() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.DelayOpenTimer_Expires;
    }
  }

  /** Event 13. */
  record IdleHoldTimer_Expires() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.IdleHoldTimer_Expires;
    }
  }

  /** Event 14: a TCP connection request from the peer's address and port, acceptable. */
  record TcpConnection_Valid() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.TcpConnection_Valid;
    }
  }

  /** Event 15: a TCP connection request that is not acceptable. */
  record Tcp_CR_Invalid() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.Tcp_CR_Invalid;
    }
  }

  /** Event 16: our outgoing TCP connection completed. */
  record Tcp_CR_Acked() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.Tcp_CR_Acked;
    }
  }

  /** Event 17: the peer's incoming TCP connection completed. */
  record TcpConnectionConfirmed() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.TcpConnectionConfirmed;
    }
  }

  /** Event 18: the TCP connection failed or was closed by the peer, or the connect attempt failed. */
  record TcpConnectionFails(String reason) implements BgpEvent {
    public TcpConnectionFails {
      reason = reason == null ? "" : reason;
    }

    public TcpConnectionFails() {
      this("");
    }

    @Override
    public EventType type() {
      return EventType.TcpConnectionFails;
    }
  }

  /**
   * Event 19 (or 20 when the DelayOpenTimer runs): an OPEN arrived that decoded. The machine checks its fields
   * (RFC 4271 §6.2) and treats a failed check as Event 22, BGPOpenMsgErr.
   */
  record BGPOpen(OpenMessage open) implements BgpEvent {
    public BGPOpen {
      Objects.requireNonNull(open, "open");
    }

    @Override
    public EventType type() {
      return EventType.BGPOpen;
    }
  }

  /** Event 21: a message header error, with the NOTIFICATION the codec says to send. */
  record BGPHeaderErr(Notification notification) implements BgpEvent {
    public BGPHeaderErr {
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public EventType type() {
      return EventType.BGPHeaderErr;
    }
  }

  /** Event 22: an OPEN that failed to decode or check, with the NOTIFICATION to send. */
  record BGPOpenMsgErr(Notification notification) implements BgpEvent {
    public BGPOpenMsgErr {
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public EventType type() {
      return EventType.BGPOpenMsgErr;
    }
  }

  /** Event 23: collision detection (RFC 4271 §6.8) chose to close this connection. */
  record OpenCollisionDump() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.OpenCollisionDump;
    }
  }

  /** Event 24: a NOTIFICATION with OPEN Message Error / Unsupported Version Number arrived. */
  record NotifMsgVerErr(Notification notification) implements BgpEvent {
    public NotifMsgVerErr {
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public EventType type() {
      return EventType.NotifMsgVerErr;
    }
  }

  /** Event 25: any other NOTIFICATION arrived. */
  record NotifMsg(Notification notification) implements BgpEvent {
    public NotifMsg {
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public EventType type() {
      return EventType.NotifMsg;
    }
  }

  /** Event 26. */
  record KeepAliveMsg() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.KeepAliveMsg;
    }
  }

  /** Event 27: an UPDATE arrived and decoded (the driver keeps the message; the machine says whether to process it). */
  record UpdateMsg() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.UpdateMsg;
    }
  }

  /** Event 28: an UPDATE whose error needs a session reset (RFC 7606), with the NOTIFICATION to send. */
  record UpdateMsgErr(Notification notification) implements BgpEvent {
    public UpdateMsgErr {
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public EventType type() {
      return EventType.UpdateMsgErr;
    }
  }

  /**
   * Event 29 (RFC 9687): the connection has made no progress sending for the SendHoldTime while it had messages to
   * send; the transport measures it (twice the negotiated hold time, as FRR and BIRD).
   */
  record SendHoldTimer_Expires() implements BgpEvent {
    @Override
    public EventType type() {
      return EventType.SendHoldTimer_Expires;
    }
  }

  /** The event for a received NOTIFICATION: Event 24 for a version error, Event 25 otherwise. */
  static BgpEvent notificationReceived(Notification notification) {
    return notification.isVersionError() ? new NotifMsgVerErr(notification) : new NotifMsg(notification);
  }

  private static void requireCease(Notification n) {
    Objects.requireNonNull(n, "cease");
    if (n.code() != Notification.CEASE) {
      throw new IllegalArgumentException("notification: " + n + " (expected: a Cease)");
    }
  }
}
