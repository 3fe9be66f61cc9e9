package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.BgpMessageEncoder;
import io.speakerkit.bgp.wire.CodecContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A peer played by a plain socket for the connection-handling tests: it writes and reads BGP messages by hand. */
final class DialingPeer {

  /** The message type of a BGP NOTIFICATION (RFC 4271 §4.5). */
  static final int NOTIFICATION = 3;

  /** How a connection ended as the peer read it: the NOTIFICATION's code and subcode (-1 if none), whether EOF came. */
  record Ending(int code, int subcode, boolean closed) {}

  private DialingPeer() {}

  /** Dials {@code to:port} from {@code from}; reads time out after 4 s. */
  static Socket dial(InetAddress from, InetAddress to, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress(to, port), 5_000);
    s.setSoTimeout(4_000);
    return s;
  }

  /** Sends the OPEN of {@code config} (as the peer's speaker would). */
  static void sendOpen(Socket s, FsmConfig config) throws IOException {
    ByteBuf out = Unpooled.buffer();
    BgpMessageEncoder.encode(WireAdapter.toWire(config.localOpen()), out, CodecContext.INITIAL);
    send(s, out);
  }

  static void sendKeepalive(Socket s) throws IOException {
    ByteBuf out = Unpooled.buffer();
    BgpMessageEncoder.writeKeepalive(out);
    send(s, out);
  }

  /** Writes and releases {@code out}. */
  static void send(Socket s, ByteBuf out) throws IOException {
    byte[] b = new byte[out.readableBytes()];
    out.readBytes(b);
    out.release();
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
  }

  /** Reads messages until one of {@code type} arrives; returns its body (after the 19-octet header). */
  static byte[] bodyOfNext(InputStream in, int type, String what) throws IOException {
    for (;;) {
      byte[] m = readMessage(in, what);
      if (m[0] == type) {
        return Arrays.copyOfRange(m, 1, m.length);
      }
    }
  }

  /** The next whole message: its type octet, then its body; fails with {@code what} if the connection ends first. */
  static byte[] readMessage(InputStream in, String what) throws IOException {
    byte[] header = in.readNBytes(19);
    assertEquals(19, header.length, what + ": a message before the connection closes");
    int length = (header[16] & 0xFF) << 8 | (header[17] & 0xFF);
    byte[] m = new byte[length - 18];
    m[0] = header[18];
    assertEquals(length - 19, in.readNBytes(m, 1, length - 19), what + ": the whole message");
    return m;
  }

  /**
   * Reads to the end of the connection (at most the socket's read timeout of silence): the last NOTIFICATION seen and
   * whether the connection was closed (EOF or reset) rather than left silent.
   */
  static Ending readToEnd(InputStream in) throws IOException {
    int code = -1;
    int sub = -1;
    try {
      for (;;) {
        byte[] h = in.readNBytes(19);
        if (h.length < 19) {
          return new Ending(code, sub, true);
        }
        byte[] body = in.readNBytes(((h[16] & 0xFF) << 8 | (h[17] & 0xFF)) - 19);
        if (h[18] == NOTIFICATION) {
          code = body[0] & 0xFF;
          sub = body[1] & 0xFF;
        }
      }
    } catch (SocketTimeoutException e) {
      return new Ending(code, sub, false);
    } catch (SocketException e) {
      return new Ending(code, sub, true); // reset
    }
  }

  /** Reads {@code read} on the session's event loop. */
  static <T> T onLoop(BgpSession s, Supplier<T> read) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    s.execute(() -> f.complete(read.get()));
    return f.get(5, TimeUnit.SECONDS);
  }

  /** Waits until the tasks queued on the session's loop so far, and the tasks they queue, have run. */
  static void drainLoop(BgpSession s) throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    s.execute(() -> s.execute(() -> s.execute(() -> f.complete(null))));
    f.get(5, TimeUnit.SECONDS);
  }
}
