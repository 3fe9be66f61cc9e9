package io.speakerkit.bgp.wire;

import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.AtomicAggregate;
import io.speakerkit.bgp.wire.attribute.AttributeFlags;
import io.speakerkit.bgp.wire.attribute.ClusterList;
import io.speakerkit.bgp.wire.attribute.Communities;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunities;
import io.speakerkit.bgp.wire.attribute.ExtendedCommunity;
import io.speakerkit.bgp.wire.attribute.LargeCommunities;
import io.speakerkit.bgp.wire.attribute.LargeCommunity;
import io.speakerkit.bgp.wire.attribute.LocalPref;
import io.speakerkit.bgp.wire.attribute.MultiExitDisc;
import io.speakerkit.bgp.wire.attribute.NextHop;
import io.speakerkit.bgp.wire.attribute.OnlyToCustomer;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.OriginatorId;
import io.speakerkit.bgp.wire.attribute.PathAttribute;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.attribute.UnknownAttribute;
import io.speakerkit.bgp.wire.capability.AddPathCapability;
import io.speakerkit.bgp.wire.capability.Capability;
import io.speakerkit.bgp.wire.capability.EnhancedRouteRefreshCapability;
import io.speakerkit.bgp.wire.capability.ExtendedMessageCapability;
import io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import io.speakerkit.bgp.wire.capability.FqdnCapability;
import io.speakerkit.bgp.wire.capability.GracefulRestartCapability;
import io.speakerkit.bgp.wire.capability.LongLivedGracefulRestartCapability;
import io.speakerkit.bgp.wire.capability.MultiprotocolCapability;
import io.speakerkit.bgp.wire.capability.RoleCapability;
import io.speakerkit.bgp.wire.capability.RouteRefreshCapability;
import io.speakerkit.bgp.wire.capability.UnknownCapability;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik arbitraries over full field ranges for every message, attribute and capability. */
final class WireArbitraries {

  private WireArbitraries() {
  }

  static Arbitrary<Long> u32() {
    return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
  }

  /** AS numbers: RFC 7607 makes 0 invalid. */
  static Arbitrary<Long> asn() {
    return Arbitraries.longs().between(1, 0xFFFF_FFFFL);
  }

