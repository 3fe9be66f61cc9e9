package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.transport.WireAdapter;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.BgpMessage;
import io.speakerkit.bgp.wire.BgpMessageDecoder;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.OpenMessage;
import io.speakerkit.bgp.wire.UpdateEncoder;
import io.speakerkit.bgp.wire.attribute.Origin;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.bgp.wire.capability.GracefulRestartCapability;
import io.speakerkit.testing.Poll;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Graceful restart (RFC 4724) as the restarting speaker and as the helper, against a raw peer played by a socket on
 * loopback: 127.0.11.1-4, ports 15101-15103.
 */
class GracefulRestartIT {

  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final PathAttributes ATTRS = PathAttributes.builder().origin(Origin.IGP).asPath().nextHop(0x7F000B03)
      .localPref(100).build();

  private static BgpMessage read(DataInputStream in) throws IOException {
    byte[] header = new byte[19];
    in.readFully(header);
    int length = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
    byte[] frame = new byte[length];
    System.arraycopy(header, 0, frame, 0, 19);
    in.readFully(frame, 19, length - 19);
    return BgpMessageDecoder.decode(Unpooled.wrappedBuffer(frame), CodecContext.INITIAL);
  }

  private static void send(Socket s, Consumer<ByteBuf> writer) throws IOException {
    ByteBuf b = Unpooled.buffer();
    writer.accept(b);
    byte[] bytes = new byte[b.readableBytes()];
    b.readBytes(bytes);
    b.release();
    s.getOutputStream().write(bytes);
    s.getOutputStream().flush();
  }

  private static void sendOpenAndKeepalive(Socket s, String id) throws IOException {
    FsmConfig raw = FsmConfig.builder().localAs(64512).peerAs(64512).bgpIdentifier(BgpIdentifier.parse(id))
        .gracefulRestart(new GracefulRestart(false, 120, Map.of(AddressFamily.IPV4_UNICAST, true))).build();
    send(s, b -> {
      BgpMessageEncoder.encode(WireAdapter.toWire(raw.localOpen()), b, CodecContext.INITIAL);
      BgpMessageEncoder.writeKeepalive(b);
    });
  }

