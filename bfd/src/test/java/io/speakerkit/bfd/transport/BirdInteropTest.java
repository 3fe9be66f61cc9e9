package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bfd.AuthType;
import io.speakerkit.bfd.BfdAuthentication;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Against BIRD 2.0: every authentication scheme BIRD offers (none, simple, keyed MD5/SHA1 and their meticulous
 * variants) comes Up; a wrong key never does; a link cut is detected.
 */
class BirdInteropTest {

  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  @Test
  void everyAuthType_upWithSameKey_neverUpWithWrongKey() throws Exception {
    Commands.require("bird", "birdc");
    try (Netns ns = Netns.create("skbfdbird", "10.252.4.1/24", "10.252.4.2/24");
        BfdEngine engine = BfdEngine.builder().build()) {
      InetAddress local = InetAddress.getByName(ns.hostAddress());
      InetAddress remote = InetAddress.getByName(ns.nsAddress());
      String[][] birdAuth = {
          {"none", null},
          {"simple", "SIMPLE_PASSWORD"},
          {"keyed md5", "KEYED_MD5"},
          {"keyed sha1", "KEYED_SHA1"},
          {"meticulous keyed md5", "METICULOUS_KEYED_MD5"},
          {"meticulous keyed sha1", "METICULOUS_KEYED_SHA1"},
      };
      int n = 0;
      for (String[] a : birdAuth) {
        n++;
        AuthType type = a[1] == null ? AuthType.NONE : AuthType.valueOf(a[1]);
        BfdAuthentication good = type == AuthType.NONE ? BfdAuthentication.NONE
            : BfdAuthentication.of(type, 5, "sesame" + n);
        Bird bird = Bird.start(ns, "run" + n, a[0], 5, "sesame" + n);
        try {
          BfdSession s = engine.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(remote)
              .profile(FAST).authentication(good).build());
          Poll.until(Duration.ofSeconds(20), a[0] + ": both Up",
              () -> s.state() == SessionState.Up && "Up".equals(bird.state()),
              () -> s.counters() + "\n" + bird.sessions());
          assertEquals(0, s.counters().discardedAuthentication());
          // BIRD has adopted our 50 ms after the poll: its timeout is 3 x 50 ms.
          Poll.until(Duration.ofSeconds(5), a[0] + ": BIRD's interval 0.050", () -> bird.sessions().contains("0.050"),
              bird::sessions);
          s.close();
          Poll.until(Duration.ofSeconds(5), a[0] + ": BIRD Down after we leave", () -> !"Up".equals(bird.state()),
              bird::sessions);
          if (type != AuthType.NONE) {
            // Same scheme, wrong key: nothing ever comes Up (well past the 1 s slow-start period).
            BfdSession bad = engine.createSession(BfdSessionConfig.builder().localAddress(local)
                .remoteAddress(remote).profile(FAST).authentication(BfdAuthentication.of(type, 5, "wrong" + n))
                .build());
            Poll.until(Duration.ofSeconds(10), a[0] + ": our discards for authentication",
                () -> bad.counters().discardedAuthentication() >= 3, () -> bad.counters().toString());
            assertEquals(SessionState.Down, bad.state());
            assertEquals(0, bad.counters().upTransitions());
            assertTrue(!"Up".equals(bird.state()) && !"Init".equals(bird.state()), bird.sessions());
            bad.close();
          }
        } finally {
          bird.stop();
        }
      }
    }
  }

  @Test
  void linkCut_detected() throws Exception {
    Commands.require("bird", "birdc");
    try (Netns ns = Netns.create("skbfdbirdc", "10.252.5.1/24", "10.252.5.2/24");
        BfdEngine engine = BfdEngine.builder().build()) {
      Bird bird = Bird.start(ns, "cut", "none", 1, "x");
      BfdSession s = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName(ns.hostAddress())).remoteAddress(InetAddress.getByName(ns.nsAddress()))
          .profile(FAST).build());
      java.util.concurrent.CopyOnWriteArrayList<io.speakerkit.bfd.BfdStateChange> events =
          new java.util.concurrent.CopyOnWriteArrayList<>();
      s.subscribe(events::add);
      Poll.until(Duration.ofSeconds(20), "both Up", () -> s.state() == SessionState.Up && "Up".equals(bird.state()),
          bird::sessions);
      Poll.until(Duration.ofSeconds(5), "BIRD at 50 ms", () -> bird.sessions().contains("0.050"), bird::sessions);
      // BIRD's packets now come in on the session's own socket, connected to BIRD's source port.
      if (BfdEngine.kernelPrefersConnected(System.getProperty("os.version", ""))) {
        assertTrue(engine.ownSocketPeer(s).isPresent());
      }
      events.clear();
      long cut = engine.driver().scheduler().ticker().nanoTime(); // the clock atNanos() is read on
      ns.setHostLink(false);
      // the change is heard after state() already says Down (subscribers run after the change is made): wait for it
      Poll.until(Duration.ofSeconds(3), "Down after the cut, heard",
          () -> s.state() == SessionState.Down && !events.isEmpty(), events::toString);
      long ms = (events.get(0).atNanos() - cut) / 1_000_000;
      System.out.println("[bfd] BIRD link cut detected after " + ms + " ms (detection time 150 ms)");
      assertTrue(ms <= 150 + 50 + 100, "detected after " + ms + " ms");
      bird.stop();
    }
  }

  /**
   * RFC 5881 §3: the same link-local pair on two links (as on unnumbered fabric links) is two sessions, each on its
   * own interface: both come Up with their BIRD, and cutting one link takes down only its session.
   */
  @Test
  void linkLocal_samePairOnTwoLinks_independentSessions() throws Exception {
    Commands.require("bird", "birdc");
    try (Netns ns1 = Netns.create("skbfdll1", "fe80::b/64", "fe80::a/64");
        Netns ns2 = Netns.create("skbfdll2", "fe80::b/64", "fe80::a/64");
        BfdEngine engine = BfdEngine.builder().build()) {
      Bird bird1 = Bird.start(ns1, "ll", "none", 1, "x");
      Bird bird2 = Bird.start(ns2, "ll", "none", 1, "x");
      BfdSession s1 = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName("fe80::b%" + ns1.hostInterface()))
          .remoteAddress(InetAddress.getByName("fe80::a%" + ns1.hostInterface())).profile(FAST).build());
      BfdSession s2 = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName("fe80::b%" + ns2.hostInterface()))
          .remoteAddress(InetAddress.getByName("fe80::a%" + ns2.hostInterface())).profile(FAST).build());
      Poll.until(Duration.ofSeconds(20), "both links Up",
          () -> s1.state() == SessionState.Up && s2.state() == SessionState.Up
              && "Up".equals(bird1.state()) && "Up".equals(bird2.state()),
          () -> s1.counters() + "\n" + s2.counters() + "\n" + bird1.sessions() + bird2.sessions());
      assertTrue(s1.remoteDiscriminator() != 0 && s2.remoteDiscriminator() != 0);
      ns1.setHostLink(false);
      Poll.until(Duration.ofSeconds(3), "link 1 Down", () -> s1.state() == SessionState.Down);
      long until = System.nanoTime() + 1_000_000_000L; // well past link 2's detection time of 150 ms
      Poll.until(Duration.ofSeconds(3), "1 s after the cut", () -> System.nanoTime() > until);
      assertEquals(SessionState.Up, s2.state());
      assertEquals(0, s2.counters().downTransitions());
      assertEquals("Up", bird2.state(), bird2.sessions());
      bird1.stop();
      bird2.stop();
    }
  }

  /** BIRD in the namespace, one BFD neighbor with the interface's authentication. */
  static final class Bird {
    final Netns ns;
    final File dir;
    Process process;

    private Bird(Netns ns, File dir) {
      this.ns = ns;
      this.dir = dir;
    }

    static Bird start(Netns ns, String tag, String auth, int keyId, String password) throws Exception {
      File dir = new File(ns.dir(), "bird-" + tag);
      dir.mkdirs();
      Bird b = new Bird(ns, dir);
      String authLines = auth.equals("none") ? "    authentication none;\n"
          : "    authentication " + auth + ";\n    password \"" + password + "\" { id " + keyId + "; };\n";
      String routerId = ns.nsAddress().contains(":") ? "10.252.99.1" : ns.nsAddress();
      String conf = "router id " + routerId + ";\n"
          + "log \"" + dir + "/bird.log\" all;\n"
          + "protocol device { }\n"
          + "protocol bfd bfd1 {\n"
          + "  interface \"" + ns.nsInterface() + "\" {\n"
          + "    min rx interval 50 ms;\n    min tx interval 50 ms;\n    multiplier 3;\n"
          + authLines
          + "  };\n"
          + "  neighbor " + ns.hostAddress() + " dev \"" + ns.nsInterface() + "\" local " + ns.nsAddress() + ";\n"
          + "}\n";
      File confFile = new File(dir, "bird.conf");
      Files.writeString(confFile.toPath(), conf);
      b.process = ns.start(new File(dir, "out.log"), "bird", "-f", "-c", confFile.getPath(), "-s",
          dir + "/ctl.sock", "-P", dir + "/bird.pid");
      Poll.until(Duration.ofSeconds(15), "bird control socket", () -> b.sessions().contains("bfd1"), () -> conf
          + b.sessions() + b.log());
      return b;
    }

    String sessions() {
      return ns.inside("birdc", "-s", dir + "/ctl.sock", "show", "bfd", "sessions").stdout();
    }

    /** The State column of the neighbor's row. */
    String state() {
      Matcher m = Pattern.compile(Pattern.quote(ns.hostAddress()) + "\\s+\\S+\\s+(\\S+)").matcher(sessions());
      return m.find() ? m.group(1) : null;
    }

    String log() {
      try {
        File f = new File(dir, "bird.log");
        File out = new File(dir, "out.log");
        return (f.exists() ? Files.readString(f.toPath()) : "") + (out.exists() ? Files.readString(out.toPath()) : "");
      } catch (java.io.IOException e) {
        return e.toString();
      }
    }

    void stop() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
