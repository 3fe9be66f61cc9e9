package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * A BGP router that speaks just enough for the speaker's tests: accepts one connection, answers the speaker's OPEN
 * (AS 64512, hold 90 s, no capabilities) and KEEPALIVE, sends no routes, and reads what the speaker sends.
 */
final class ScriptedRouter implements AutoCloseable {
  final ServerSocket server;
  Socket socket;
  DataInputStream in;
  /** The speaker's OPEN as last read by {@link #establish}, header included. */
  byte[] open;

  ScriptedRouter(InetAddress address, int port) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(address, port));
    server.setSoTimeout(20_000);
  }

  /** Accepts the speaker's connection and brings the session to Established (OPEN, KEEPALIVE both ways). */
  void establish() throws IOException {
    establish(new byte[0]);
  }

  /** {@link #establish()} with these capabilities (code, length, value each) in the router's OPEN. */
  void establish(byte[] capabilities) throws IOException {
    socket = server.accept();
    socket.setSoTimeout(20_000);
    in = new DataInputStream(socket.getInputStream());
    open = read();
    assertEquals(1, open[18], "the speaker's OPEN");
    OutputStream out = socket.getOutputStream();
    // OPEN: version 4, AS 64512, hold 90 s, BGP Identifier 10.9.9.9, the capabilities (if any) in one optional
    // parameter; then a KEEPALIVE
    byte[] body = new byte[10 + (capabilities.length == 0 ? 0 : 2 + capabilities.length)];
    System.arraycopy(new byte[] {4, (byte) 0xfc, 0x00, 0, 90, 10, 9, 9, 9}, 0, body, 0, 9);
    if (capabilities.length > 0) {
      body[9] = (byte) (2 + capabilities.length);
      body[10] = 2;
      body[11] = (byte) capabilities.length;
      System.arraycopy(capabilities, 0, body, 12, capabilities.length);
    }
    out.write(message(1, body));
    out.write(message(4, new byte[0]));
    out.flush();
    byte[] m;
    do {
      m = read();
    } while (m[18] != 4); // the speaker's KEEPALIVE: Established
  }

  /** The next NOTIFICATION the speaker sends (UPDATEs and KEEPALIVEs before it skipped): {code, subcode}. */
  int[] notification() throws IOException {
    byte[] m;
    do {
      m = read();
    } while (m[18] != 3);
    return new int[] {m[19] & 0xff, m[20] & 0xff};
  }

  /** The next UPDATE the speaker sends (KEEPALIVEs skipped), header included. */
  byte[] update() throws IOException {
    byte[] m;
    do {
      m = read();
    } while (m[18] != 2);
    return m;
  }

  /**
   * Whether a NOTIFICATION comes within {@code millis} (UPDATEs and KEEPALIVEs skipped): 3 when one did, 0 when none
   * came, -1 when the speaker closed the connection without one.
   */
  int notificationWithin(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      byte[] m;
      do {
        m = read();
      } while (m[18] != 3);
      return 3;
    } catch (java.net.SocketTimeoutException quiet) {
      return 0;
    } catch (java.io.EOFException | java.net.SocketException closed) {
      return -1;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(20_000);
      }
    }
  }

  private byte[] read() throws IOException {
    byte[] header = new byte[19];
    in.readFully(header);
    int length = (header[16] & 0xff) << 8 | header[17] & 0xff;
    byte[] m = Arrays.copyOf(header, length);
    in.readFully(m, 19, length - 19);
    return m;
  }

  private static byte[] message(int type, byte[] body) {
    byte[] m = new byte[19 + body.length];
    Arrays.fill(m, 0, 16, (byte) 0xff);
    m[16] = (byte) (m.length >> 8);
    m[17] = (byte) m.length;
    m[18] = (byte) type;
    System.arraycopy(body, 0, m, 19, body.length);
    return m;
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
    server.close();
  }
}
