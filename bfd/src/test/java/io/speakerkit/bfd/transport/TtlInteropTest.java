package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RFC 5881 §5 GTSM on a real socket: packets sent with TTL 64 or 254 never reach the session (the BPF filter cuts
 * them and they are counted), TTL 255 does; and what the engine sends carries TTL / hop limit 255.
 */
class TtlInteropTest {

  /** Sends one BFD Down packet (Your Discriminator 0) with the given TTL to dst:3784, from inside the namespace. */
  static final String SENDER = String.join("\n",
      "import socket, struct, sys",
      "dst, ttl, v6 = sys.argv[1], int(sys.argv[2]), ':' in sys.argv[1]",
      "port = int(sys.argv[3]) if len(sys.argv) > 3 else 3784",
      "fam = socket.AF_INET6 if v6 else socket.AF_INET",
      "s = socket.socket(fam, socket.SOCK_DGRAM)",
      "if v6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)",
      "else: s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)",
      "s.bind((sys.argv[4] if len(sys.argv) > 4 else '', 49999))",
      "pkt = struct.pack('!BBBBIIIII', 0x20, 0x40, 3, 24, 0x11223344, 0, 1000000, 1000000, 0)",
      "s.sendto(pkt, (dst, port))",
      "");

  /** Receives one datagram on port 3784 and prints its TTL / hop limit. */
  static final String RECEIVER = String.join("\n",
      "import socket, sys",
      "v6 = ':' in sys.argv[1]",
      "s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)",
      "if v6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)",
      "else: s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL",
      "s.bind((sys.argv[1], 3784))",
      "s.settimeout(20)",
      "data, anc, flags, addr = s.recvmsg(512, 64)",
      "for lvl, typ, val in anc: print('ttl', int.from_bytes(val[:4], sys.byteorder), 'port', addr[1], flush=True)",
      "");

  @Test
  void ttl64And254_dropped_ttl255_accepted_ipv4() throws Exception {
    run("skbfdttl4", "10.252.1.1/24", "10.252.1.2/24", false);
  }

  @Test
  void hopLimit64And254_dropped_hopLimit255_accepted_ipv6() throws Exception {
    run("skbfdttl6", "fd00:252:1::1/64", "fd00:252:1::2/64", true);
  }

