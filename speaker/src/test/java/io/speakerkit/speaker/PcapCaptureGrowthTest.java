package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A capture left on for months sees a peer reconnect thousands of times, each from a new ephemeral port. */
class PcapCaptureGrowthTest {

  @Test
  void sequenceStateOfClosedConnectionsIsForgotten(@TempDir Path dir) throws Exception {
    Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
    InetAddress local = InetAddress.getByName("192.0.2.1");
    InetAddress peer = InetAddress.getByName("192.0.2.2");
    InetSocketAddress server = new InetSocketAddress(peer, 179);
    ByteBuf open = Unpooled.wrappedBuffer(new byte[29]);
    try (PcapCapture capture = PcapCapture.open(dir.resolve("c.pcap"), false, clock)) {
      for (int i = 0; i < 5_000; i++) {
        InetSocketAddress client = new InetSocketAddress(local, 32768 + (i % 28000));
        capture.tcp(client, server, open);
        capture.tcp(server, client, open);
        capture.tcpClosed(client, server); // the connection ends (TapHandler: local, remote)
      }
      int tracked = capture.trackedDirections();
      assertTrue(tracked <= 2, "directions of closed connections still tracked: " + tracked);
    }
  }
}
