package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.AddPathMode;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.NegotiatedSession;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateAttributes;
import io.speakerkit.bgp.wire.UpdateError;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.attribute.UnknownAttribute;
import io.speakerkit.testing.ExabgpRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Against ExaBGP 4.2 in a namespace, which announces from its configuration and its API what the other daemons do
 * not easily send, and reports what it receives as parsed JSON: eBGP with IPv4 and IPv6 unicast on one IPv4 session
 * and ADD-PATH both ways; two paths of one prefix kept apart; an unknown optional transitive attribute kept as
 * received; a path whose leftmost AS is not the peer's treated as withdrawn (RFC 4271 §6.3); our routes, their
 * attributes and path identifiers as ExaBGP parsed them; enhanced route refresh from ExaBGP; withdrawals both ways;
 * Cease.
 */
class ExabgpInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final IpPrefix EXA_ROUTE = IpPrefix.parse("203.0.113.0/24");
  private static final IpPrefix EXA_UNKNOWN_ATTRIBUTE = IpPrefix.parse("203.0.114.0/24");
  private static final IpPrefix EXA_WRONG_FIRST_AS = IpPrefix.parse("203.0.115.0/24");
  private static final IpPrefix EXA_IPV6 = IpPrefix.parse("2001:db8:12::/48");
  private static final IpPrefix OUR_ROUTE = IpPrefix.parse("198.51.100.30/32");
  private static final IpPrefix OUR_IPV6 = IpPrefix.parse("2001:db8:253:12::/64");

  @Test
  void ebgp_addPath_ipv6_unknownAttribute_refresh_withdrawal_stop() throws Exception {
    try (Netns ns = Netns.create("skfsmexa", "10.253.12.1/30", "10.253.12.2/30")) {
      ExabgpRouter exa = ExabgpRouter.start(ns, """
          neighbor 10.253.12.1 {
            router-id 10.253.12.2;
            local-address 10.253.12.2;
            local-as 65001;
            peer-as 65000;
            hold-time 9;
            capability {
              route-refresh;
              add-path send/receive;
            }
            family {
              ipv4 unicast;
              ipv6 unicast;
            }
            api {
              processes [ %s ];
              neighbor-changes;
              receive { parsed; update; refresh; }
            }
            static {
              route 203.0.113.0/24 next-hop 10.253.12.2 as-path [ 65001 ] med 15 community [ 65001:150 ] large-community [ 65001:150:1 ] path-information 0.0.0.7;
              route 203.0.113.0/24 next-hop 10.253.12.2 as-path [ 65001 65010 ] path-information 0.0.0.8;
              route 203.0.114.0/24 next-hop 10.253.12.2 as-path [ 65001 ] attribute [ 0xf0 0xc0 0x0102 ];
              route 203.0.115.0/24 next-hop 10.253.12.2 as-path [ 65099 ];
              route 2001:db8:12::/48 next-hop fd00:253:12::2 as-path [ 65001 ];
            }
          }
          """.formatted(ExabgpRouter.PROCESS));
      Map<RouteKey, String> received = new ConcurrentHashMap<>();
      Map<RouteKey, String> unknownAttributes = new ConcurrentHashMap<>();
      AtomicInteger treatedAsWithdraw = new AtomicInteger();
      try (Ours ours = Ours.listen("10.253.12.1", "10.253.12.2",
          c -> c.families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
              .addPath(AddressFamily.IPV4_UNICAST, AddPathMode.BOTH),
          (session, u) -> {
            Set<AddressFamily> families = session.negotiated().map(NegotiatedSession::families).orElseThrow();
            for (RouteKey k : RouteKey.withdrawn(u, families)) {
              received.remove(k);
            }
            for (RouteKey k : RouteKey.announced(u, families)) {
              if (u.errorAction().withdrawsRoutes()) {
                treatedAsWithdraw.incrementAndGet();
                received.remove(k);
                continue;
              }
              received.put(k, u.attributes().toPathAttributes().toString());
              UpdateAttributes.AttributeCursor c = u.attributes().cursor();
              while (c.next()) {
                if (c.type() == 0xf0) {
                  unknownAttributes.put(k, HexFormat.of().formatHex(c.copyAttribute()));
                }
              }
            }
          })) {
        BgpSession s = ours.session();
        AdjRibIn rib = ours.rib();
        s.announce(OUR_ROUTE, PathAttributes.builder().med(40)
            .communities(new Community(65000 << 16 | 300))
            .largeCommunities(new LargeCommunity(65000, 1, 2)).build());
        s.announce(OUR_IPV6, PathAttributes.builder()
            .ipv6NextHop((Inet6Address) InetAddress.getByName("fd00:253:12::1"), null).build());
        s.start();
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established,
            () -> s.lastChange() + "\n" + exa.log());
        NegotiatedSession n = s.negotiated().orElseThrow();
        assertEquals(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), n.families());
        assertEquals(Set.of(AddressFamily.IPV4_UNICAST), n.addPathReceive());
        assertEquals(Set.of(AddressFamily.IPV4_UNICAST), n.addPathSend());

        // ExaBGP's routes here: two paths of one prefix, the unknown attribute, IPv6 on the IPv4 session
        Poll.until(LIMIT, "ExaBGP's routes", () -> received.size() == 4 && treatedAsWithdraw.get() == 1,
            () -> received + " treated as withdraw: " + treatedAsWithdraw + "\n" + exa.log());
        String path7 = received.get(new RouteKey(EXA_ROUTE, 7));
        assertTrue(path7.contains("65001:150") && path7.contains("65001:150:1") && path7.contains("15"), path7);
        String path8 = received.get(new RouteKey(EXA_ROUTE, 8));
        assertTrue(path8.contains("65010"), path8);
        assertEquals(2, rib.paths(EXA_ROUTE).size(), rib.paths(EXA_ROUTE).toString());
        // flags 0xc0 (optional transitive), type 0xf0, length 2, value 0102: exactly as sent
        assertEquals("c0f0020102", unknownAttributes.get(new RouteKey(EXA_UNKNOWN_ATTRIBUTE, 0)),
            unknownAttributes.toString());
        assertEquals(0xf0, rib.get(EXA_UNKNOWN_ATTRIBUTE).orElseThrow().pathAttributes().get(UnknownAttribute.class)
            .orElseThrow().typeCode());
        assertTrue(received.get(new RouteKey(EXA_IPV6, 0)).contains("fd00:253:12:0:0:0:0:2"),
            received.get(new RouteKey(EXA_IPV6, 0)));
        // the AdjRibIn reads its stored octets (MP_REACH_NLRI included) back the same way
        assertEquals(InetAddress.getByName("fd00:253:12::2"), InetAddress.getByAddress(java.util.Arrays.copyOf(
            rib.get(EXA_IPV6).orElseThrow().pathAttributes().ipv6NextHop(), 16)));
        // RFC 4271 §6.3: leftmost AS 65099 from the peer of AS 65001
        assertTrue(rib.paths(EXA_WRONG_FIRST_AS).isEmpty(), rib.toString());

        // our routes there, as ExaBGP parsed them
        Poll.until(LIMIT, "our routes in ExaBGP",
            () -> updatesWith(exa, "\"nlri\":\"" + OUR_ROUTE + "\"") > 0
                && updatesWith(exa, "\"nlri\":\"" + OUR_IPV6 + "\"") > 0,
            () -> String.join("\n", exa.updates()));
        String parsed = exa.updates().stream().filter(m -> m.contains("\"nlri\":\"" + OUR_ROUTE + "\"")).findFirst()
            .orElseThrow();
        assertTrue(parsed.contains("\"as-path\":[65000]"), parsed);
        assertTrue(parsed.contains("\"med\":40"), parsed);
        assertTrue(parsed.contains("\"community\":[[65000,300]]"), parsed);
        assertTrue(parsed.contains("\"large-community\":[[65000,1,2]]"), parsed);
        assertTrue(parsed.contains("\"10.253.12.1\":[{\"nlri\":\"" + OUR_ROUTE + "\",\"path-information\":"), parsed);
        String ours6 = exa.updates().stream().filter(m -> m.contains("\"nlri\":\"" + OUR_IPV6 + "\"")).findFirst()
            .orElseThrow();
        assertTrue(ours6.contains("\"ipv6unicast\":{\"fd00:253:12::1\":"), ours6);

        // route refresh from ExaBGP: we answer with BoRR, our routes again, EoRR (RFC 7313 §4). Not the other way
        // round: ExaBGP 4.2 resets the session on any ROUTE-REFRESH it receives (Exa-Networks/exabgp#1237).
        int oursBefore = updatesWith(exa, "\"nlri\":\"" + OUR_ROUTE + "\"");
        int messagesBefore = exa.messages().size();
        exa.command("announce route-refresh ipv4 unicast");
        Poll.until(LIMIT, "BoRR, our route, EoRR in ExaBGP",
            () -> exa.messages().stream().skip(messagesBefore).anyMatch(m -> m.contains("\"type\":\"refresh\"")
                && m.contains("end")),
            () -> String.join("\n", exa.messages()));
        List<String> refresh = exa.messages().subList(messagesBefore, exa.messages().size());
        int begin = indexOf(refresh, m -> m.contains("\"type\":\"refresh\"") && m.contains("begin"));
        int route = indexOf(refresh, m -> m.contains("\"nlri\":\"" + OUR_ROUTE + "\""));
        int end = indexOf(refresh, m -> m.contains("\"type\":\"refresh\"") && m.contains("end"));
        assertTrue(begin >= 0 && begin < route && route < end, String.join("\n", refresh));
        assertEquals(oursBefore + 1, updatesWith(exa, "\"nlri\":\"" + OUR_ROUTE + "\""));
        assertEquals(4, received.size(), received.toString());

        // withdrawals both ways
        exa.command("withdraw route 203.0.114.0/24 next-hop 10.253.12.2");
        Poll.until(LIMIT, "ExaBGP's withdrawal here",
            () -> !received.containsKey(new RouteKey(EXA_UNKNOWN_ATTRIBUTE, 0)) && rib.size() == 3,
            () -> received + "\n" + rib);
        s.withdraw(OUR_ROUTE);
        Poll.until(LIMIT, "our withdrawal in ExaBGP",
            () -> exa.updates().stream().anyMatch(m -> m.contains("\"withdraw\":") && m.contains(OUR_ROUTE.toString())),
            () -> String.join("\n", exa.updates()));

        assertEquals(1, ours.sessionsUp().get(), "the session never went down until now");
        s.stop("bye");
        Poll.until(LIMIT, "ExaBGP saw the session down",
            () -> exa.messages().stream().anyMatch(m -> m.contains("\"state\":\"down\"")),
            () -> String.join("\n", exa.messages()) + "\n" + exa.log());
      }
    }
  }

  /**
   * RFC 7606 on bytes another implementation put on the wire: ExaBGP sends attributes as given
   * ({@code attribute [ code flags value ]}), malformed ones included. None of them may reset the session: the
   * malformed COMMUNITIES, LARGE_COMMUNITY and the MED flagged well-known make their routes withdrawn, the short
   * AGGREGATOR is discarded and its route kept (RFC 7606 §3, §7.4, §7.7, §7.8; RFC 8092 §5).
   */
  @Test
  void malformedAttributes_treatAsWithdrawOrDiscard_sessionStaysUp() throws Exception {
    try (Netns ns = Netns.create("skfsmexb", "10.253.13.1/30", "10.253.13.2/30")) {
      ExabgpRouter exa = ExabgpRouter.start(ns, """
          neighbor 10.253.13.1 {
            router-id 10.253.13.2;
            local-address 10.253.13.2;
            local-as 65001;
            peer-as 65000;
            hold-time 9;
            family {
              ipv4 unicast;
            }
            api {
              processes [ %s ];
              neighbor-changes;
            }
            static {
              route 203.0.120.0/24 next-hop 10.253.13.2 as-path [ 65001 ] attribute [ 0x08 0xc0 0x010203 ];
              route 203.0.121.0/24 next-hop 10.253.13.2 as-path [ 65001 ] attribute [ 0x07 0xc0 0x0102 ];
              route 203.0.122.0/24 next-hop 10.253.13.2 as-path [ 65001 ] attribute [ 0x04 0x40 0x00000005 ];
              route 203.0.123.0/24 next-hop 10.253.13.2 as-path [ 65001 ] attribute [ 0x20 0xc0 0x0000fde9000000010002 ];
              route 203.0.125.0/24 next-hop 10.253.13.2 as-path [ 65001 ] med 5;
            }
          }
          """.formatted(ExabgpRouter.PROCESS));
      Map<IpPrefix, String> withdrawnBecause = new ConcurrentHashMap<>();
      Map<IpPrefix, String> discarded = new ConcurrentHashMap<>();
      try (Ours ours = Ours.listen("10.253.13.1", "10.253.13.2", c -> c, (session, u) -> {
        for (IpPrefix p : u.announced()) {
          for (UpdateError e : u.errors()) {
            (e.action() == ErrorAction.ATTRIBUTE_DISCARD ? discarded : withdrawnBecause)
                .merge(p, e.action() + " " + e.attributeType(), (x, y) -> x + ", " + y);
          }
        }
      })) {
        BgpSession s = ours.session();
        AdjRibIn rib = ours.rib();
        s.start();
        Poll.until(LIMIT, "all five routes seen",
            () -> rib.get(IpPrefix.parse("203.0.125.0/24")).isPresent()
                && withdrawnBecause.size() + discarded.size() == 4,
            () -> rib + "\nwithdrawn: " + withdrawnBecause + "\ndiscarded: " + discarded + "\n" + exa.log());
        assertEquals(Map.of(
            IpPrefix.parse("203.0.120.0/24"), "TREAT_AS_WITHDRAW 8",
            IpPrefix.parse("203.0.122.0/24"), "TREAT_AS_WITHDRAW 4",
            IpPrefix.parse("203.0.123.0/24"), "TREAT_AS_WITHDRAW 32"), withdrawnBecause);
        assertEquals(Map.of(IpPrefix.parse("203.0.121.0/24"), "ATTRIBUTE_DISCARD 7"), discarded);
        assertEquals(2, rib.size(), rib.toString());
        PathAttributes kept = rib.get(IpPrefix.parse("203.0.121.0/24")).orElseThrow().pathAttributes();
        assertTrue(kept.get(Aggregator.class).isEmpty() && kept.get(AsPath.class).isPresent(), kept.toString());
        assertEquals(BgpState.Established, s.state());
        assertEquals(1, ours.sessionsUp().get(), "the session never went down");
        // (ExaBGP's connections before our session started were closed by our listener: not counted)
        List<String> states = exa.messages();
        int up = indexOf(states, m -> m.contains("\"state\":\"up\""));
        assertTrue(up >= 0 && states.stream().skip(up).noneMatch(m -> m.contains("\"state\":\"down\"")),
            String.join("\n", states));
        s.stop("bye");
      }
    }
  }

  /**
   * Our side: a listener on {@code local}, and a passive eBGP session (AS 65000) to ExaBGP (AS 65001) at {@code peer}
   * whose UPDATEs go to {@code onUpdate} and then to an {@link AdjRibIn}; counts how often it came up.
   */
  private record Ours(BgpTransport transport, BgpSession session, AdjRibIn rib, AtomicInteger sessionsUp)
      implements AutoCloseable {

    static Ours listen(String local, String peer, UnaryOperator<FsmConfig.Builder> config,
        BiConsumer<BgpSession, UpdateMessage> onUpdate) throws Exception {
      BgpTransport t = BgpTransport.builder()
          .listen(new InetSocketAddress(InetAddress.getByName(local), 179)).build().start();
      AdjRibIn rib = new AdjRibIn();
      AtomicInteger up = new AtomicInteger();
      RouteListener listener = new RouteListener() {
        @Override
        public void onSessionUp(BgpSession session, NegotiatedSession negotiated) {
          up.incrementAndGet();
        }

        @Override
        public void onUpdate(BgpSession session, UpdateMessage u) {
          onUpdate.accept(session, u);
          rib.onUpdate(session, u);
        }
      };
      BgpSession s = BgpSession.builder().transport(t).peer(InetAddress.getByName(peer))
          .localAddress(InetAddress.getByName(local))
          .config(config.apply(FsmConfig.builder().localAs(65000).peerAs(65001)
              .bgpIdentifier(BgpIdentifier.parse(local))
              .connectMode(ConnectMode.PASSIVE)
              .backoff(Duration.ofMillis(500), Duration.ofSeconds(2))).build())
          .routeListener(listener)
          .build();
      return new Ours(t, s, rib, up);
    }

    @Override
    public void close() {
      transport.close();
    }
  }

  private static int indexOf(List<String> messages, Predicate<String> what) {
    for (int i = 0; i < messages.size(); i++) {
      if (what.test(messages.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int updatesWith(ExabgpRouter exa, String text) {
    return (int) exa.updates().stream().filter(m -> m.contains(text)).count();
  }
}
