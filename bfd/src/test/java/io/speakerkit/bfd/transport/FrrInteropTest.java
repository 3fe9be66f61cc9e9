package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import io.speakerkit.bfd.BfdStateChange;
import io.speakerkit.bfd.Diagnostic;
import io.speakerkit.bfd.SessionState;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Against FRR 8.4 bfdd: Up, link cut detected in time, poll sequences both ways, single-hop and multihop. */
class FrrInteropTest {

  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  @Test
  void singleHop_upLinkCutAndPoll_ipv4() throws Exception {
    run("skbfdfrr4", "10.252.2.1/24", "10.252.2.2/24", false);
  }

  @Test
  void singleHop_upLinkCutAndPoll_ipv6() throws Exception {
    run("skbfdfrr6", "fd00:252:2::1/64", "fd00:252:2::2/64", false);
  }

  @Test
  void multihop_up_ipv4() throws Exception {
    run("skbfdfrm4", "10.252.3.1/24", "10.252.3.2/24", true);
  }

  @Test
  void multihop_up_ipv6() throws Exception {
    run("skbfdfrm6", "fd00:252:3::1/64", "fd00:252:3::2/64", true);
  }

  @Test
  void passive_upWhenFrrSpeaksFirst_frrPassive_upWhenWeSpeak() throws Exception {
    try (Netns ns = Netns.create("skbfdfrrp", "10.252.8.1/24", "10.252.8.2/24");
        BfdEngine engine = BfdEngine.builder().build()) {
      String peerLine = "peer " + ns.hostAddress() + " local-address " + ns.nsAddress();
      FrrBfdd frr = FrrBfdd.start(ns, "bfd\n " + peerLine + "\n  passive-mode\n !\n!\n");
      InetAddress local = InetAddress.getByName(ns.hostAddress());
      InetAddress remote = InetAddress.getByName(ns.nsAddress());
      // Both passive: nobody speaks, nothing comes Up.
      BfdSession s = engine.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(remote)
          .profile(BfdProfile.builder().passiveMode(true).build()).build());
      Poll.until(Duration.ofSeconds(5), "FRR passive", () -> "true".equals(frr.field("passive-mode")), frr::peers);
      long until = System.nanoTime() + 3_000_000_000L;
      Poll.until(Duration.ofSeconds(5), "3 s of silence", () -> System.nanoTime() > until);
      assertEquals(0, s.counters().controlPacketsOut());
      assertEquals(0, s.counters().controlPacketsIn());
      assertEquals("down", frr.field("status"));
      // FRR active, we passive: Up.
      frr.vtysh("configure terminal", "bfd", peerLine, "no passive-mode");
      Poll.until(Duration.ofSeconds(20), "Up with us passive",
          () -> s.state() == SessionState.Up && "up".equals(frr.field("status")), frr::peers);
      s.close();
      Poll.until(Duration.ofSeconds(5), "FRR Down", () -> "down".equals(frr.field("status")), frr::peers);
      // FRR passive again, we active: Up.
      frr.vtysh("configure terminal", "bfd", peerLine, "passive-mode");
      BfdSession active = engine.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(remote)
          .profile(BfdProfile.DEFAULT).build());
      Poll.until(Duration.ofSeconds(20), "Up with FRR passive",
          () -> active.state() == SessionState.Up && "up".equals(frr.field("status")), frr::peers);
    }
  }

  /** The DSCP of three BFD control packets from {@code source} to {@code port}, read by tshark in the namespace. */
  private static List<String> dscpOf(Netns ns, String source, int port, boolean v6) {
    String out = ns.inside("tshark", "-i", ns.nsInterface(), "-c", "3", "-a", "duration:10", "-f",
        "udp dst port " + port + " and src host " + source, "-T", "fields", "-e",
        v6 ? "ipv6.tclass.dscp" : "ip.dsfield.dscp").check().stdout();
    return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
  }

  private void run(String name, String hostCidr, String nsCidr, boolean multihop) throws Exception {
    try (Netns ns = Netns.create(name, hostCidr, nsCidr);
        BfdEngine engine = BfdEngine.builder().build()) {
      String peerLine = " peer " + ns.hostAddress() + (multihop ? " multihop" : "") + " local-address "
          + ns.nsAddress();
      FrrBfdd frr = FrrBfdd.start(ns, "bfd\n" + peerLine + "\n  receive-interval 50\n  transmit-interval 50\n"
          + (multihop ? "  minimum-ttl 254\n" : "") + " !\n!\n");
      BfdSession s = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName(ns.hostAddress()))
          .remoteAddress(InetAddress.getByName(ns.nsAddress()))
          .multihop(multihop)
          .profile(FAST)
          .build());
      CopyOnWriteArrayList<BfdStateChange> events = new CopyOnWriteArrayList<>();
      s.subscribe(events::add);
      Poll.until(Duration.ofSeconds(20), "both sides Up",
          () -> s.state() == SessionState.Up && "up".equals(frr.field("status")),
          () -> s.counters() + "\n" + frr.peers() + "\n" + frr.log());
      // FRR sees our intervals after our poll to 50 ms.
      Poll.until(Duration.ofSeconds(5), "FRR sees 50 ms", () -> "50".equals(frr.field("remote-receive-interval"))
          && "50".equals(frr.field("remote-transmit-interval")), frr::peers);
      assertEquals("3", frr.field("remote-detect-multiplier"));
      // DSCP CS6 (48) on our packets, as on bfdd's: network control, ahead of bulk traffic under congestion
      boolean v6 = hostCidr.contains(":");
      int port = multihop ? 4784 : 3784;
      assertEquals(List.of("48", "48", "48"), dscpOf(ns, ns.hostAddress(), port, v6));
      assertEquals(List.of("48", "48", "48"), dscpOf(ns, ns.nsAddress(), port, v6));

      Poll.until(Duration.ofSeconds(5), "our first poll (1 s -> 50 ms) answered",
          () -> s.counters().pollSequencesCompleted() == s.counters().pollSequencesStarted(), s::toString);
      long polls = s.counters().pollSequencesCompleted();
      long finals = s.counters().finalsSent();
      // Our poll: 50 -> 200 ms on the live session; FRR answers with Final and adopts it, nobody goes Down.
      s.updateProfile(FAST.toBuilder().receiveIntervalMillis(200).transmitIntervalMillis(200).build());
      Poll.until(Duration.ofSeconds(5), "FRR sees 200 ms", () -> "200".equals(frr.field("remote-receive-interval"))
          && "200".equals(frr.field("remote-transmit-interval")), frr::peers);
      Poll.until(Duration.ofSeconds(5), "our poll answered with Final",
          () -> s.counters().pollSequencesCompleted() == polls + 1, () -> s.counters().toString());
      // FRR's poll: it changes its intervals, we answer with Final.
      frr.vtysh("configure terminal", "bfd", peerLine.trim(), "receive-interval 100", "transmit-interval 150");
      Poll.until(Duration.ofSeconds(5), "FRR's new intervals accepted",
          () -> "100".equals(frr.field("receive-interval")) && "up".equals(frr.field("status"))
              && s.counters().finalsSent() > finals, () -> frr.peers() + s.counters());
      // Back to 50 ms for the link cut.
      frr.vtysh("configure terminal", "bfd", peerLine.trim(), "receive-interval 50", "transmit-interval 50");
      s.updateProfile(FAST);
      Poll.until(Duration.ofSeconds(5), "back to 50 ms", () -> "50".equals(frr.field("remote-receive-interval"))
          && "50".equals(frr.field("receive-interval")), frr::peers);
      assertEquals(SessionState.Up, s.state());
      assertEquals("up", frr.field("status"));
      assertEquals(1, s.counters().upTransitions());
      assertEquals(0, s.counters().downTransitions());
      // FRR's packets now come in on the session's own socket, connected to bfdd's source port.
      if (BfdEngine.kernelPrefersConnected(System.getProperty("os.version", ""))) {
        assertEquals(s.remoteAddress(), engine.ownSocketPeer(s).orElseThrow().getAddress());
      }

      // Link cut: detection time 150 ms; allowed 150 + 50 + 100 ms on this shared machine.
      if (hostCidr.contains(":")) {
        // Linux drops IPv6 addresses from a link that goes down unless told to keep them.
        io.speakerkit.testing.Commands.run("sysctl", "-w",
            "net.ipv6.conf." + ns.hostInterface() + ".keep_addr_on_down=1").check();
      }
      events.clear();
      long cut = engine.driver().scheduler().ticker().nanoTime(); // the clock atNanos() is read on
      ns.setHostLink(false);
      // the change is heard after state() already says Down (subscribers run after the change is made): wait for it
      Poll.until(Duration.ofSeconds(3), "Down after the cut, heard",
          () -> s.state() == SessionState.Down && !events.isEmpty(), events::toString);
      BfdStateChange down = events.get(0);
      assertEquals(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, down.diagnostic());
      long ms = (down.atNanos() - cut) / 1_000_000;
      assertTrue(ms <= 150 + 50 + 100, "detected after " + ms + " ms");
      System.out.println("[bfd] " + name + " link cut detected after " + ms + " ms (detection time 150 ms)");
      ns.setHostLink(true);
      Poll.until(Duration.ofSeconds(20), "Up again after the link returns",
          () -> s.state() == SessionState.Up && "up".equals(frr.field("status")), frr::peers);
    }
  }
}