  @Test
  void multihop_eachSessionItsOwnMinimumTtl() throws Exception {
    Commands.require("ip", "python3");
    try (Netns ns = Netns.create("skbfdttlm", "10.252.6.1/24", "10.252.6.2/24");
        BfdEngine engine = BfdEngine.builder().build()) {
      ns.addAddresses("10.252.6.11/24", "10.252.6.12/24");
      File sender = new File(ns.dir(), "send.py");
      Files.writeString(sender.toPath(), SENDER);
      InetAddress local = InetAddress.getByName(ns.hostAddress());
      // Two multihop sessions on one local address: peer .2 accepted from TTL 250, peer .12 only from 254.
      BfdSession lenient = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName(ns.nsAddress(0))).multihop(true)
          .profile(BfdProfile.builder().minimumTtl(250).build()).build());
      BfdSession strict = engine.createSession(BfdSessionConfig.builder().localAddress(local)
          .remoteAddress(InetAddress.getByName(ns.nsAddress(1))).multihop(true)
          .profile(BfdProfile.builder().minimumTtl(254).build()).build());
      Poll.until(Duration.ofSeconds(10), "listening on 4784", () -> Commands.run("ss", "-uln").stdout()
          .contains(ns.hostAddress() + ":4784"));
      send(ns, sender, 64, ns.nsAddress(0));
      Poll.until(Duration.ofSeconds(5), "TTL 64 dropped", () -> lenient.counters().discardedTtl() == 1,
          () -> lenient.counters().toString());
      send(ns, sender, 249, ns.nsAddress(0));
      Poll.until(Duration.ofSeconds(5), "TTL 249 dropped", () -> lenient.counters().discardedTtl() == 2,
          () -> lenient.counters().toString());
      send(ns, sender, 250, ns.nsAddress(1));
      Poll.until(Duration.ofSeconds(5), "TTL 250 dropped for the strict session",
          () -> strict.counters().discardedTtl() == 1, () -> strict.counters().toString());
      assertEquals(SessionState.Down, lenient.state());
      assertEquals(SessionState.Down, strict.state());
      send(ns, sender, 250, ns.nsAddress(0));
      Poll.until(Duration.ofSeconds(5), "TTL 250 accepted for the lenient session",
          () -> lenient.state() == SessionState.Init, () -> lenient.counters().toString());
      send(ns, sender, 254, ns.nsAddress(1));
      Poll.until(Duration.ofSeconds(5), "TTL 254 accepted for the strict session",
          () -> strict.state() == SessionState.Init, () -> strict.counters().toString());
      assertEquals(1, lenient.counters().controlPacketsIn());
      assertEquals(1, strict.counters().controlPacketsIn());
      // The accepted packet gave the sender's port: the strict session now has its own socket, same threshold.
      awaitOwnSocket(engine, strict);
      send(ns, sender, 250, ns.nsAddress(1));
      Poll.until(Duration.ofSeconds(5), "TTL 250 dropped on the strict session's own socket",
          () -> strict.counters().discardedTtl() == 2, () -> strict.counters().toString());
      assertEquals(1, strict.counters().controlPacketsIn());
      // A live profile change moves the session's own threshold.
      strict.updateProfile(BfdProfile.builder().minimumTtl(200).build());
      long in = strict.counters().controlPacketsIn();
      Poll.until(Duration.ofSeconds(5), "TTL 210 accepted after minimumTtl 200", () -> {
        send(ns, sender, 210, ns.nsAddress(1));
        return strict.counters().controlPacketsIn() > in;
      }, () -> strict.counters().toString());
    }
  }

  private static void send(Netns ns, File sender, int ttl, String from) {
    ns.inside("python3", sender.getPath(), ns.hostAddress(), Integer.toString(ttl), "4784", from).check();
  }

  private void run(String name, String hostCidr, String nsCidr, boolean v6) throws Exception {
    Commands.require("ip", "python3");
    try (Netns ns = Netns.create(name, hostCidr, nsCidr);
        BfdEngine engine = BfdEngine.builder().build()) {
      File sender = new File(ns.dir(), "send.py");
      Files.writeString(sender.toPath(), SENDER);
      File receiver = new File(ns.dir(), "recv.py");
      Files.writeString(receiver.toPath(), RECEIVER);
      File recvLog = new File(ns.dir(), "recv.log");
      ns.start(recvLog, "python3", receiver.getPath(), ns.nsAddress());
      Poll.until(Duration.ofSeconds(10), "receiver bound",
          () -> ns.inside("ss", "-uln").stdout().contains(":3784"), () -> readLog(recvLog));

      BfdSession s = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName(ns.hostAddress()))
          .remoteAddress(InetAddress.getByName(ns.nsAddress()))
          .profile(BfdProfile.DEFAULT)
          .build());
      // What we send: TTL / hop limit 255, from a source port in 49152-65535.
      Poll.until(Duration.ofSeconds(15), "a packet from the engine", () -> readLog(recvLog).contains("ttl"),
          () -> readLog(recvLog));
      String line = readLog(recvLog).trim();
      assertTrue(line.startsWith("ttl 255 "), line);
      int port = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
      assertTrue(port >= 49152 && port <= 65535, line);

      for (int ttl : new int[] {64, 254}) {
        long before = s.counters().discardedTtl();
        ns.inside("python3", sender.getPath(), ns.hostAddress(), Integer.toString(ttl)).check();
        Poll.until(Duration.ofSeconds(5), "TTL " + ttl + " counted as dropped",
            () -> s.counters().discardedTtl() == before + 1, () -> s.counters().toString());
        assertEquals(SessionState.Down, s.state(), "a TTL " + ttl + " packet must not move the session");
        assertEquals(0, s.counters().controlPacketsIn());
      }
      ns.inside("python3", sender.getPath(), ns.hostAddress(), "255").check();
      Poll.until(Duration.ofSeconds(5), "TTL 255 accepted", () -> s.state() == SessionState.Init,
          () -> s.counters().toString());
      assertEquals(1, s.counters().controlPacketsIn());
      assertEquals(2, s.counters().discardedTtl());

      // The session's own socket, connected to the sender's port since the accepted packet, filters the same way.
      awaitOwnSocket(engine, s);
      ns.inside("python3", sender.getPath(), ns.hostAddress(), "64").check();
      Poll.until(Duration.ofSeconds(5), "TTL 64 dropped on the session's own socket",
          () -> s.counters().discardedTtl() == 3, () -> s.counters().toString());
      assertEquals(1, s.counters().controlPacketsIn());
      ns.inside("python3", sender.getPath(), ns.hostAddress(), "255").check();
      Poll.until(Duration.ofSeconds(5), "TTL 255 accepted on the session's own socket",
          () -> s.counters().controlPacketsIn() == 2, () -> s.counters().toString());
    }
  }

  /** Waits for the session's own receiving socket, where the kernel supports it. */
  private static void awaitOwnSocket(BfdEngine engine, BfdSession session) {
    if (BfdEngine.kernelPrefersConnected(System.getProperty("os.version", ""))) {
      Poll.until(Duration.ofSeconds(5), "the session's own socket", () -> engine.ownSocketPeer(session)
          .map(p -> p.getPort() == 49999).orElse(false));
    }
  }

  private static String readLog(File f) {
    try {
      return f.exists() ? Files.readString(f.toPath()) : "";
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
