package io.speakerkit.benchmarks.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.speakerkit.benchmarks.CpuTime;
import io.speakerkit.bgp.wire.BgpFrameDecoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.ErrorAction;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.PeerType;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.UpdateMessage;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link UpdateEncodeBenchmark} encodes what the session's sink sends, into a direct buffer of the transport's allocator. */
class UpdateEncodeBenchmarkTest {

  @Test
  void encodesTheIssuesAnnouncementAsTheSessionDoes() {
    UpdateEncodeBenchmark b = new UpdateEncodeBenchmark();
    b.allocator = "default";
    b.setUp();
    assertEquals(66, b.encode(new CpuTime()), "19 + 2 + 2 + 38 attribute octets + 5 NLRI octets");
    ByteBuf transport = ByteBufAllocator.DEFAULT.buffer(72);
    try {
      assertTrue(transport.isDirect(), "the sink's buffer() is direct, as ioBuffer() was");
    } finally {
      transport.release();
    }

    PathAttributes attrs = PathAttributes.builder().origin(Origin.IGP).asPath(4_200_000_001L).nextHop(0x0AFE0001)
        .localPref(100).communities(Community.of(65_001, 100), Community.of(65_001, 200)).build();
    CodecContext ctx = CodecContext.FOUR_OCTET_AS.withPeerType(PeerType.INTERNAL);
    IpPrefix p = IpPrefix.parse("10.254.100.7/32");
    ByteBuf one = Unpooled.buffer();
    ByteBuf all = Unpooled.buffer();
    UpdateEncoder.writeAnnouncement(one, attrs, p, ctx);
    assertEquals(1, UpdateEncoder.writeAllAnnouncements(all, attrs, List.of(p), ctx));
    assertArrayEquals(ByteBufUtil.getBytes(one), ByteBufUtil.getBytes(all));
    UpdateMessage u = (UpdateMessage) BgpFrameDecoder.next(all, ctx);
    try {
      assertEquals(ErrorAction.NONE, u.errorAction());
      assertEquals(List.of(p), u.nlriList());
      assertEquals(100, u.attributes().localPref());
      assertEquals(2, u.attributes().communities().size());
    } finally {
      u.release();
      one.release();
      all.release();
    }
  }
}
