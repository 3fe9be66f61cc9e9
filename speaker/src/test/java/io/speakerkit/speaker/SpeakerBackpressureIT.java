package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.transport.WireAdapter;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.attribute.AsPath;
import io.speakerkit.bgp.wire.attribute.Community;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A peer that floods UPDATEs while the speaker's worker is busy: once 10,000 wait for the worker the session stops
 * reading, so TCP holds the peer back (as FRR's input queue limit does) instead of the speaker queueing everything
 * the peer sends; when the worker is free again every route arrives. Real sockets on loopback (127.0.10.1-2, port
 * 15001) and real time, so it runs with the interop tests.
 */
class SpeakerBackpressureIT {

  private static final int UPDATES = 300_000;

  @Test
  void floodWhileWorkerBusy_peerHeldBackByTcp_everyRouteArrivesAfterwards() throws Exception {
    InetAddress node = InetAddress.getByName("127.0.10.1");
    InetAddress router = InetAddress.getByName("127.0.10.2");
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("pool").addresses("10.64.0.0/24").build())
        .peer(PeerConfig.builder().name("flooder").myAsn(64512).peerAsn(64512).peerAddress(router).peerPort(15001)
            .sourceAddress(node).build())
        .build();
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(router, 15001));
      try (Speaker speaker = Speaker.builder().config(config).allowLocalPeers(true).build()) {
        speaker.start();
        try (Socket peer = server.accept()) {
          peer.getOutputStream().write(openAndKeepalive());
          Thread reader = new Thread(() -> discard(peer));
          reader.setDaemon(true);
          reader.start();
          Poll.until(Duration.ofSeconds(20), "Established",
              () -> speaker.status().get(0).state().equals("Established"), () -> speaker.status().toString());

          // the worker busy (a slow listener, a long apply) until released
          CountDownLatch busy = new CountDownLatch(1);
          CountDownLatch release = new CountDownLatch(1);
          Thread blocker = new Thread(() -> speaker.atOnce(() -> {
            busy.countDown();
            return release.await(60, TimeUnit.SECONDS);
          }));
          blocker.start();
          assertTrue(busy.await(10, TimeUnit.SECONDS));

          AtomicInteger written = new AtomicInteger();
          Thread writer = new Thread(() -> flood(peer, written));
          writer.setDaemon(true);
          long started = System.nanoTime();
          writer.start();
          // Held back, the peer fills the socket buffers and then cannot write any more: what it has written stops
          // growing. (Without backpressure the session keeps reading into the worker's queue and it keeps growing.)
          int early = writtenAt(written, started, 1_500);
          int late = writtenAt(written, started, 3_500);
          System.out.printf("worker busy: the peer wrote %d of %d UPDATEs after 1.5 s, %d after 3.5 s%n", early,
              UPDATES, late);
          assertTrue(late == early && late < UPDATES,
              "the peer kept writing while the worker was busy (" + early + ", then " + late + "): nothing held it back");

          release.countDown();
          blocker.join(10_000);
          Poll.until(Duration.ofSeconds(60), "every route applied",
              () -> !writer.isAlive() && speaker.status().get(0).routesReceived() == UPDATES,
              () -> written.get() + " written, " + speaker.status());
        }
      }
    }
  }

  /** {@code written} once {@code millis} have passed since {@code started}. */
  private static int writtenAt(AtomicInteger written, long started, long millis) {
    long until = started + TimeUnit.MILLISECONDS.toNanos(millis);
    Poll.until(Duration.ofSeconds(10), millis + " ms of flooding", () -> System.nanoTime() > until, () -> "");
    return written.get();
  }

  /** UPDATEs of one /32 each with 40 communities, written in 256 kB chunks; counts those handed to the socket. */
  private static void flood(Socket peer, AtomicInteger written) {
    Community[] communities = new Community[40];
    for (int i = 0; i < communities.length; i++) {
      communities[i] = new Community(64512 << 16 | i);
    }
    PathAttributes attributes = PathAttributes.builder().origin(Origin.IGP).asPath(AsPath.EMPTY)
        .nextHop(0x7F000A02).localPref(100).communities(communities).build();
    ByteBuf out = Unpooled.buffer(300 * 1024);
    try {
      int pending = 0;
      for (int i = 0; i < UPDATES; i++) {
        UpdateEncoder.writeAnnouncement(out, attributes, IpPrefix.ipv4((30 << 24) + i, 32), CodecContext.FOUR_OCTET_AS);
        pending++;
        if (out.readableBytes() > 256 * 1024 || i == UPDATES - 1) {
          out.readBytes(peer.getOutputStream(), out.readableBytes());
          out.clear();
          written.addAndGet(pending);
          pending = 0;
        }
      }
    } catch (IOException e) {
      // the test ended
    } finally {
      out.release();
    }
  }

  private static byte[] openAndKeepalive() {
    FsmConfig router = FsmConfig.builder().localAs(64512).peerAs(64512).bgpIdentifier(BgpIdentifier.parse("10.0.10.2"))
        .build();
    ByteBuf out = Unpooled.buffer();
    try {
      BgpMessageEncoder.encode(WireAdapter.toWire(router.localOpen()), out, CodecContext.INITIAL);
      BgpMessageEncoder.writeKeepalive(out);
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      return bytes;
    } finally {
      out.release();
    }
  }

  /** Reads and drops what the speaker sends (its OPEN, KEEPALIVEs), so its writes never block. */
  private static void discard(Socket peer) {
    byte[] buf = new byte[65536];
    try {
      InputStream in = peer.getInputStream();
      while (in.read(buf) >= 0) {
        // dropped
      }
    } catch (IOException e) {
      // closed
    }
  }
}
