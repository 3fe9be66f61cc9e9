package io.speakerkit.bgp.wire.tshark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.testing.pcap.PcapWriter;
import io.speakerkit.testing.pcap.Tshark;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tshark check must fail on a broken BGP message, or its passing on our encoder's output means nothing. The
 * messages here are written out by hand, octet by octet, independent of the codec under test.
 */
class TsharkHasTeethTest {

  @TempDir
  Path dir;

  private static final HexFormat HEX = HexFormat.of();

  /** A BGP message of {@code type} with {@code body} (hex), header and length filled in. */
  private static byte[] message(int type, String body) {
    byte[] b = HEX.parseHex(body.replace(" ", ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < 16; i++) {
      out.write(0xFF);
    }
    int length = 19 + b.length;
    out.write(length >> 8);
    out.write(length);
    out.write(type);
    out.writeBytes(b);
    return out.toByteArray();
  }

  /** OPEN: version 4, AS_TRANS, hold 90, id, capabilities MP IPv4 unicast and 4-octet AS {@code as4}. */
  private static byte[] open(String routerId, String as4) {
    return message(1, "04 5ba0 005a " + routerId + " 10 02 0e 0104 0001 0001 4104 " + as4 + " 0200");
  }

  private static final byte[] KEEPALIVE = message(4, "");

  /** UPDATE: ORIGIN IGP, AS_PATH (one 4-octet AS), NEXT_HOP, NLRI 10.254.77.0/24. */
  private static final byte[] GOOD_UPDATE = message(2,
      "0000 0014 40 01 01 00  40 02 06 0201 0000fde9  40 03 04 0afe0102  18 0afe4d");

  private Path session(byte[]... fromClient) throws Exception {
    Path file = dir.resolve("session.pcap");
    try (PcapWriter pcap = PcapWriter.create(file)) {
      PcapWriter.Tcp tcp = pcap.tcp(InetAddress.getByName("10.254.77.1"), 40077,
          InetAddress.getByName("10.254.77.2"), 179);
      tcp.clientSends(open("0afe4d01", "0000fde9"));
      tcp.serverSends(open("0afe4d02", "0000fdea"));
      tcp.clientSends(KEEPALIVE);
      tcp.serverSends(KEEPALIVE);
      for (byte[] m : fromClient) {
        tcp.clientSends(m);
      }
      tcp.close();
    }
    return file;
  }

  @Test
  void wellFormedSession_isClean() throws Exception {
    Tshark.Report report = Tshark.dissect(session(GOOD_UPDATE)).assertClean();

    assertEquals(2, report.messages(1));
    assertEquals(1, report.messages(2));
    assertEquals(2, report.messages(4));
    assertEquals(java.util.Set.of(1, 2, 3), report.attributeTypeCodes());
    assertTrue(report.capabilityCodes().containsAll(java.util.Set.of(1, 65)), report.capabilityCodes().toString());
  }

  @Test
  void attributeLongerThanTheUpdate_isReported() throws Exception {
    // NEXT_HOP claims 12 octets, but the path attributes end after 4.
    byte[] broken = message(2, "0000 0014 40 01 01 00  40 02 06 0201 0000fde9  40 03 0c 0afe0102  18 0afe4d");

    Tshark.Report report = Tshark.dissect(session(GOOD_UPDATE, broken));

    assertFalse(report.clean(), report.toString());
    assertThrows(AssertionError.class, report::assertClean);
  }

  // Not a check tshark 4.0 can make: an AS_PATH of 2-octet ASNs in a 4-octet session. By default the dissector
  // guesses the AS size per attribute; forced to 4 octets it reads past the attribute into the next one without
  // an expert item. Such errors are for the codec's own round-trip and golden tests to catch.

  @Test
  void wellFormedSession_isCleanWithFourOctetPreference() throws Exception {
    Tshark.dissect(session(GOOD_UPDATE), Tshark.FOUR_OCTET_AS).assertClean();
  }

  @Test
  void lengthFieldBelowMinimum_isReported() throws Exception {
    byte[] broken = message(4, "");
    broken[17] = 18; // RFC 4271 §4.1: at least 19

    Tshark.Report report = Tshark.dissect(session(broken, KEEPALIVE));

    assertFalse(report.clean(), report.toString());
  }
}
