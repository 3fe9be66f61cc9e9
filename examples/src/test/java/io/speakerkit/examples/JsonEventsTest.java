package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.speaker.SpeakerEvent;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonEventsTest {

  /** A peer's End-of-RIB: the peer and the family, as the README's event table lists them. */
  @Test
  void endOfRib_peerAndFamily() {
    String line = JsonEvents.toJson(new SpeakerEvent.EndOfRibReceived(Instant.EPOCH, "10.0.0.1",
        io.speakerkit.bgp.wire.AddressFamily.IPV6_UNICAST));
    assertTrue(line.contains("\"kind\":\"end-of-rib\",\"peer\":\"10.0.0.1\",\"family\":\"IPv6/unicast\""), line);
  }

  /** Lines stay ASCII whatever the console's charset (System.out is ASCII under LANG=C): é as \u00e9. */
  @Test
  void nonAsciiName_escaped() {
    String line = JsonEvents.toJson(new SpeakerEvent.Released(Instant.EPOCH, "default/caf\u00e9", List.of()));
    assertTrue(line.contains("\"default/caf\\u00e9\""), line);
    assertTrue(line.chars().allMatch(c -> c < 0x80), line);
  }

  /**
   * An IPv6 route's next hop is MP_REACH_NLRI's, never a NEXT_HOP attribute in the same UPDATE (RFC 4760 §3: with no
   * IPv4 NLRI the receiver ignores NEXT_HOP; with IPv4 NLRI too, NEXT_HOP is theirs). toPathAttributes() keeps both.
   */
  @Test
  void routeReceived_ipv6PrefixWithNextHopAttribute_reportsMpReachNextHop() throws Exception {
    PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .nextHop(InetAddress.getByName("192.0.2.1"))
        .ipv6NextHop(InetAddress.getByName("2001:db8::1").getAddress()).build();
    String line = JsonEvents.toJson(new SpeakerEvent.RouteReceived(Instant.EPOCH, "2001:db8::1",
        IpPrefix.parse("2001:db8:100::/48"), a));
    assertTrue(line.contains("\"nextHop\":\"2001:db8::1\""), line);
  }

  /** A 32-octet next hop (RFC 2545 §3) reports both addresses; BIRD's link-local-only sessions send :: first. */
  @Test
  void routeReceived_globalAndLinkLocalNextHop_reportsBoth() throws Exception {
    PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .ipv6NextHop((java.net.Inet6Address) InetAddress.getByName("::"),
            (java.net.Inet6Address) InetAddress.getByName("fe80::1")).build();
    String line = JsonEvents.toJson(new SpeakerEvent.RouteReceived(Instant.EPOCH, "fe80::1",
        IpPrefix.parse("2001:db8:100::/48"), a));
    assertTrue(line.contains("\"nextHop\":\"::\",\"nextHopLinkLocal\":\"fe80::1\""), line);
  }

  /** IPv6 addresses in RFC 5952 form, as FRR and GoBGP print them and as our prefixes are: not 2001:db8:0:0:0:0:0:1. */
  @Test
  void ipv6Addresses_shortForm() throws Exception {
    String line = JsonEvents.toJson(new SpeakerEvent.Released(Instant.EPOCH, "default/web",
        List.of(InetAddress.getByName("2001:db8:0:0:0:0:0:a"), InetAddress.getByName("192.0.2.1"))));
    assertTrue(line.contains("[\"2001:db8::a\",\"192.0.2.1\"]"), line);
  }

  private static final Instant T = Instant.parse("2024-05-01T13:04:05.678Z");

  /**
   * A whole line, as the README's event table gives it: time (ISO-8601 UTC, 24-hour clock, milliseconds), kind, then
   * the event's members; the object starts with its first member (no leading comma).
   */
  @Test
  void bgpState_wholeLine() {
    assertEquals("{\"time\":\"2024-05-01T13:04:05.678Z\",\"kind\":\"bgp-state\",\"peer\":\"router\",\"from\":\"OpenSent\","
        + "\"to\":\"Idle\",\"reason\":\"HoldTimerExpired\"}",
        JsonEvents.toJson(new SpeakerEvent.BgpStateChanged(T, "router", "OpenSent", "Idle", "HoldTimerExpired")));
  }

  /** A NOTIFICATION's direction as seen from this speaker; a BFD state change's diagnostic under "reason". */
  @Test
  void notificationDirectionAndBfdReason() {
    assertTrue(JsonEvents.toJson(new SpeakerEvent.NotificationEvent(T, "router", true, "Cease"))
        .endsWith("\"peer\":\"router\",\"direction\":\"sent\",\"notification\":\"Cease\"}"));
    assertTrue(JsonEvents.toJson(new SpeakerEvent.NotificationEvent(T, "router", false, "Cease"))
        .endsWith("\"direction\":\"received\",\"notification\":\"Cease\"}"));
    assertTrue(JsonEvents.toJson(new SpeakerEvent.BfdStateChanged(T, "router", "Up", "Down", "Control Detection Time Expired"))
        .endsWith("\"from\":\"Up\",\"to\":\"Down\",\"reason\":\"Control Detection Time Expired\"}"));
  }

  /** Allocation: service, addresses and pool; a refused one says why. */
  @Test
  void allocationAndRefusal_members() throws Exception {
    assertTrue(JsonEvents.toJson(new SpeakerEvent.Allocated(T, "default/web",
        List.of(InetAddress.getByName("10.0.0.10")), "pool-a"))
        .endsWith("\"kind\":\"allocation\",\"service\":\"default/web\",\"addresses\":[\"10.0.0.10\"],\"pool\":\"pool-a\"}"));
    assertTrue(JsonEvents.toJson(new SpeakerEvent.AllocationRefused(T, "default/web", "no pool has room"))
        .endsWith("\"service\":\"default/web\",\"reason\":\"no pool has room\"}"));
  }

  /** A route sent: communities, large communities and the local preference (a full 32-bit value). */
  @Test
  void routeSent_communitiesAndLocalPref() {
    String line = JsonEvents.toJson(new SpeakerEvent.RouteSent(T, "router", new io.speakerkit.speaker.PlannedRoute(
        IpPrefix.parse("10.0.0.10/32"), List.of(io.speakerkit.bgp.wire.attribute.Community.of(65535, 65282)),
        List.of(new io.speakerkit.bgp.wire.attribute.LargeCommunity(64512, 1, 2)), java.util.Optional.of(4294967295L))));
    assertTrue(line.endsWith("\"peer\":\"router\",\"prefix\":\"10.0.0.10/32\",\"communities\":[\"65535:65282\"],"
        + "\"largeCommunities\":[\"64512:1:2\"],\"localPref\":4294967295}"), line);
  }

  /** A route received: MED and LOCAL_PREF as unsigned 32-bit numbers. */
  @Test
  void routeReceived_medAndLocalPref() throws Exception {
    PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65001)
        .nextHop(InetAddress.getByName("192.0.2.1")).med(4294967295L).localPref(200).build();
    String line = JsonEvents.toJson(new SpeakerEvent.RouteReceived(T, "router", IpPrefix.parse("10.1.0.0/24"), a));
    assertTrue(line.contains("\"nextHop\":\"192.0.2.1\""), line);
    assertTrue(line.contains("\"med\":4294967295"), line);
    assertTrue(line.contains("\"localPref\":200"), line);
  }

  /** A subscriber that fell behind: how many events it lost. */
  @Test
  void resync_droppedCount() {
    assertTrue(JsonEvents.toJson(new io.speakerkit.speaker.EventHub.Resync<>(42, List.of()))
        .endsWith("\"kind\":\"resync\",\"dropped\":42}"));
  }

  /**
   * RFC 8259 §7: quotation mark, reverse solidus and the control characters must be escaped; a peer's NOTIFICATION
   * text or a service name may hold any of them, and the line must stay one valid JSON object.
   */
  @Test
  void quoteBackslashAndControlCharacters_escaped() {
    String line = JsonEvents.toJson(new SpeakerEvent.PeerRefused(T, "p", "say \"hi\" C:\\x\u0001\u001f\n\t\u007f"));
    assertTrue(line.endsWith("\"reason\":\"say \\\"hi\\\" C:\\\\x\\u0001\\u001f\\n\\t\\u007f\"}"), line);
  }
}
