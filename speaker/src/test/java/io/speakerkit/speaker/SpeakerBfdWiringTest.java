package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.bfd.transport.BfdEngine;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How the speaker ties BFD to BGP: a BFD failure takes BGP down with Cease / BFD Down, a BFD session that cannot be
 * started on a live peer does not abort apply(), and a suspended BFD session stays suspended. Loopback only:
 * 127.0.5.49-127.0.5.53, TCP ports 14355-14358, BFD single-hop on UDP 14370-14372 (source ports 14380-14389).
 */
class SpeakerBfdWiringTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static PeerConfig.Builder peer(String name, String address, int port) {
    return PeerConfig.builder().name(name).myAsn(64512).peerAsn(64512).peerAddress(ip(address)).peerPort(port)
        .sourceAddress(ip("127.0.5.49"));
  }

  private static IpAddressPool pool(String addresses) {
    return IpAddressPool.builder().name("p").addresses(addresses).build();
  }

  /**
   * RFC 5882 §3.2 / RFC 9384: the BFD session of an Established peer goes Up -> Down (the router's BFD falls silent,
   * no AdminDown): the speaker takes the BGP session down with NOTIFICATION Cease (6) / BFD Down (10), as FRR does.
   * The router is a scripted socket with a BFD engine of its own; the NOTIFICATION is read off the wire.
   */
  @Test
  void bfdUpToDown_takesBgpDown_withCeaseBfdDown() throws Exception {
    BfdProfile fast = BfdProfile.builder().receiveIntervalMillis(100).transmitIntervalMillis(100)
        .detectMultiplier(10).build(); // 1 s: a pause of a loaded machine must not flap it
    SpeakerConfig config = SpeakerConfig.builder()
        .peer(peer("r", "127.0.5.50", 14355).bfdProfile("fast").build())
        .bfdProfile("fast", fast)
        .build();
    try (ScriptedRouter router = new ScriptedRouter(ip("127.0.5.50"), 14355);
        BfdEngine routerBfd = BfdEngine.builder().singleHopPort(14370).sourcePortRange(14380, 14389).build();
        Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).bfdSingleHopPort(14370).build()) {
      BfdSession routerSession = routerBfd.createSession(BfdSessionConfig.builder().localAddress(ip("127.0.5.50"))
          .remoteAddress(ip("127.0.5.49")).profile(fast).build());
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(10_000);
      speaker.start();
      router.establish();
      Poll.until(LIMIT, "BGP Established and BFD Up on both sides",
          () -> speaker.status().get(0).state().equals("Established")
              && speaker.status().get(0).bfdState().orElse("").equals("Up")
              && routerSession.state() == SessionState.Up,
          () -> speaker.status() + " router BFD " + routerSession.state());

      routerSession.close(); // sends nothing more: to the speaker, a dead path (Control Detection Time Expired)

      assertArrayEquals(new int[] {6, 10}, router.notification(), "Cease / BFD Down (RFC 9384)");
      List<SpeakerEvent> seen = new ArrayList<>();
      Poll.until(LIMIT, "the Cease reported as sent", () -> {
        drainEvents(events, seen);
        return seen.stream().anyMatch(e -> e instanceof SpeakerEvent.NotificationEvent n && n.sent());
      }, seen::toString);
      SpeakerEvent.BfdStateChanged down = seen.stream()
          .filter(e -> e instanceof SpeakerEvent.BfdStateChanged b && b.to().equals("Down"))
          .map(SpeakerEvent.BfdStateChanged.class::cast).findFirst().orElseThrow();
      assertEquals("Up", down.from(), seen::toString);
      assertEquals("Control Detection Time Expired(1)", down.diagnostic(), seen::toString);
      // the cause before its effect
      assertTrue(seen.indexOf(down) < seen.indexOf(seen.stream()
          .filter(e -> e instanceof SpeakerEvent.NotificationEvent).findFirst().orElseThrow()), seen::toString);
    }
  }

  /**
   * A BFD profile added by apply() to a live peer whose BFD session cannot be made (here: the speaker's BFD engine
   * already holds that address pair, "one session per address pair") must not abort the apply: the other changes
   * (a new peer) are made, the peer's BGP session runs on, and its BFD is refused with the reason in status() and a
   * PeerRefused event; once the pair is free, the retry of refused peers starts it.
   */
  @Test
  void bfdAddedToLivePeer_cannotStart_refusedAlone_applyGoesOn() {
    SpeakerConfig before = SpeakerConfig.builder()
        .pool(pool("10.0.0.10-10.0.0.20"))
        .peer(peer("bad", "127.0.5.51", 14356).build())
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    SpeakerConfig after = SpeakerConfig.builder()
        .pool(pool("10.0.0.10-10.0.0.30"))
        .peer(peer("bad", "127.0.5.51", 14356).bfdProfile("bfd").build())
        .peer(peer("good", "127.0.5.52", 14357).build())
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    try (Speaker speaker = Speaker.builder().config(before).allowLocalPeers(true).bfdSingleHopPort(14371).build()) {
      speaker.start();
      List<PeerStatus> started = speaker.status();
      assertFalse(started.get(0).state().equals("Refused"), "without BFD the peer runs: " + started);
      BfdSession holder = speaker.bfdEngine().createSession(BfdSessionConfig.builder()
          .localAddress(ip("127.0.5.49")).remoteAddress(ip("127.0.5.51")).build());
      EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(1000);
      assertDoesNotThrow(() -> speaker.apply(after));
      List<PeerStatus> status = speaker.status();
      assertTrue(status.stream().anyMatch(s -> s.peer().equals("good") && !s.state().equals("Refused")),
          status::toString);
      PeerStatus bad = status.stream().filter(s -> s.peer().equals("bad")).findFirst().orElseThrow();
      assertFalse(bad.state().equals("Refused"), "its BGP session runs on: " + status);
      assertTrue(bad.explanation().contains("BFD could not start"), status::toString);
      assertTrue(bad.bfdState().isEmpty(), status::toString);
      List<SpeakerEvent> seen = new ArrayList<>();
      drainEvents(events, seen);
      assertTrue(seen.stream().anyMatch(e -> e instanceof SpeakerEvent.PeerRefused r && r.peer().equals("bad")
          && r.reason().contains("BFD")), seen::toString);
      // the pair free again: the retry of refused peers (every few seconds) starts the peer's BFD
      holder.close();
      Poll.until(LIMIT, "the peer's BFD started by the retry", () -> {
        PeerStatus s = speaker.status().stream().filter(x -> x.peer().equals("bad")).findFirst().orElseThrow();
        return s.bfdState().isPresent() && !s.explanation().contains("BFD could not start");
      }, () -> speaker.status().toString());
      // the profile removed again: BFD goes, nothing is refused
      speaker.apply(before);
      PeerStatus again = speaker.status().get(0);
      assertFalse(again.explanation().contains("BFD could not start"), again::toString);
      assertTrue(again.bfdState().isEmpty(), again::toString);
    }
  }

  private static void drainEvents(EventHub.Subscription<SpeakerEvent> events, List<SpeakerEvent> into) {
    for (Object o : events.drain()) {
      if (o instanceof SpeakerEvent e) {
        into.add(e);
      }
    }
  }

  /**
   * suspendBfd holds the peer's BFD down until resumeBfd: an apply() that does not touch the peer (a pool change), or
   * one that changes only its connect time, or one that resets its BGP session, must not start it again. Removing
   * the peer ends the suspension.
   */
  @Test
  void suspendedBfd_staysSuspended_acrossUnrelatedApply_untilResumed() {
    PeerConfig r = peer("r", "127.0.5.53", 14358).bfdProfile("bfd").build();
    SpeakerConfig first = SpeakerConfig.builder()
        .pool(pool("10.0.0.10-10.0.0.20"))
        .peer(r)
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    SpeakerConfig poolChanged = SpeakerConfig.builder()
        .pool(pool("10.0.0.10-10.0.0.30"))
        .peer(r)
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    SpeakerConfig connectTimeChanged = SpeakerConfig.builder()
        .pool(pool("10.0.0.10-10.0.0.30"))
        .peer(peer("r", "127.0.5.53", 14358).bfdProfile("bfd").connectTime(Duration.ofSeconds(7)).build())
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    SpeakerConfig sessionReset = SpeakerConfig.builder()
        .pool(pool("10.0.0.10-10.0.0.30"))
        .peer(peer("r", "127.0.5.53", 14358).bfdProfile("bfd").connectTime(Duration.ofSeconds(7))
            .routerId((java.net.Inet4Address) ip("10.1.1.1")).build())
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    SpeakerConfig noPeer = SpeakerConfig.builder().pool(pool("10.0.0.10-10.0.0.30")).build();
    try (Speaker speaker = Speaker.builder().config(first).allowLocalPeers(true).bfdSingleHopPort(14372).build()) {
      speaker.start();
      assertTrue(speaker.status().get(0).bfdState().isPresent(), speaker.status()::toString);
      speaker.suspendBfd("r");
      assertEquals(Optional.empty(), speaker.status().get(0).bfdState(), speaker.status()::toString);

      speaker.apply(poolChanged);
      assertEquals(Optional.empty(), speaker.status().get(0).bfdState(), "still suspended: " + speaker.status());
      speaker.apply(connectTimeChanged);
      assertEquals(Optional.empty(), speaker.status().get(0).bfdState(), "still suspended: " + speaker.status());
      speaker.apply(sessionReset); // the BGP session is reset (Cease / Other Configuration Change): same peer
      assertEquals(Optional.empty(), speaker.status().get(0).bfdState(), "still suspended: " + speaker.status());

      speaker.resumeBfd("r");
      assertTrue(speaker.status().get(0).bfdState().isPresent(), speaker.status()::toString);

      speaker.suspendBfd("r");
      speaker.apply(noPeer);
      speaker.apply(poolChanged);
      assertTrue(speaker.status().get(0).bfdState().isPresent(), "a new peer: " + speaker.status());
    }
  }
}
