package io.speakerkit.bgp.fsm;

import java.time.Duration;
import java.util.Objects;

/**
 * An output of the {@link BgpFsm}: what the driver must do, in list order. Timers are started (or restarted: a start
 * replaces a running timer of the same kind) and stopped here; when one expires the driver feeds the matching event.
 */
public sealed interface BgpAction {

  /** Initiate a TCP connection to the peer (the transport applies the connect timeout and source address). */
  record ConnectTcp() implements BgpAction {
    @Override
    public String toString() {
      return "ConnectTcp";
    }
  }

  /** Drop the TCP connection (or abandon the connection attempt). */
  record DropTcp() implements BgpAction {
    @Override
    public String toString() {
      return "DropTcp";
    }
  }

  /** Send this OPEN. */
  record SendOpen(OpenMessage open) implements BgpAction {
    public SendOpen {
      Objects.requireNonNull(open, "open");
    }

    @Override
    public String toString() {
      return "SendOpen";
    }
  }

  /** Send a KEEPALIVE. */
  record SendKeepalive() implements BgpAction {
    @Override
    public String toString() {
      return "SendKeepalive";
    }
  }

  /** Send this NOTIFICATION (a {@link DropTcp} follows; flush before closing). */
  record SendNotification(Notification notification) implements BgpAction {
    public SendNotification {
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public String toString() {
      return "SendNotification(" + notification.code() + "/" + notification.subcode() + ")";
    }
  }

  /** Start {@code timer} to expire after {@code duration}, replacing it if it runs. */
  record StartTimer(BgpTimer timer, Duration duration) implements BgpAction {
    public StartTimer {
      Objects.requireNonNull(timer, "timer");
      if (duration.isNegative()) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
      }
    }

    @Override
    public String toString() {
      return "Start(" + timer + "," + duration.toMillis() + "ms)";
    }
  }

  /** Stop {@code timer} (RFC 4271: "sets the timer to zero"). */
  record StopTimer(BgpTimer timer) implements BgpAction {
    public StopTimer {
      Objects.requireNonNull(timer, "timer");
    }

    @Override
    public String toString() {
      return "Stop(" + timer + ")";
    }
  }

  /** Process the UPDATE just received (Event 27 in Established). */
  record ProcessUpdate() implements BgpAction {
    @Override
    public String toString() {
      return "ProcessUpdate";
    }
  }

  /** RFC 4271 §8.2.2: "deletes all routes associated with this connection" (or marks them stale under RFC 4724). */
  record DeleteRoutes() implements BgpAction {
    @Override
    public String toString() {
      return "DeleteRoutes";
    }
  }

  /** The session changed state; {@code cause} says why. Always the last action of its batch. */
  record StateChanged(BgpState from, BgpState to, StateChangeCause cause) implements BgpAction {
    public StateChanged {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(cause, "cause");
    }

    @Override
    public String toString() {
      return from + "->" + to;
    }
  }
}
