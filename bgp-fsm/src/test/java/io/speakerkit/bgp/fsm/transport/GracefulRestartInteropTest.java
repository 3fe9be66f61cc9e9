package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 4724 against FRR as the helper: our speaker process is killed with SIGKILL (no NOTIFICATION), FRR keeps our
 * routes marked stale; the restarted speaker (R bit set) sends them again and its End-of-RIB clears the stale marks.
 */
class GracefulRestartInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void speakerKilled_frrKeepsStale_restartClearsStale() throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh");
    try (Netns ns = Netns.create("skfsmgr", "10.253.4.1/30", "10.253.4.2/30")) {
      File dir = ns.dir();
      Files.writeString(new File(dir, "bgpd.conf").toPath(), """
          frr defaults traditional
          log file %s/bgpd.log
          router bgp 65202
           bgp router-id 10.253.4.2
           bgp graceful-restart
           no bgp ebgp-requires-policy
           neighbor 10.253.4.1 remote-as 65201
           neighbor 10.253.4.1 timers connect 2
          """.formatted(dir.getAbsolutePath()));
      ns.start(new File(dir, "bgpd.out"), "/usr/lib/frr/bgpd", "-f", dir + "/bgpd.conf", "-i", dir + "/bgpd.pid",
          "--vty_socket", dir.getAbsolutePath(), "-Z", "-n", "-S", "-p", "179");
      Poll.until(LIMIT, "bgpd", () -> vtysh(dir, "show version").exitCode() == 0, () -> "");

      Process first = speaker(dir, "first", false);
      try {
        Poll.until(LIMIT, "routes on FRR", () -> route(dir).contains("\"paths\"") && !route(dir).contains("stale"),
            () -> route(dir) + log(dir, "first"));
        first.destroyForcibly(); // SIGKILL: no NOTIFICATION, the kernel just closes the socket
        first.waitFor();
        Poll.until(LIMIT, "FRR keeps our routes as stale", () -> route(dir).contains("\"stale\":true"),
            () -> route(dir) + vtysh(dir, "show bgp neighbors 10.253.4.1 json").stdout());
      } finally {
        first.destroyForcibly();
      }
      Process second = speaker(dir, "second", true);
      try {
        Poll.until(LIMIT, "stale marks cleared by our End-of-RIB",
            () -> route(dir).contains("\"paths\"") && !route(dir).contains("\"stale\":true"),
            () -> route(dir) + log(dir, "second"));
        String n = vtysh(dir, "show bgp neighbors 10.253.4.1 json").stdout().replaceAll("\\s+", "");
        assertTrue(n.contains("\"endOfRibRecv\":{\"ipv4Unicast\":true}"), n);
        assertTrue(n.contains("\"rBit\":true"), n);
        assertTrue(vtysh(dir, "show bgp ipv4 unicast 198.51.100.42/32 json").stdout().contains("\"paths\""));
      } finally {
        second.destroyForcibly();
        second.waitFor();
      }
    }
  }

  @Test
  void frrKilled_weKeepItsRoutesStale_untilItsEndOfRib() throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh");
    try (Netns ns = Netns.create("skfsmgrh", "10.253.6.1/30", "10.253.6.2/30")) {
      File dir = ns.dir();
      String[] bgpd = frrAnnouncing203(ns, true);
      Process frr = ns.start(new File(dir, "bgpd.out"), bgpd);
      Poll.until(LIMIT, "bgpd", () -> vtysh(dir, "show version").exitCode() == 0, () -> "");
      try (BgpTransport t = BgpTransport.builder().build()) {
        RecordingRib ribIn = new RecordingRib(io.speakerkit.timers.EventLoopScheduler.on(t.group().next()));
        BgpSession s = sessionToFrr(t, ns, ribIn, io.speakerkit.bgp.fsm.FsmConfig.builder()
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).gracefulRestart(ipv4Forwarding(false)));
        s.start();
        io.speakerkit.bgp.wire.IpPrefix p = io.speakerkit.bgp.wire.IpPrefix.parse("203.0.113.0/24");
        Poll.until(LIMIT, "FRR's route here", () -> ribIn.get(p).isPresent(), ribIn::toString);
        long pid = Long.parseLong(Files.readString(new File(dir, "bgpd.pid").toPath()).trim());
        Commands.run("kill", "-KILL", Long.toString(pid)).check();
        frr.waitFor();
        Poll.until(LIMIT, "kept as stale", () -> ribIn.staleCount() == 1, ribIn::toString);
        frr = ns.start(new File(dir, "bgpd2.out"), bgpd);
        Poll.until(LIMIT, "refreshed by FRR, End-of-RIB cleared the stale mark",
            () -> ribIn.size() == 1 && ribIn.staleCount() == 0
                && s.state() == io.speakerkit.bgp.fsm.BgpState.Established,
            () -> ribIn + " " + s.lastChange());
        // FRR set the Forwarding State bit (preserve-fw-state): the stale route waited for its End-of-RIB
        assertEquals(List.of("up, 0 stale -> 0", "down, stale [IPv4/unicast]", "up, 1 stale -> 1"), ribIn.events);
      }
    }
  }

  /**
   * RFC 4724 §4.2, the restart we do not see: FRR's old connection vanishes without a FIN or RST reaching us (its
   * address removed while bgpd is killed and its socket destroyed), so our session still looks Established when the
   * restarted bgpd connects again. The new connection ends the old session at once, well inside our 90 s hold time:
   * FRR's route is kept stale across the restart, and deleted when the new session is up because FRR leaves the
   * Forwarding State bit clear by default; FRR then announces it again.
   */
  @Test
  void frrRestartedUnseen_itsNewConnectionEndsOldSession_routesKeptStaleAcrossRestart() throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh", "ss");
    try (Netns ns = Netns.create("skfsmgru", "10.253.9.1/30", "10.253.9.2/30")) {
      File dir = ns.dir();
      String[] bgpd = frrAnnouncing203(ns, false);
      Process frr = ns.start(new File(dir, "bgpd.out"), bgpd);
      Poll.until(LIMIT, "bgpd", () -> vtysh(dir, "show version").exitCode() == 0, () -> "");
      java.net.InetAddress local = java.net.InetAddress.getByName("10.253.9.1");
      try (BgpTransport t = BgpTransport.builder().listen(new java.net.InetSocketAddress(local, 179)).build()
          .start()) {
        RecordingRib ribIn = new RecordingRib(io.speakerkit.timers.EventLoopScheduler.on(t.group().next()));
        BgpSession s = sessionToFrr(t, ns, ribIn,
            io.speakerkit.bgp.fsm.FsmConfig.builder().gracefulRestart(ipv4Forwarding(false)));
        s.start();
        io.speakerkit.bgp.wire.IpPrefix p = io.speakerkit.bgp.wire.IpPrefix.parse("203.0.113.0/24");
        Poll.until(LIMIT, "FRR's route here", () -> ribIn.get(p).isPresent(), ribIn::toString);

        // Without its address the namespace neither sends bgpd's FIN or RST (no route) nor answers our segments
        // with a RST (not addressed to it); ss -K then removes the killed bgpd's socket, which would send its FIN
        // again. (Taking either end of the veth down still lets both through.)
        ns.inside("ip", "addr", "del", "10.253.9.2/30", "dev", ns.nsInterface()).check();
        long pid = Long.parseLong(Files.readString(new File(dir, "bgpd.pid").toPath()).trim());
        Commands.run("kill", "-KILL", Long.toString(pid)).check();
        frr.waitFor();
        ns.inside("ss", "-K", "dst", "10.253.9.1").check();
        ns.inside("ip", "addr", "add", "10.253.9.2/30", "dev", ns.nsInterface()).check();
        assertTrue(s.state() == io.speakerkit.bgp.fsm.BgpState.Established, "no sign of the restart yet");

        frr = ns.start(new File(dir, "bgpd2.out"), bgpd);
        Poll.until(LIMIT, "the old session ended by the new connection, FRR's route refreshed",
            () -> ribIn.events.size() == 3 && ribIn.size() == 1 && ribIn.staleCount() == 0
                && s.state() == io.speakerkit.bgp.fsm.BgpState.Established,
            () -> ribIn.events + " " + ribIn + " " + s.lastChange());
        // kept stale across the restart; FRR's Forwarding State bit is clear by default, so the stale route went
        // when the new session came up, before FRR announced it again
        assertEquals(List.of("up, 0 stale -> 0", "down, stale [IPv4/unicast]", "up, 1 stale -> 0"), ribIn.events);
        String n = vtysh(dir, "show bgp neighbors 10.253.9.1 json").stdout().replaceAll("\\s+", "");
        assertTrue(n.contains("\"bgpState\":\"Established\""), n);
      } finally {
        frr.destroyForcibly();
      }
    }
  }

  /**
   * RFC 8538 against FRR 8.4, which sets the N bit: with ours set too, the NOTIFICATION our hold timer sends while
   * bgpd is stopped (SIGSTOP) ends the session gracefully, so FRR's route stays here, stale, until FRR's End-of-RIB
   * after the session is back. Without the N bit that NOTIFICATION would have deleted it.
   */
  @Test
  void notificationBit_ourHoldTimerNotification_frrRouteKeptStaleUntilItsEndOfRib() throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh");
    try (Netns ns = Netns.create("skfsmgrn", "10.253.11.1/30", "10.253.11.2/30")) {
      File dir = ns.dir();
      String[] bgpd = frrAnnouncing203(ns, true);
      Process frr = ns.start(new File(dir, "bgpd.out"), bgpd);
      Poll.until(LIMIT, "bgpd", () -> vtysh(dir, "show version").exitCode() == 0, () -> "");
      try (BgpTransport t = BgpTransport.builder().build()) {
        RecordingRib ribIn = new RecordingRib(io.speakerkit.timers.EventLoopScheduler.on(t.group().next()));
        BgpSession s = sessionToFrr(t, ns, ribIn, io.speakerkit.bgp.fsm.FsmConfig.builder()
            .holdTime(Duration.ofSeconds(3)).backoff(Duration.ofMillis(500), Duration.ofSeconds(2))
            .gracefulRestart(ipv4Forwarding(true)));
        s.start();
        io.speakerkit.bgp.wire.IpPrefix p = io.speakerkit.bgp.wire.IpPrefix.parse("203.0.113.0/24");
        Poll.until(LIMIT, "FRR's route here", () -> ribIn.get(p).isPresent(), ribIn::toString);
        assertTrue(s.negotiated().orElseThrow().peerGracefulRestart().orElseThrow().notification(), "FRR's N bit");
        String n = vtysh(dir, "show bgp neighbors 10.253.11.1 json").stdout().replaceAll("\\s+", "");
        assertTrue(n.contains("\"nBit\":true"), n);

        long pid = Long.parseLong(Files.readString(new File(dir, "bgpd.pid").toPath()).trim());
        Commands.run("kill", "-STOP", Long.toString(pid)).check();
        try {
          Poll.until(LIMIT, "our hold timer expires, FRR's route kept stale",
              () -> s.state() != io.speakerkit.bgp.fsm.BgpState.Established && ribIn.staleCount() == 1,
              () -> ribIn + " " + s.lastChange());
          assertTrue(s.lastChange().orElseThrow().cause().toString().contains("Hold Timer Expired"),
              () -> "" + s.lastChange());
        } finally {
          Commands.run("kill", "-CONT", Long.toString(pid)).check();
        }
        Poll.until(LIMIT, "back, FRR's End-of-RIB cleared the stale mark",
            () -> s.state() == io.speakerkit.bgp.fsm.BgpState.Established && ribIn.size() == 1
                && ribIn.staleCount() == 0,
            () -> ribIn + " " + s.lastChange());
        assertEquals(List.of("up, 0 stale -> 0", "down, stale [IPv4/unicast]", "up, 1 stale -> 1"),
            ribIn.events.subList(0, 3));
      } finally {
        frr.destroyForcibly();
      }
    }
  }

  /**
   * Our session (AS 65201, from the namespace's host address) toward the FRR of {@link #frrAnnouncing203} in
   * {@code ns}, its routes into {@code ribIn}; {@code config} adds the rest.
   */
  private static BgpSession sessionToFrr(BgpTransport t, Netns ns, RecordingRib ribIn,
      io.speakerkit.bgp.fsm.FsmConfig.Builder config) throws java.net.UnknownHostException {
    return BgpSession.builder().transport(t)
        .peer(java.net.InetAddress.getByName(ns.nsAddress()))
        .localAddress(java.net.InetAddress.getByName(ns.hostAddress()))
        .config(config.localAs(65201).peerAs(65202)
            .bgpIdentifier(io.speakerkit.bgp.fsm.BgpIdentifier.parse(ns.hostAddress())).build())
        .routeListener(ribIn)
        .build();
  }

  /** Our graceful restart capability: 120 s, forwarding kept for IPv4 unicast, the N bit as asked. */
  private static io.speakerkit.bgp.fsm.GracefulRestart ipv4Forwarding(boolean notification) {
    return new io.speakerkit.bgp.fsm.GracefulRestart(false, 120,
        java.util.Map.of(io.speakerkit.bgp.wire.AddressFamily.IPV4_UNICAST, true), notification);
  }

  /**
   * Writes the configuration of an FRR (AS 65202, graceful restart, F bit per {@code preserveForwarding}) that
   * announces 203.0.113.0/24 to us (AS 65201) and returns the command that starts its bgpd in {@code ns}.
   */
  private static String[] frrAnnouncing203(Netns ns, boolean preserveForwarding) throws java.io.IOException {
    File dir = ns.dir();
    Files.writeString(new File(dir, "bgpd.conf").toPath(), """
        frr defaults traditional
        log file %s/bgpd.log
        router bgp 65202
         bgp router-id %s
         bgp graceful-restart
        %s
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor %s remote-as 65201
         neighbor %s timers connect 2
         address-family ipv4 unicast
          network 203.0.113.0/24
         exit-address-family
        """.formatted(dir.getAbsolutePath(), ns.nsAddress(),
        preserveForwarding ? " bgp graceful-restart preserve-fw-state" : "", ns.hostAddress(), ns.hostAddress()));
    return new String[] {"/usr/lib/frr/bgpd", "-f", dir + "/bgpd.conf", "-i", dir + "/bgpd.pid", "--vty_socket",
        dir.getAbsolutePath(), "-Z", "-n", "-S", "-p", "179"};
  }

  /** An {@link AdjRibIn} that records each session up and down with its stale routes. */
  private static final class RecordingRib implements RouteListener {
    final AdjRibIn rib;
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    RecordingRib(io.speakerkit.timers.Scheduler scheduler) {
      rib = new AdjRibIn(scheduler);
    }

    @Override
    public void onUpdate(BgpSession session, io.speakerkit.bgp.wire.UpdateMessage update) {
      rib.onUpdate(session, update);
    }

    @Override
    public void onSessionDown(BgpSession session, java.util.Set<io.speakerkit.bgp.wire.AddressFamily> staleFamilies,
        Duration restartTime) {
      rib.onSessionDown(session, staleFamilies, restartTime);
      events.add("down, stale " + staleFamilies);
    }

    @Override
    public void onSessionUp(BgpSession session, io.speakerkit.bgp.fsm.NegotiatedSession negotiated) {
      long before = rib.staleCount();
      rib.onSessionUp(session, negotiated);
      events.add("up, " + before + " stale -> " + rib.staleCount());
    }

    int size() {
      return rib.size();
    }

    long staleCount() {
      return rib.staleCount();
    }

    java.util.Optional<AdjRibIn.Route> get(io.speakerkit.bgp.wire.IpPrefix prefix) {
      return rib.get(prefix);
    }

    @Override
    public String toString() {
      return rib.toString();
    }
  }

  private static Process speaker(File dir, String name, boolean restarting) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(GrSpeakerMain.class.getName());
    cmd.addAll(List.of("10.253.4.1", "10.253.4.2", Boolean.toString(restarting), "198.51.100.41/32",
        "198.51.100.42/32"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(dir, name + ".log")).start();
  }

  private static String log(File dir, String name) {
    try {
      return "\n" + Files.readString(new File(dir, name + ".log").toPath());
    } catch (Exception e) {
      return "";
    }
  }

  private static String route(File dir) {
    return vtysh(dir, "show bgp ipv4 unicast 198.51.100.41/32 json").stdout().replaceAll("\\s+", "");
  }

  private static Commands.Result vtysh(File dir, String command) {
    return Commands.run(Duration.ofSeconds(10), "vtysh", "--vty_socket", dir.getAbsolutePath(), "-d", "bgpd", "-c",
        command);
  }
}
