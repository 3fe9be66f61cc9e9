package io.speakerkit.bgp.fsm.mrt;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.fsm.BgpState;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the UPDATEs peers send and their sessions' state changes to an MRT file (RFC 6396 §4.4, type BGP4MP), what
 * FRR's {@code dump bgp updates} and BIRD's {@code mrtdump messages} write and bgpdump, BGPStream and pybgpstream
 * read: one BGP4MP_MESSAGE_AS4 record per UPDATE (BGP4MP_MESSAGE when the session has 2-octet AS numbers, so that
 * readers parse its AS_PATH right), the message as received, and one BGP4MP_STATE_CHANGE_AS4 record per state
 * change.
 *
 * <p>A collector built on {@link io.speakerkit.bgp.fsm.transport.BgpSession} calls {@link #message} from its
 * {@link io.speakerkit.bgp.fsm.transport.RouteListener#onUpdate} (with {@code update.content()}, {@code offset()} and
 * {@code length()}, and the session's {@code negotiated()} peer AS and 4-octet AS flag) and {@link #stateChange} from
 * a {@link io.speakerkit.bgp.fsm.transport.SessionListener}: both run on the session's event loop, so the records
 * keep their order. The speaker module's {@code Speaker.Builder.mrtDump} does exactly that.
 *
 * <p>Thread-safe; each record is flushed as it is written, so the file is readable while it is being written. A
 * failed write (a full disk) stops the dump with one warning and throws nothing, so the session goes on.
 */
public final class MrtUpdateDump implements AutoCloseable {

  /** RFC 6396 §4.4: the MRT type of BGP4MP records. */
  public static final int TYPE_BGP4MP = 16;
  /** A BGP message of a 2-octet AS session. */
  public static final int SUBTYPE_MESSAGE = 1;
  /** A BGP message of a 4-octet AS session. */
  public static final int SUBTYPE_MESSAGE_AS4 = 4;
  /** A session state change, with 4-octet AS numbers. */
  public static final int SUBTYPE_STATE_CHANGE_AS4 = 5;
  /** RFC 8050 §3: a BGP message with 2-octet AS numbers whose NLRI carry ADD-PATH path identifiers. */
  public static final int SUBTYPE_MESSAGE_ADDPATH = 8;
  /** RFC 8050 §3: a BGP message with 4-octet AS numbers whose NLRI carry ADD-PATH path identifiers. */
  public static final int SUBTYPE_MESSAGE_AS4_ADDPATH = 9;
  private static final int AS_TRANS = 23456;

  private static final Logger log = LoggerFactory.getLogger(MrtUpdateDump.class);

  private final Path file;
  private final OutputStream out;
  private final Clock clock;
  private boolean closed;
  private boolean failed;

  private MrtUpdateDump(Path file, OutputStream out, Clock clock) {
    this.file = file;
    this.out = out;
    this.clock = clock;
  }

  /** Opens {@code file}: truncated, or appended to when {@code append} (MRT files are records back to back). */
  public static MrtUpdateDump open(Path file, boolean append, Clock clock) {
    try {
      return new MrtUpdateDump(file, new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)),
          clock);
    } catch (IOException e) {
      // the JDK's message of a missing directory or a refused open is the path alone: say which it is
      String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
      throw new UncheckedIOException("MRT dump " + file + ": " + why, e);
    }
  }

  /**
   * A BGP message received from {@code peer}: {@code length} octets of {@code message} from {@code offset}, header
   * included. {@code fourOctetAs}: the session negotiated 4-octet AS numbers (RFC 6793), so its AS_PATH has them.
   */
  public void message(long peerAs, long localAs, InetAddress peer, InetAddress local, boolean fourOctetAs,
      ByteBuf message, int offset, int length) {
    message(peerAs, localAs, peer, local, fourOctetAs, false, message, offset, length);
  }

  /**
   * As {@link #message(long, long, InetAddress, InetAddress, boolean, ByteBuf, int, int)}; {@code addPath}: the
   * message's NLRI carry path identifiers (the session receives them for its family, RFC 7911), written with the
   * ADD-PATH subtypes of RFC 8050 §3.
   */
  public void message(long peerAs, long localAs, InetAddress peer, InetAddress local, boolean fourOctetAs,
      boolean addPath, ByteBuf message, int offset, int length) {
    int asSize = fourOctetAs ? 4 : 2;
    int subtype = fourOctetAs ? (addPath ? SUBTYPE_MESSAGE_AS4_ADDPATH : SUBTYPE_MESSAGE_AS4)
        : (addPath ? SUBTYPE_MESSAGE_ADDPATH : SUBTYPE_MESSAGE);
    ByteBuffer r = record(subtype, peerAs, localAs, asSize, peer, local, length);
    message.getBytes(offset, r.array(), r.position(), length);
    write(r.array());
  }

  /** {@code peer}'s session went from {@code from} to {@code to}; {@code local} may be null (written as zeros). */
  public void stateChange(long peerAs, long localAs, InetAddress peer, InetAddress local, BgpState from,
      BgpState to) {
    ByteBuffer r = record(SUBTYPE_STATE_CHANGE_AS4, peerAs, localAs, 4, peer, local, 4);
    r.putShort((short) stateCode(from)).putShort((short) stateCode(to));
    write(r.array());
  }

  /** The MRT header and the BGP4MP fields up to the local IP; the rest ({@code tail} octets) follows. */
  private ByteBuffer record(int subtype, long peerAs, long localAs, int asSize, InetAddress peer, InetAddress local,
      int tail) {
    byte[] peerIp = peer.getAddress();
    // Both addresses are of the peer's family (RFC 6396 §4.4.1 has one Address Family field); zeros when unknown.
    byte[] localIp = local != null && local.getAddress().length == peerIp.length ? local.getAddress()
        : new byte[peerIp.length];
    int bodyLength = 2 * asSize + 2 + 2 + 2 * peerIp.length + tail;
    ByteBuffer r = ByteBuffer.allocate(12 + bodyLength);
    r.putInt((int) clock.instant().getEpochSecond()).putShort((short) TYPE_BGP4MP).putShort((short) subtype)
        .putInt(bodyLength);
    if (asSize == 4) {
      r.putInt((int) peerAs).putInt((int) localAs);
    } else {
      r.putShort((short) twoOctet(peerAs)).putShort((short) twoOctet(localAs));
    }
    r.putShort((short) 0) // interface index: not known to a TCP socket
        .putShort((short) (peer instanceof Inet4Address ? 1 : 2))
        .put(peerIp).put(localIp);
    return r;
  }

  private static long twoOctet(long asn) {
    return asn > 0xFFFF ? AS_TRANS : asn; // RFC 6793 §4.2.1
  }

  /** RFC 6396 §4.4.1: Idle 1, Connect 2, Active 3, OpenSent 4, OpenConfirm 5, Established 6. */
  static int stateCode(BgpState state) {
    return switch (state) {
      case Idle -> 1;
      case Connect -> 2;
      case Active -> 3;
      case OpenSent -> 4;
      case OpenConfirm -> 5;
      case Established -> 6;
    };
  }

  /**
   * Writes one record. After {@link #close} (a session's last change racing the speaker's stop) nothing; after a
   * failed write (a full disk) nothing either, with one warning: the sessions and the routes go on without the dump.
   */
  private synchronized void write(byte[] record) {
    if (closed || failed) {
      return;
    }
    try {
      out.write(record);
      out.flush();
    } catch (IOException e) {
      failed = true;
      log.warn("MRT dump {}: writing failed, nothing more is written: {}", file, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      if (!failed) {
        log.warn("MRT dump {}: closing failed: {}", file, e.toString());
      }
    }
  }
}
