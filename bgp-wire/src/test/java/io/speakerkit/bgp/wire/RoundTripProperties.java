package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.As4Aggregator;
import io.speakerkit.bgp.wire.attribute.As4Path;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.PathAttribute;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Encode then decode gives the same value, and re-encoding the decoded message gives the same bytes. */
class RoundTripProperties {

  @Provide
  Arbitrary<OpenMessage> opens() {
    return WireArbitraries.open();
  }

  @Provide
  Arbitrary<Notification> notifications() {
    return WireArbitraries.notification();
  }

  @Provide
  Arbitrary<RouteRefreshMessage> routeRefreshes() {
    return WireArbitraries.routeRefresh();
  }

  @Provide
  Arbitrary<PathAttributes> ibgpAttributes() {
    return WireArbitraries.pathAttributes(true);
  }

  @Provide
  Arbitrary<IpPrefix> prefixes() {
    return WireArbitraries.prefix();
  }

  @Property(tries = 300)
  void open_roundTrip(@ForAll("opens") OpenMessage open) {
    roundTrip(open, CodecContext.INITIAL);
  }

  @Property(tries = 300)
  void notification_roundTrip(@ForAll("notifications") Notification n) {
    roundTrip(n, CodecContext.INITIAL);
  }

  @Property(tries = 200)
  void routeRefresh_roundTrip(@ForAll("routeRefreshes") RouteRefreshMessage r) {
    roundTrip(r, CodecContext.INITIAL);
  }

  private static void roundTrip(BgpMessage m, CodecContext ctx) {
    ByteBuf out = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(m, out, ctx);
      byte[] bytes = ByteBufUtil.getBytes(out);
      BgpMessage d = BgpMessageDecoder.decode(out, ctx);
      assertEquals(m, d);
      assertArrayEquals(bytes, Hex.encode(d, ctx));
    } finally {
      out.release();
    }
  }

  @Property(tries = 300)
  void update_roundTrip(@ForAll("ibgpAttributes") PathAttributes attributes,
      @ForAll @Size(max = 40) List<@net.jqwik.api.From("prefixes") IpPrefix> withdrawn,
      @ForAll @Size(max = 40) List<@net.jqwik.api.From("prefixes") IpPrefix> announced,
      @ForAll boolean fourOctetAs, @ForAll boolean addPath) {
    Set<AddressFamily> both = addPath ? Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST) : Set.of();
    CodecContext ctx = CodecContext.INITIAL.withFourOctetAs(fourOctetAs).withPeerType(PeerType.INTERNAL)
        .withExtendedMessage(true).withAddPath(both, both);
    PathAttributes attrs = attributes;
    ByteBuf out = Unpooled.buffer();
    try {
      UpdateEncoder.write(out, withdrawn, attrs, announced, ctx);
      byte[] bytes = ByteBufUtil.getBytes(out);
      UpdateMessage u = BgpMessageDecoder.decodeUpdate(out, ctx);
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      assertEquals(sorted(withdrawn), sorted(u.withdrawnAll()));
      assertEquals(sorted(announced), sorted(u.announced()));
      PathAttributes back = u.attributes().toPathAttributes();
      boolean nextHopSent = announced.isEmpty() || announced.stream().anyMatch(IpPrefix::isIpv4);
      if (!nextHopSent) {
        attrs = attrs.toBuilder().remove(3).build();
      }
      if (fourOctetAs) {
        assertEquals(attrs.attributes(), back.attributes());
      } else {
        // RFC 6793 §4.2.2: AS numbers above 65535 travel as AS_TRANS plus AS4_PATH / AS4_AGGREGATOR
        assertEquals(withoutAs(attrs.attributes()), withoutAs(back.attributes()));
        AsPath original = attrs.get(AsPath.class).orElseThrow();
        boolean confed = original.segments().stream().anyMatch(s -> s.type() > 2);
        // RFC 6793 §4.2.3: an AGGREGATOR that carries a 2-octet AS other than AS_TRANS makes AS4_PATH ignored
        boolean realAggregatorAs = u.attributes().hasAggregator()
            && u.attributes().aggregatorAs() != FourOctetAsCapability.AS_TRANS;
        if (realAggregatorAs) {
          assertEquals(u.attributes().asPath().toAsPath(), u.attributes().effectiveAsPath());
        } else if (!confed) {
          assertEquals(original.segments(), u.attributes().effectiveAsPath().segments(),
              () -> "AS_PATH " + u.attributes().asPath().toSegments() + ", AS4_PATH " + u.attributes().as4Path());
        }
      }
      assertArrayEquals(bytes, Hex.encode(u, ctx));
    } finally {
      out.release();
    }
  }

  private static List<IpPrefix> sorted(List<IpPrefix> l) {
    List<IpPrefix> s = new ArrayList<>(l);
    s.sort(null);
    return s;
  }

  private static List<PathAttribute> withoutAs(List<PathAttribute> l) {
    return l.stream()
        .filter(a -> !(a instanceof As4Path) && !(a instanceof As4Aggregator) && !(a instanceof AsPath)
            && !(a instanceof Aggregator))
        .toList();
  }

  @Property(tries = 200)
  void forPropagation_partialOnUnknownTransitive_dropsUnknownNonTransitive(
      @ForAll("ibgpAttributes") PathAttributes attrs) {
    PathAttributes out = attrs.forPropagation();
    List<PathAttribute> expected = new ArrayList<>();
    for (PathAttribute a : attrs.attributes()) {
      if (a instanceof io.speakerkit.bgp.wire.attribute.UnknownAttribute u) {
        if (u.isOptional() && u.isTransitive()) {
          expected.add(u.withPartial());
        }
      } else {
        expected.add(a);
      }
    }
    assertEquals(expected, out.attributes());
    assertEquals(out, out.forPropagation());
  }
}
