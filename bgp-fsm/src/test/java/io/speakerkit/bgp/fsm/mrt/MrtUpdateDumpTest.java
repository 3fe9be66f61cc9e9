package io.speakerkit.bgp.fsm.mrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.BgpState;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records of {@link MrtUpdateDump}, field by field as RFC 6396 §2 and §4.4 lay them out. */
class MrtUpdateDumpTest {

  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  @Test
  void stateChangeAndMessage_ipv4_fieldsAsRfc6396(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    byte[] update = emptyUpdate();
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], update); // the message at offset 3 of its buffer
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.stateChange(4_200_000_000L, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.OpenConfirm,
          BgpState.Established);
      dump.message(4_200_000_000L, 64512, ip("192.0.2.1"), ip("192.0.2.2"), true, buf, 3, update.length);
    } finally {
      buf.release();
    }
    ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(file));

    header(r, MrtUpdateDump.SUBTYPE_STATE_CHANGE_AS4, 4 + 4 + 2 + 2 + 4 + 4 + 2 + 2);
    assertEquals(4_200_000_000L, Integer.toUnsignedLong(r.getInt()), "peer AS");
    assertEquals(64512, r.getInt(), "local AS");
    assertEquals(0, r.getShort(), "interface index");
    assertEquals(1, r.getShort(), "address family: IPv4");
    assertArrayEquals(ip("192.0.2.1").getAddress(), bytes(r, 4));
    assertArrayEquals(ip("192.0.2.2").getAddress(), bytes(r, 4));
    assertEquals(5, r.getShort(), "old state: OpenConfirm");
    assertEquals(6, r.getShort(), "new state: Established");

    header(r, MrtUpdateDump.SUBTYPE_MESSAGE_AS4, 4 + 4 + 2 + 2 + 4 + 4 + update.length);
    assertEquals(4_200_000_000L, Integer.toUnsignedLong(r.getInt()));
    assertEquals(64512, r.getInt());
    assertEquals(0, r.getShort());
    assertEquals(1, r.getShort());
    assertArrayEquals(ip("192.0.2.1").getAddress(), bytes(r, 4));
    assertArrayEquals(ip("192.0.2.2").getAddress(), bytes(r, 4));
    assertArrayEquals(update, bytes(r, update.length), "the message as received, marker included");
    assertFalse(r.hasRemaining());
  }

  /** A 2-octet AS session: BGP4MP_MESSAGE with 2-octet AS fields (AS_TRANS for a 4-octet one), IPv6 addresses. */
  @Test
  void message_twoOctetSessionIpv6_bgp4mpMessageWithAsTrans(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    byte[] update = emptyUpdate();
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.message(65001, 4_200_000_000L, ip("2001:db8::1"), null, false, Unpooled.wrappedBuffer(update), 0,
          update.length);
    }
    ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(file));
    header(r, MrtUpdateDump.SUBTYPE_MESSAGE, 2 + 2 + 2 + 2 + 16 + 16 + update.length);
    assertEquals(65001, Short.toUnsignedInt(r.getShort()));
    assertEquals(23456, Short.toUnsignedInt(r.getShort()), "AS_TRANS (RFC 6793)");
    assertEquals(0, r.getShort());
    assertEquals(2, r.getShort(), "address family: IPv6");
    assertArrayEquals(ip("2001:db8::1").getAddress(), bytes(r, 16));
    assertArrayEquals(new byte[16], bytes(r, 16), "local address unknown: zeros");
    assertArrayEquals(update, bytes(r, update.length));
  }

  /** RFC 8050 §3: a message whose NLRI carry path identifiers goes in the ADD-PATH subtypes (9 and 8). */
  @Test
  void message_addPath_addPathSubtypes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    byte[] update = emptyUpdate();
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.message(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), true, true, Unpooled.wrappedBuffer(update), 0,
          update.length);
      dump.message(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), false, true, Unpooled.wrappedBuffer(update), 0,
          update.length);
    }
    ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(file));
    header(r, MrtUpdateDump.SUBTYPE_MESSAGE_AS4_ADDPATH, 4 + 4 + 2 + 2 + 4 + 4 + update.length);
    assertEquals(9, MrtUpdateDump.SUBTYPE_MESSAGE_AS4_ADDPATH);
    bytes(r, 4 + 4 + 2 + 2 + 4 + 4 + update.length);
    header(r, MrtUpdateDump.SUBTYPE_MESSAGE_ADDPATH, 2 + 2 + 2 + 2 + 4 + 4 + update.length);
    assertEquals(8, MrtUpdateDump.SUBTYPE_MESSAGE_ADDPATH);
  }

  /** Appending after a restart keeps the records already written; writing after close writes nothing. */
  @Test
  void appendAfterRestart_keepsRecords_writeAfterCloseIgnored(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    MrtUpdateDump first = MrtUpdateDump.open(file, false, CLOCK);
    first.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.Idle, BgpState.Connect);
    first.close();
    first.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.Connect, BgpState.Active);
    try (MrtUpdateDump second = MrtUpdateDump.open(file, true, CLOCK)) {
      second.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.Idle, BgpState.Connect);
    }
    assertEquals(2 * (12 + 24), Files.size(file));
  }

  /** A full disk stops the dump, not the sessions: the write that fails and the ones after it throw nothing. */
  @Test
  void writeFails_noException_dumpStops() throws Exception {
    Path full = Path.of("/dev/full"); // Linux: every write fails with ENOSPC
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "/dev/full");
    byte[] update = emptyUpdate();
    try (MrtUpdateDump dump = MrtUpdateDump.open(full, true, CLOCK)) {
      dump.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.OpenConfirm, BgpState.Established);
      dump.message(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), true, Unpooled.wrappedBuffer(update), 0,
          update.length);
    }
  }

  private static void header(ByteBuffer r, int subtype, int length) {
    assertEquals(1_700_000_000, r.getInt(), "timestamp");
    assertEquals(MrtUpdateDump.TYPE_BGP4MP, r.getShort(), "type");
    assertEquals(subtype, r.getShort(), "subtype");
    assertEquals(length, r.getInt(), "length");
  }

  /** An UPDATE with no routes and no attributes (23 octets): the smallest there is. */
  private static byte[] emptyUpdate() {
    byte[] m = new byte[23];
    Arrays.fill(m, 0, 16, (byte) 0xFF);
    m[17] = 23;
    m[18] = 2;
    return m;
  }

  private static byte[] bytes(ByteBuffer r, int n) {
    byte[] b = new byte[n];
    r.get(b);
    return b;
  }

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  /** RFC 6396 §4.4.1: the state codes, Idle 1 to Established 6, in both fields. */
  @Test
  void stateChange_everyState_rfc6396Codes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    BgpState[] states = {BgpState.Idle, BgpState.Connect, BgpState.Active, BgpState.OpenSent, BgpState.OpenConfirm,
        BgpState.Established};
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      for (int i = 0; i + 1 < states.length; i++) {
        dump.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), states[i], states[i + 1]);
      }
    }
    ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(file));
    for (int i = 0; i + 1 < states.length; i++) {
      header(r, MrtUpdateDump.SUBTYPE_STATE_CHANGE_AS4, 24);
      bytes(r, 20);
      assertEquals(i + 1, r.getShort(), "old state " + states[i]);
      assertEquals(i + 2, r.getShort(), "new state " + states[i + 1]);
    }
    assertFalse(r.hasRemaining());
  }

  /** AS 65535 fits 2 octets: written as itself, not AS_TRANS (RFC 6793 §4.2.1 maps only numbers above 65535). */
  @Test
  void message_twoOctetSessionAs65535_writtenAsItself(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    byte[] update = emptyUpdate();
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.message(65535, 65534, ip("192.0.2.1"), ip("192.0.2.2"), false, Unpooled.wrappedBuffer(update), 0,
          update.length);
    }
    ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(file));
    header(r, MrtUpdateDump.SUBTYPE_MESSAGE, 2 + 2 + 2 + 2 + 4 + 4 + update.length);
    assertEquals(65535, Short.toUnsignedInt(r.getShort()));
    assertEquals(65534, Short.toUnsignedInt(r.getShort()));
  }

  /** A local address of the other family than the peer's (one Address Family field, §4.4.1): zeros, no failure. */
  @Test
  void message_localAddressOfTheOtherFamily_zeros(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    byte[] update = emptyUpdate();
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.message(65001, 64512, ip("192.0.2.1"), ip("2001:db8::2"), true, Unpooled.wrappedBuffer(update), 0,
          update.length);
    }
    ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(file));
    header(r, MrtUpdateDump.SUBTYPE_MESSAGE_AS4, 4 + 4 + 2 + 2 + 4 + 4 + update.length);
    bytes(r, 4 + 4 + 2 + 2);
    assertArrayEquals(ip("192.0.2.1").getAddress(), bytes(r, 4));
    assertArrayEquals(new byte[4], bytes(r, 4));
    assertArrayEquals(update, bytes(r, update.length));
  }

  /** Each record is in the file as soon as it is written (the file is read while the collector runs). */
  @Test
  void record_inTheFileBeforeClose(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.Idle, BgpState.Connect);
      assertEquals(12 + 24, Files.size(file));
    }
  }

  /** Opened without append, a file of an earlier run starts over. */
  @Test
  void openWithoutAppend_existingFileTruncated(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("updates.mrt");
    Files.write(file, new byte[100]);
    try (MrtUpdateDump dump = MrtUpdateDump.open(file, false, CLOCK)) {
      dump.stateChange(65001, 64512, ip("192.0.2.1"), ip("192.0.2.2"), BgpState.Idle, BgpState.Connect);
    }
    assertEquals(12 + 24, Files.size(file));
  }
}
