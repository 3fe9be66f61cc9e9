package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Our side of the extended next hop (RFC 8950) interop tests: an eBGP session over an IPv6-only link with IPv4 and
 * IPv6 unicast and extended next hop on, announcing one IPv4 route without a next hop (so ours, in IPv6), and
 * keeping what the router sends with its attributes.
 */
final class ExtendedNextHopSession implements AutoCloseable {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  private final BgpTransport transport;
  private final BgpSession session;
  private final Map<IpPrefix, PathAttributes> received = new ConcurrentHashMap<>();

  private ExtendedNextHopSession(String local, String peer, long localAs, long peerAs, IpPrefix announced)
      throws Exception {
    transport = BgpTransport.builder().build();
    session = BgpSession.builder().transport(transport).peer(InetAddress.getByName(peer))
        .localAddress(InetAddress.getByName(local))
        .config(FsmConfig.builder().localAs(localAs).peerAs(peerAs)
            .bgpIdentifier(BgpIdentifier.parse("10.253.0.1"))
            .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
            .extendedNextHop(true)
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build())
        .routeListener(this::record)
        .build();
    session.announce(announced, PathAttributes.builder().build());
  }

  /**
   * Starts the session from {@code local} to the router at {@code peer} and returns once it is Established with
   * extended next hop negotiated for IPv4 unicast; {@code router} describes the router's side on failure.
   */
  static ExtendedNextHopSession establish(String local, String peer, long localAs, long peerAs, IpPrefix announced,
      Supplier<String> router) throws Exception {
    ExtendedNextHopSession s = new ExtendedNextHopSession(local, peer, localAs, peerAs, announced);
    s.session.start();
    Poll.until(LIMIT, "Established", () -> s.session.state() == BgpState.Established,
        () -> s.session.lastChange() + "\n" + router.get());
    assertEquals(Set.of(AddressFamily.IPV4_UNICAST), s.session.negotiated().orElseThrow().extendedNextHop());
    return s;
  }

  BgpSession session() {
    return session;
  }

  /** Waits for the router's {@code prefix} and checks that it came with {@code nextHop} in IPv6 only. */
  void awaitIpv6NextHop(String prefix, String nextHop) throws Exception {
    IpPrefix p = IpPrefix.parse(prefix);
    Poll.until(LIMIT, "the router's route " + prefix, () -> received.containsKey(p), received::toString);
    PathAttributes theirs = received.get(p);
    assertTrue(theirs.hasIpv6NextHop() && !theirs.hasIpv4NextHop(), theirs.toString());
    assertEquals(InetAddress.getByName(nextHop), InetAddress.getByAddress(Arrays.copyOf(theirs.ipv6NextHop(), 16)),
        theirs.toString());
  }

  private void record(BgpSession s, UpdateMessage u) {
    Set<AddressFamily> families = s.negotiated().map(NegotiatedSession::families).orElseThrow();
    RouteKey.withdrawn(u, families).forEach(k -> received.remove(k.prefix()));
    if (!u.errorAction().withdrawsRoutes()) {
      PathAttributes a = u.attributes().toPathAttributes();
      RouteKey.announced(u, families).forEach(k -> received.put(k.prefix(), a));
    }
  }

  @Override
  public void close() {
    session.stop("bye");
    transport.close();
  }
}
