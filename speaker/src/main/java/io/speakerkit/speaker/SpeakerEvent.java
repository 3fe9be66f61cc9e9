package io.speakerkit.speaker;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * Everything a speaker reports, in the order it happened. State names are spelled as the RFCs spell them
 * ({@code Established}, {@code Down}). {@link #kind()} is the stable name used in JSON output.
 */
public sealed interface SpeakerEvent {

  /** When it happened (wall clock). */
  Instant time();

  /** A stable kind name: {@code bgp-state}, {@code bfd-state}, {@code allocation}, ... */
  String kind();

  /** A BGP session changed state (RFC 4271 §8); {@code reason} names the event and any NOTIFICATION. */
  record BgpStateChanged(Instant time, String peer, String from, String to, String reason) implements SpeakerEvent {
    @Override
    public String kind() {
      return "bgp-state";
    }
  }

  /** A NOTIFICATION sent to or received from a peer, decoded to names (RFC 4271 §4.5 and extensions). */
  record NotificationEvent(Instant time, String peer, boolean sent, String notification) implements SpeakerEvent {
    @Override
    public String kind() {
      return "notification";
    }
  }

  /** A BFD session changed state (RFC 5880 §6.8.6), with its diagnostic. */
  record BfdStateChanged(Instant time, String peer, String from, String to, String diagnostic)
      implements SpeakerEvent {
    @Override
    public String kind() {
      return "bfd-state";
    }
  }

  /** A service got addresses from a pool. */
  record Allocated(Instant time, String service, List<InetAddress> addresses, String pool) implements SpeakerEvent {
    @Override
    public String kind() {
      return "allocation";
    }
  }

  /** A service could not get addresses; {@code reason} says why and what to do. */
  record AllocationRefused(Instant time, String service, String reason) implements SpeakerEvent {
    @Override
    public String kind() {
      return "allocation-refused";
    }
  }

  /** A service gave its addresses back. */
  record Released(Instant time, String service, List<InetAddress> addresses) implements SpeakerEvent {
    @Override
    public String kind() {
      return "release";
    }
  }

  /** A route was handed to a peer's Adj-RIB-Out (it leaves at once when Established, else on establishment). */
  record RouteSent(Instant time, String peer, PlannedRoute route) implements SpeakerEvent {
    @Override
    public String kind() {
      return "route-sent";
    }
  }

  /** A route was withdrawn from a peer (no minimum advertisement delay). */
  record RouteWithdrawn(Instant time, String peer, IpPrefix prefix) implements SpeakerEvent {
    @Override
    public String kind() {
      return "route-withdrawn";
    }
  }

  /** A route a peer announced to us. */
  record RouteReceived(Instant time, String peer, IpPrefix prefix, PathAttributes attributes)
      implements SpeakerEvent {
    @Override
    public String kind() {
      return "route-received";
    }
  }

  /** A route a peer withdrew. */
  record RouteUnreachable(Instant time, String peer, IpPrefix prefix) implements SpeakerEvent {
    @Override
    public String kind() {
      return "route-received-withdrawn";
    }
  }

  /**
   * A peer's End-of-RIB for {@code family} (RFC 4724 §2): it has sent its whole table of that family, the moment a
   * collector's initial table is complete.
   */
  record EndOfRibReceived(Instant time, String peer, io.speakerkit.bgp.wire.AddressFamily family)
      implements SpeakerEvent {
    @Override
    public String kind() {
      return "end-of-rib";
    }
  }

  /**
   * A peering the speaker will not run, and why (e.g. the peer address is one of our own); or, with a reason that
   * starts with "BFD could not start", a running peer whose BFD session could not be made (its BGP session runs on).
   */
  record PeerRefused(Instant time, String peer, String reason) implements SpeakerEvent {
    @Override
    public String kind() {
      return "peer-refused";
    }
  }
}