  static Arbitrary<byte[]> bytes(int max) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
  }

  static Arbitrary<AddressFamily> family() {
    return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 255))
        .as(AddressFamily::of);
  }

  static Arbitrary<IpPrefix> ipv4Prefix() {
    return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 32))
        .as(IpPrefix::ipv4Masked);
  }

  static Arbitrary<IpPrefix> ipv6Prefix() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(0, 128))
        .as(IpPrefix::ipv6Masked);
  }

  static Arbitrary<IpPrefix> prefix() {
    return Arbitraries.oneOf(ipv4Prefix(), ipv6Prefix());
  }

  static Arbitrary<Capability> capability() {
    Arbitrary<String> text = Arbitraries.strings().ascii().ofMaxLength(60);
    return Arbitraries.oneOf(
        family().map(MultiprotocolCapability::new),
        Arbitraries.of(RouteRefreshCapability.INSTANCE, EnhancedRouteRefreshCapability.INSTANCE,
            ExtendedMessageCapability.INSTANCE),
        asn().map(FourOctetAsCapability::new),
        Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 4095),
            Combinators.combine(family(), Arbitraries.integers().between(0, 255))
                .as(GracefulRestartCapability.Family::new).list().ofMaxSize(10))
            .as(GracefulRestartCapability::new),
        Combinators.combine(family(), Arbitraries.integers().between(0, 255)).as(AddPathCapability.Family::new)
            .list().ofMaxSize(10).map(AddPathCapability::new),
        Combinators.combine(family(), Arbitraries.integers().between(0, 0xFFFF).map(Afi::valueOf))
            .as(ExtendedNextHopCapability.Entry::new).list().ofMaxSize(10).map(ExtendedNextHopCapability::new),
        Combinators.combine(family(), Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 0xFFFFFF))
            .as(LongLivedGracefulRestartCapability.Family::new).list().ofMaxSize(10)
            .map(LongLivedGracefulRestartCapability::new),
        Arbitraries.integers().between(0, 255).map(RoleCapability::new),
        Combinators.combine(text, text).as(FqdnCapability::new),
        Combinators.combine(Arbitraries.integers().between(0, 255).filter(c -> !known(c)), bytes(40))
            .as(UnknownCapability::new));
  }

  private static boolean known(int code) {
    return Set.of(1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73).contains(code);
  }

  static Arbitrary<OpenMessage> open() {
    Arbitrary<CapabilityParameter> param = capability().list().ofMaxSize(6).map(CapabilityParameter::new);
    return Combinators.combine(Arbitraries.integers().between(1, 0xFFFF),
            Arbitraries.integers().between(0, 0xFFFF).filter(h -> h != 1 && h != 2),
            Arbitraries.integers().filter(i -> i != 0), param.list().ofMaxSize(4), Arbitraries.of(true, false))
        .as((as, hold, id, params, ext) -> new OpenMessage(4, as, hold, id, params, ext))
        .filter(o -> fits(o));
  }

  private static boolean fits(OpenMessage o) {
    return o.bodyLength() + 19 <= 4096;
  }

  static Arbitrary<Notification> notification() {
    return Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
        bytes(200)).as(Notification::new);
  }

  static Arbitrary<RouteRefreshMessage> routeRefresh() {
    return Combinators.combine(family(), Arbitraries.integers().between(0, 255)).as(RouteRefreshMessage::new);
  }

  static Arbitrary<AsPathSegment> segment() {
    return Combinators.combine(Arbitraries.integers().between(1, 4), asn().list().ofMinSize(1).ofMaxSize(20))
        .as(AsPathSegment::new);
  }

  static Arbitrary<List<PathAttribute>> attributes(boolean ibgp) {
    List<Arbitrary<? extends PathAttribute>> optional = new ArrayList<>();
    optional.add(Combinators.combine(asn(), Arbitraries.integers()).as(Aggregator::new));
    optional.add(Arbitraries.just(AtomicAggregate.INSTANCE));
    optional.add(u32().map(MultiExitDisc::new));
    if (ibgp) {
      optional.add(u32().map(LocalPref::new));
    }
    optional.add(Arbitraries.integers().map(Community::new).list().ofMinSize(1).ofMaxSize(30).map(Communities::new));
    optional.add(Arbitraries.integers().map(OriginatorId::new));
    optional.add(Arbitraries.integers().list().ofMinSize(1).ofMaxSize(10).map(ClusterList::new));
    optional.add(Arbitraries.longs().map(ExtendedCommunity::new).list().ofMinSize(1).ofMaxSize(10)
        .map(ExtendedCommunities::new));
    optional.add(Combinators.combine(u32(), u32(), u32()).as(LargeCommunity::new).list().ofMinSize(1).ofMaxSize(10)
        .map(LargeCommunities::new));
    optional.add(u32().map(OnlyToCustomer::new));
    optional.add(Combinators.combine(
            Arbitraries.integers().between(0, 255).map(f -> (f | AttributeFlags.OPTIONAL) & 0xF0),
            Arbitraries.integers().between(19, 255).filter(t -> t != 32 && t != 35), bytes(300))
        .as(UnknownAttribute::new));
    Arbitrary<List<PathAttribute>> extras = Arbitraries.oneOf(
        optional.stream().map(a -> a.map(x -> (PathAttribute) x)).toList()).list().ofMaxSize(6);
    return Combinators.combine(Arbitraries.of(Origin.class), segment().list().ofMaxSize(4).map(AsPath::new),
            Arbitraries.integers().map(NextHop::new), extras)
        .as((o, p, nh, ex) -> {
          List<PathAttribute> all = new ArrayList<>(List.of(o, p, nh));
          all.addAll(ex);
          return all;
        });
  }

  static Arbitrary<PathAttributes> pathAttributes(boolean ibgp) {
    Arbitrary<byte[]> v6NextHop = Arbitraries.oneOf(bytes(0).map(b -> new byte[16]),
        Arbitraries.bytes().array(byte[].class).ofSize(16), Arbitraries.bytes().array(byte[].class).ofSize(32));
    return Combinators.combine(attributes(ibgp), v6NextHop).as(PathAttributes::of);
  }
}
