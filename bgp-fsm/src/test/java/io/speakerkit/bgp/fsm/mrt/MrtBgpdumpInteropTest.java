package io.speakerkit.bgp.fsm.mrt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.transport.AdjRibIn;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.timers.ManualScheduler;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our MRT files as bgpdump (the RouteViews/RIS reader) prints them: ADD-PATH paths (RFC 8050) with their ids. */
class MrtBgpdumpInteropTest {

  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
  private static final AddressFamily V4 = AddressFamily.IPV4_UNICAST;
  private static final CodecContext SENDS = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(), Set.of(V4));
  private static final CodecContext RECEIVES = CodecContext.FOUR_OCTET_AS.withAddPath(Set.of(V4), Set.of());

  @Test
  void ribDumpAndUpdateDump_addPathPaths_readWithTheirPathIdentifiers(@TempDir Path dir) throws Exception {
    Commands.require("bgpdump");
    IpPrefix prefix = IpPrefix.parse("203.0.113.0/24");
    AdjRibIn rib = new AdjRibIn(new ManualScheduler(), CLOCK);
    Path updates = dir.resolve("updates.mrt");
    try (MrtUpdateDump dump = MrtUpdateDump.open(updates, false, CLOCK)) {
      for (int pathId : new int[] {1, 2}) {
        PathAttributes a = PathAttributes.builder().origin(Origin.IGP).asPath(65002, 65010 + pathId)
            .nextHop(0x0A000000 + pathId).build();
        ByteBuf b = Unpooled.buffer();
        try {
          UpdateEncoder.writeAnnouncements(b, a, List.of(prefix), 0, pathId, SENDS);
          dump.message(65002, 65001, InetAddress.getByName("10.0.0.2"), InetAddress.getByName("10.0.0.1"), true, true,
              b, b.readerIndex(), b.readableBytes());
          rib.onUpdate(null, BgpMessageDecoder.decodeUpdate(b, RECEIVES));
        } finally {
          b.release();
        }
      }
    }
    Path ribFile = dir.resolve("rib.mrt");
    try (OutputStream out = Files.newOutputStream(ribFile)) {
      MrtRibDump.write(out, 0x0A0000FE, 1_700_000_000L,
          List.of(new MrtRibDump.Peer(0x0A000002, InetAddress.getByName("10.0.0.2"), 65002)),
          MrtRibDump.entries(List.of(rib)));
    }
    assertEquals(List.of(
            "TABLE_DUMP2_AP|1700000000|B|10.0.0.2|65002|203.0.113.0/24|1|65002 65011|IGP|10.0.0.1|0|0||NAG||",
            "TABLE_DUMP2_AP|1700000000|B|10.0.0.2|65002|203.0.113.0/24|2|65002 65012|IGP|10.0.0.2|0|0||NAG||"),
        bgpdump(ribFile));
    assertEquals(List.of(
            "BGP4MP_AP|1700000000|A|10.0.0.2|65002|203.0.113.0/24|1|65002 65011|IGP|10.0.0.1|0|0||NAG||",
            "BGP4MP_AP|1700000000|A|10.0.0.2|65002|203.0.113.0/24|2|65002 65012|IGP|10.0.0.2|0|0||NAG||"),
        bgpdump(updates));
  }

  private static List<String> bgpdump(Path file) {
    return Commands.run("bgpdump", "-m", file.toString()).check().stdout().lines().toList();
  }
}