  /**
   * RFC 4724 §4.1: "To re-establish the session with its peer, the Restarting Speaker MUST set the "Restart State"
   * bit". As FRR (MetalLB's router daemon), for the restart time after the speaker starts.
   */
  @Test
  void restartedSpeaker_setsRestartStateBit() throws Exception {
    InetAddress router = InetAddress.getByName("127.0.11.1");
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(router, 15101));
      PeerConfig peer = PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress(router)
          .peerPort(15101).sourceAddress(InetAddress.getByName("127.0.11.2")).enableGracefulRestart(true).build();
      try (Speaker speaker = Speaker.builder().config(SpeakerConfig.builder().peer(peer).build())
          .allowLocalPeers(true).build()) {
        speaker.start();
        try (Socket s = server.accept()) {
          read(new DataInputStream(s.getInputStream()));
          sendOpenAndKeepalive(s, "127.0.11.1");
          Poll.until(LIMIT, "Established", () -> speaker.status().get(0).state().equals("Established"),
              () -> speaker.status().toString());
          speaker.stop("restart");
        }
        speaker.start();
        try (Socket s = server.accept()) {
          OpenMessage open = (OpenMessage) read(new DataInputStream(s.getInputStream()));
          GracefulRestartCapability gr = open.capability(GracefulRestartCapability.class).orElseThrow();
          assertTrue(gr.restarting(), "Restart State bit after a restart: " + gr);
        }
      }
    }
  }

  /**
   * The speaker as helper (RFC 4724 §4.2: "a route (from the peer) previously marked as stale MUST be deleted"): the
   * peer sends two routes, restarts, sends one again, and restarts before its End-of-RIB: the other, stale since the
   * first restart, goes.
   */
  @Test
  void helper_consecutiveRestarts_routeStillStaleIsDeleted() throws Exception {
    InetAddress routerAddress = InetAddress.getByName("127.0.11.1");
    InetAddress nodeAddress = InetAddress.getByName("127.0.11.3");
    PeerConfig node = PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512).peerAddress(nodeAddress)
        .sourceAddress(routerAddress).enableGracefulRestart(true).build();
    IpPrefix kept = IpPrefix.parse("10.9.0.1/32");
    IpPrefix gone = IpPrefix.parse("10.9.0.2/32");
    try (Speaker router = Speaker.builder().config(SpeakerConfig.builder().peer(node).build())
        .listen(new InetSocketAddress(routerAddress, 15102)).passive(true).allowLocalPeers(true).build()) {
      router.start();
      EventHub.Subscription<SpeakerEvent> events = router.subscribe(1024);
      List<SpeakerEvent> seen = new ArrayList<>();
      try (Socket s = connect(router, nodeAddress, routerAddress, 15102)) {
        send(s, b -> UpdateEncoder.writeAllAnnouncements(b, ATTRS, List.of(kept, gone), CodecContext.FOUR_OCTET_AS));
        Poll.until(LIMIT, "two routes", () -> router.status().get(0).routesReceived() == 2,
            () -> router.status().toString());
      } // closed without a NOTIFICATION: the peer restarts
      Poll.until(LIMIT, "down", () -> !router.status().get(0).state().equals("Established"),
          () -> router.status().toString());
      FrrLabInteropTest.drain(events, seen);
      seen.clear();
      try (Socket s = connect(router, nodeAddress, routerAddress, 15102)) {
        send(s, b -> UpdateEncoder.writeAllAnnouncements(b, ATTRS, List.of(kept), CodecContext.FOUR_OCTET_AS));
        Poll.until(LIMIT, "the route sent again", () -> {
          FrrLabInteropTest.drain(events, seen);
          return seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteReceived r && r.prefix().equals(kept));
        }, seen::toString);
      } // restarts again, no End-of-RIB
      Poll.until(LIMIT, "the route stale since the first restart gone", () -> {
        FrrLabInteropTest.drain(events, seen);
        return seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteUnreachable u && u.prefix().equals(gone));
      }, () -> router.status() + "\n" + seen);
      assertEquals(1, router.status().get(0).routesReceived(), router.status().toString());
    }
  }

  /**
   * With an MRT RIB dump the speaker keeps the attributes of each received route for the next dump (2 h by default):
   * a withdrawn route's must go with it, or a peer that announces and withdraws ever new prefixes grows it meanwhile.
   */
  @Test
  void mrtRibDump_withdrawnRoutesNotKept(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    InetAddress routerAddress = InetAddress.getByName("127.0.11.1");
    InetAddress nodeAddress = InetAddress.getByName("127.0.11.4");
    PeerConfig node = PeerConfig.builder().name("node").myAsn(64512).peerAsn(64512).peerAddress(nodeAddress)
        .sourceAddress(routerAddress).build();
    try (Speaker router = Speaker.builder().config(SpeakerConfig.builder().peer(node).build())
        .mrtRibDump(dir.resolve("rib.mrt"), Duration.ofHours(2))
        .listen(new InetSocketAddress(routerAddress, 15103)).passive(true).allowLocalPeers(true).build()) {
      router.start();
      EventHub.Subscription<SpeakerEvent> events = router.subscribe(10_000);
      List<SpeakerEvent> seen = new ArrayList<>();
      try (Socket s = connect(router, nodeAddress, routerAddress, 15103)) {
        int n = 2000;
        for (int i = 0; i < n; i++) {
          List<IpPrefix> p = List.of(IpPrefix.parse("10.8." + (i / 256) + "." + (i % 256) + "/32"));
          send(s, b -> {
            UpdateEncoder.writeAllAnnouncements(b, ATTRS, p, CodecContext.FOUR_OCTET_AS);
            UpdateEncoder.writeAllWithdrawals(b, p, CodecContext.FOUR_OCTET_AS);
          });
        }
        IpPrefix last = IpPrefix.parse("10.8." + ((n - 1) / 256) + "." + ((n - 1) % 256) + "/32");
        Poll.until(LIMIT, "the last withdrawal handled", () -> {
          FrrLabInteropTest.drain(events, seen);
          return seen.stream().anyMatch(e -> e instanceof SpeakerEvent.RouteUnreachable u && u.prefix().equals(last));
        }, () -> router.status().toString());
        assertEquals(0, router.mrtRibRoutes("node"), "withdrawn routes still held for the MRT RIB dump");
      }
    }
  }

  /** Connects as the raw peer (GR capable) and waits until the router's session is Established. */
  private static Socket connect(Speaker router, InetAddress from, InetAddress to, int port) throws Exception {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    for (;;) {
      Socket s = new Socket();
      try {
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(to, port), 1000);
        sendOpenAndKeepalive(s, from.getHostAddress());
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        read(in); // OPEN
        read(in); // KEEPALIVE
        s.setSoTimeout(0);
        Thread drain = new Thread(() -> {
          try {
            for (;;) {
              read(in);
            }
          } catch (IOException | RuntimeException closed) {
            // the connection ended
          }
        }, "raw-peer-reader");
        drain.setDaemon(true);
        drain.start();
        Poll.until(LIMIT, "Established", () -> router.status().get(0).state().equals("Established"),
            () -> router.status().toString());
        return s;
      } catch (IOException e) {
        s.close();
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no session with the router", e);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L); // the listener is not up yet: retry
      }
    }
  }
}
