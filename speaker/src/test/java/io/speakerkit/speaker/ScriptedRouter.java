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

  ScriptedRouter(InetAddress address, int port) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(address, port));
    server.setSoTimeout(20_000);
  }

  /** Accepts the speaker's connection and brings the session to Established (OPEN, KEEPALIVE both ways). */
  void establish() throws IOException {
    socket = server.accept();
    socket.setSoTimeout(20_000);
    in = new DataInputStream(socket.getInputStream());
    assertEquals(1, read()[18], "the speaker's OPEN");
    OutputStream out = socket.getOutputStream();
    // OPEN: version 4, AS 64512, hold 90 s, BGP Identifier 10.9.9.9, no optional parameters; then a KEEPALIVE
    out.write(message(1, new byte[] {4, (byte) 0xfc, 0x00, 0, 90, 10, 9, 9, 9, 0}));
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
