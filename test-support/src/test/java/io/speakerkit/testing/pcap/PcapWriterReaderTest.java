package io.speakerkit.testing.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterReaderTest {

  @TempDir
  Path dir;

  private static byte[] random(Random random, int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  /** Two connections (IPv4, IPv6) with sends below, at and far above one MSS, written to memory. */
  private static byte[] twoConnections(List<byte[]> up4, List<byte[]> down4, List<byte[]> up6) throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapWriter pcap = PcapWriter.to(file)) {
      PcapWriter.Tcp v4 = pcap.tcp(InetAddress.getByName("10.254.9.1"), 40001,
          InetAddress.getByName("10.254.9.2"), 179);
      PcapWriter.Tcp v6 = pcap.tcp(InetAddress.getByName("fd00:254::9:1"), 40002,
          InetAddress.getByName("fd00:254::9:2"), 179);
      for (int i = 0; i < up4.size(); i++) {
        v4.clientSends(up4.get(i));
        v4.serverSends(down4.get(i));
        v6.clientSends(up6.get(i));
      }
      v4.close();
      v6.close();
    }
    return file.toByteArray();
  }

  @Test
  void readTcp_returnsWhatWriterSent() throws Exception {
    Random random = new Random(7);
    List<byte[]> up4 = new ArrayList<>();
    List<byte[]> down4 = new ArrayList<>();
    List<byte[]> up6 = new ArrayList<>();
    for (int size : new int[] {19, 1460, 1461, 70_000, 1}) {
      up4.add(random(random, size));
      down4.add(random(random, size / 2 + 1));
      up6.add(random(random, size));
    }
    List<TcpConnection> connections = PcapReader.readTcp(twoConnections(up4, down4, up6), "memory");

    assertEquals(2, connections.size());
    TcpConnection v4 = connections.get(0);
    assertEquals("10.254.9.1:40001", v4.client().toString());
    assertEquals("10.254.9.2:179", v4.server().toString());
    assertArrayEquals(concat(up4), v4.clientToServer());
    assertArrayEquals(concat(down4), v4.serverToClient());
    TcpConnection v6 = connections.get(1);
    assertEquals("[fd00:254:0:0:0:0:9:1]:40002", v6.client().toString());
    assertArrayEquals(concat(up6), v6.clientToServer());
    assertEquals(0, v6.serverToClient().length);
  }

  @Test
  void readTcp_reordersAndIgnoresRetransmissions() throws Exception {
    Random random = new Random(8);
    byte[] data = random(random, 10_000);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapWriter pcap = PcapWriter.to(file)) {
      pcap.tcp(InetAddress.getByName("10.254.9.1"), 40001, InetAddress.getByName("10.254.9.2"), 179)
          .clientSends(data).close();
    }
    List<PcapReader.Frame> frames = PcapReader.readFrames(file.toByteArray(), "memory");
    // frames: SYN, SYN+ACK, ACK, 7 data segments, ACK, FIN, FIN, ACK. Swap two segments, repeat a third.
    List<PcapReader.Frame> shuffled = new ArrayList<>(frames);
    shuffled.set(4, frames.get(5));
    shuffled.set(5, frames.get(4));
    shuffled.add(9, frames.get(6));
    shuffled.add(1, frames.get(3));

    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    try (PcapWriter pcap = PcapWriter.to(rewritten)) {
      shuffled.forEach(f -> pcap.frame(f.data()));
    }
    List<TcpConnection> connections = PcapReader.readTcp(rewritten.toByteArray(), "memory");

    assertEquals(1, connections.size());
    assertArrayEquals(data, connections.get(0).clientToServer());
  }

  @Test
  void readTcp_holeInStream_fails() throws Exception {
    Random random = new Random(9);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapWriter pcap = PcapWriter.to(file)) {
      pcap.tcp(InetAddress.getByName("10.254.9.1"), 40001, InetAddress.getByName("10.254.9.2"), 179)
          .clientSends(random(random, 5000)).close();
    }
    List<PcapReader.Frame> frames = new ArrayList<>(PcapReader.readFrames(file.toByteArray(), "memory"));
    frames.remove(4); // the second data segment
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    try (PcapWriter pcap = PcapWriter.to(rewritten)) {
      frames.forEach(f -> pcap.frame(f.data()));
    }

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PcapReader.readTcp(rewritten.toByteArray(), "memory"));
    assertTrue(e.getMessage().contains("hole at stream offset 1460"), e.getMessage());
  }

  /** {@code n} BGP KEEPALIVEs back to back (RFC 4271 §4.4: the 19-octet header alone). */
  private static byte[] keepalives(int n) {
    byte[] out = new byte[19 * n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(out, 19 * i, 19 * i + 16, (byte) 0xFF);
      out[19 * i + 17] = 19;
      out[19 * i + 18] = 4;
    }
    return out;
  }

  @Test
  void tshark_reassemblesWriterOutputAsRealSessions() throws Exception {
    // Sends of 1, 77 and 2,000 messages: the larger ones cross segment boundaries mid-message.
    List<byte[]> up = List.of(keepalives(1), keepalives(77), keepalives(2000));
    List<byte[]> down = List.of(keepalives(2), keepalives(3), keepalives(100));
    List<byte[]> up6 = List.of(keepalives(5), keepalives(1000), keepalives(1));
    Path file = dir.resolve("keepalives.pcap");
    Files.write(file, twoConnections(up, down, up6));

    Tshark.Report report = Tshark.dissect(file).assertClean();

    assertEquals(1 + 77 + 2000 + 2 + 3 + 100 + 5 + 1000 + 1, report.messages(4), report.messageTypes().toString());
  }
}
