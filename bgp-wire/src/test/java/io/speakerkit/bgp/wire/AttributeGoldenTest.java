package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.wire.attribute.Aggregator;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.AsPathSegment;
import io.speakerkit.bgp.wire.attribute.AtomicAggregate;
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
import io.speakerkit.bgp.wire.attribute.UnknownAttribute;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each attribute as the RFC lays it out, written and read back (4-octet AS session, iBGP). */
class AttributeGoldenTest {

  static Stream<Arguments> attributes() {
    return Stream.of(
        Arguments.of(Origin.INCOMPLETE, "40 01 01 02"),
        Arguments.of(new AsPath(List.of(AsPathSegment.sequence(65001, 4200000000L), AsPathSegment.set(1, 2),
            new AsPathSegment(AsPathSegment.AS_CONFED_SEQUENCE, List.of(64512L)),
            new AsPathSegment(AsPathSegment.AS_CONFED_SET, List.of(64513L)))),
            "40 02 20 02 02 0000fde9 fa56ea00 01 02 00000001 00000002 03 01 0000fc00 04 01 0000fc01"),
        Arguments.of(new NextHop(0xc0000201), "40 03 04 c0000201"),
        Arguments.of(new MultiExitDisc(0xFFFFFFFFL), "80 04 04 ffffffff"),
        Arguments.of(new LocalPref(100), "40 05 04 00000064"),
        Arguments.of(AtomicAggregate.INSTANCE, "40 06 00"),
        Arguments.of(new Aggregator(65000, 0x0a000001), "c0 07 08 0000fde8 0a000001"),
        Arguments.of(Communities.of(Community.NO_EXPORT, Community.of(65000, 1)), "c0 08 08 ffffff01 fde80001"),
        Arguments.of(new OriginatorId(0x0a000009), "80 09 04 0a000009"),
        Arguments.of(new ClusterList(List.of(1, 2)), "80 0a 08 00000001 00000002"),
        Arguments.of(new ExtendedCommunities(List.of(ExtendedCommunity.routeTarget(65000, 100))),
            "c0 10 08 0002 fde8 00000064"),
        Arguments.of(new LargeCommunities(List.of(new LargeCommunity(65000, 1, 2))),
            "c0 20 0c 0000fde8 00000001 00000002"),
        Arguments.of(new OnlyToCustomer(65000), "c0 23 04 0000fde8"),
        Arguments.of(new UnknownAttribute(0xe0, 200, new byte[] {1}), "e0 c8 01 01"),
        Arguments.of(new UnknownAttribute(0xd0, 201, new byte[] {1}), "d0 c9 0001 01"));
  }

  @ParameterizedTest
  @MethodSource("attributes")
  void attribute_bothWays(PathAttribute a, String hex) {
    ByteBuf out = Unpooled.buffer();
    try {
      PathAttribute.write(out, a, true);
      assertEquals(Hex.norm(hex), Hex.hex(out));
    } finally {
      out.release();
    }
    String update = UpdateErrorHandlingTest.update("", hex, "");
    UpdateErrorHandlingTest.decode(update, UpdateGoldenTest.IBGP, u -> {
      assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
      assertEquals(List.of(a), u.attributes().toList());
    });
  }

  @ParameterizedTest
  @MethodSource("attributes")
  void attribute_extendedLengthForm_readTheSame(PathAttribute a, String hex) {
    // senders may use the Extended Length form for short attributes too; the value must read the same
    byte[] b = Hex.bytes(hex);
    if ((b[0] & 0x10) != 0) {
      return;
    }
    StringBuilder ext = new StringBuilder();
    ext.append(String.format("%02x%02x00", (b[0] & 0xFF) | 0x10, b[1] & 0xFF));
    for (int i = 2; i < b.length; i++) {
      ext.append(String.format("%02x", b[i] & 0xFF));
    }
    UpdateErrorHandlingTest.decode(UpdateErrorHandlingTest.update("", ext.toString(), ""), UpdateGoldenTest.IBGP,
        u -> {
          assertEquals(ErrorAction.NONE, u.errorAction(), () -> u.errors().toString());
          List<PathAttribute> got = u.attributes().toList();
          ByteBuf again = Unpooled.buffer();
          try {
            PathAttribute.write(again, got.get(0), true, true);
            assertEquals(ext.toString(), Hex.hex(again));
          } finally {
            again.release();
          }
          if (a instanceof UnknownAttribute ua) {
            assertEquals(List.of(new UnknownAttribute(ua.flags() | 0x10, ua.typeCode(), ua.value())), got);
          } else {
            assertEquals(List.of(a), got);
          }
        });
  }
}
