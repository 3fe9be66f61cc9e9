package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BfdDriverTest {

  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  @Test
  void pair_comesUpAndStaysUp() {
    Wire w = new Wire(1);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[0].state());
    assertEquals(SessionState.Up, s[1].state());
    assertEquals(s[1].localDiscriminator(), s[0].remoteDiscriminator());
    long out = s[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(10));
    assertEquals(SessionState.Up, s[0].state());
    long sent = s[0].counters().controlPacketsOut() - out;
    // 50 ms with 75-100% jitter: between 200 and 267 packets in 10 s.
    assertTrue(sent >= 195 && sent <= 270, "sent " + sent);
    assertEquals(1, s[0].counters().upTransitions());
    assertEquals(0, s[0].counters().downTransitions());
  }

  @Test
  void linkCut_detectedWithinDetectionTime_diag1() {
    Wire w = new Wire(2);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    List<BfdStateChange> events = new ArrayList<>();
    s[0].subscribe(events::add);
    long cutAt = w.scheduler.nanoTime();
    w.cut = true;
    w.run(Duration.ofMillis(400));
    assertEquals(SessionState.Down, s[0].state());
    assertEquals(1, events.size());
    BfdStateChange e = events.get(0);
    assertEquals(SessionState.Up, e.oldState());
    assertEquals(SessionState.Down, e.newState());
    assertEquals(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, e.diagnostic());
    assertTrue(e.isUpToDown());
    long detection = e.atNanos() - cutAt;
    // Detection time 150 ms counted from the last packet, which left at most one interval before the cut.
    assertTrue(detection <= 150_000_000 && detection > 150_000_000 - 50_000_000, "detected after " + detection);
    assertEquals(0, s[0].remoteDiscriminator());
    w.cut = false;
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[0].state());
  }

  @Test
  void listenerThrows_loggedOthersStillCalled() {
    Wire w = new Wire(3);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    List<BfdStateChange> events = new ArrayList<>();
    s[0].subscribe(e -> {
      throw new IllegalStateException("listener failure (expected by the test)");
    });
    BfdSession.Subscription sub = s[0].subscribe(events::add);
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[0].state());
    assertTrue(events.size() >= 1);
    sub.close();
    int n = events.size();
    w.cut = true;
    w.run(Duration.ofSeconds(1));
    assertEquals(n, events.size());
  }

  @Test
  void updateProfile_liveSession_pollSequenceAcceptedBothSides() {
    Wire w = new Wire(4);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    BfdProfile slower = FAST.toBuilder().transmitIntervalMillis(200).receiveIntervalMillis(200).build();
    s[0].updateProfile(slower);
    w.run(Duration.ofSeconds(2));
    DriverSession a = (DriverSession) s[0];
    DriverSession b = (DriverSession) s[1];
    assertEquals(false, a.fsm().pollActive());
    assertEquals(200_000, a.fsm().transmitIntervalMicros());
    assertEquals(200_000, b.fsm().transmitIntervalMicros());
    assertEquals(3 * 200_000, b.fsm().detectionTimeMicros());
    assertEquals(SessionState.Up, s[0].state());
    assertEquals(SessionState.Up, s[1].state());
    assertEquals(1, s[0].counters().upTransitions());
  }

  @Test
  void discriminators_uniqueAndNonZero() {
    Wire w = new Wire(5);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      BfdSession s = w.a.createSession(BfdSessionConfig.builder().localAddress(w.addrA)
          .remoteAddress(addr("10.252.1." + (i % 250), i / 250)).build());
      assertNotEquals(0, s.localDiscriminator());
      assertTrue(seen.add(s.localDiscriminator()));
    }
  }

  @Test
  void duplicateSession_refused() {
    Wire w = new Wire(6);
    w.pair(FAST, FAST, BfdAuthentication.NONE);
    assertThrows(IllegalArgumentException.class, () -> w.a.createSession(
        BfdSessionConfig.builder().localAddress(w.addrA).remoteAddress(w.addrB).build()));
  }

  @Test
  void manySessions_noFalseDown() {
    Wire w = new Wire(7);
    List<BfdSession[]> pairs = new ArrayList<>();
    int[] downs = new int[1];
    for (int i = 0; i < 200; i++) {
      InetAddress la = addr("10.252.2." + (i % 250), 0);
      InetAddress lb = addr("10.252.3." + (i % 250), 0);
      BfdSession[] p = w.pair(la, lb, FAST);
      p[0].subscribe(e -> downs[0] += e.isUpToDown() ? 1 : 0);
      pairs.add(p);
    }
    w.run(Duration.ofSeconds(60));
    for (BfdSession[] p : pairs) {
      assertEquals(SessionState.Up, p[0].state());
      assertEquals(SessionState.Up, p[1].state());
    }
    assertEquals(0, downs[0]);
  }

  @Test
  void timerSlack_manySessions_periodicTickOnGrid_lateAtMostSlack() {
    Wire w = new Wire(11);
    w.a.timerSlack(Duration.ofMillis(1));
    w.b.timerSlack(Duration.ofMillis(1));
    List<BfdSession[]> pairs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      pairs.add(w.pair(addr("10.252.1." + i, 0), addr("10.252.2." + i, 0), FAST));
    }
    w.run(Duration.ofSeconds(5));
    assertTrue(w.a.ticking() && w.b.ticking(), "dense deadlines: the periodic timer runs");
    for (BfdSession[] p : pairs) {
      assertEquals(SessionState.Up, p[0].state());
      assertEquals(0, p[0].counters().downTransitions());
      assertTrue(p[0].counters().txLatenessMaxNanos() <= 1_000_000, p[0].counters().toString());
    }
    for (BfdSession[] p : pairs) {
      p[0].close();
      p[1].close();
    }
    w.run(Duration.ofSeconds(1));
    assertFalse(w.a.ticking() || w.b.ticking(), "no deadlines: the periodic timer stopped");
    assertEquals(0, w.scheduler.pendingTasks());
  }

  @Test
  void timerSlack_oneSlowSession_oneShotTimers() {
    Wire w = new Wire(12);
    w.a.timerSlack(Duration.ofMillis(1));
    w.b.timerSlack(Duration.ofMillis(1));
    BfdProfile slow = BfdProfile.builder().receiveIntervalMillis(1000).transmitIntervalMillis(1000).build();
    BfdSession[] s = w.pair(slow, slow, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(10));
    assertEquals(SessionState.Up, s[0].state());
    assertFalse(w.a.ticking(), "sparse deadlines: one-shot timers");
    long out = s[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(20));
    assertEquals(0, s[0].counters().downTransitions());
    assertTrue(s[0].counters().controlPacketsOut() - out >= 19, s[0].counters().toString());
    assertTrue(s[0].counters().txLatenessMaxNanos() <= 1_000_000, s[0].counters().toString());
  }

  @Test
  void close_stopsTransmission() {
    Wire w = new Wire(8);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    s[0].close();
    w.run(Duration.ofMillis(500));
    assertEquals(SessionState.Down, s[1].state());
    assertEquals(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, s[1].localDiagnostic());
  }

  @Test
  void adminDown_peerSeesDiag3() {
    Wire w = new Wire(9);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    s[0].adminDown();
    w.run(Duration.ofSeconds(2));
    assertEquals(SessionState.AdminDown, s[0].state());
    assertEquals(SessionState.Down, s[1].state());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, s[1].localDiagnostic());
    s[0].enable();
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[1].state());
  }

  /** Slow timers: the peer's Detection Time (3 x 2 s) is longer than the two-second minimum, and counts. */
  @Test
  void adminDownThenClose_sendsAdminDownForThePeersDetectionTime_thenStops() {
    Wire w = new Wire(30);
    BfdProfile slow = BfdProfile.builder().receiveIntervalMillis(2000).transmitIntervalMillis(2000).build();
    BfdSession[] s = w.pair(slow, slow, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(20));
    assertEquals(SessionState.Up, s[1].state());
    long before = s[0].counters().controlPacketsOut();
    s[0].adminDownThenClose();
    w.run(Duration.ofMillis(6_000));
    assertEquals(SessionState.AdminDown, s[0].state());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, s[1].localDiagnostic());
    long closedAt = s[0].counters().controlPacketsOut();
    // one every 1.5-2 s (RFC 5880 §6.8.7 jitter) for 6 s, not one or two for the two-second minimum
    assertTrue(closedAt - before >= 3, "AdminDown packets sent: " + (closedAt - before));
    w.run(Duration.ofSeconds(10));
    assertEquals(closedAt, s[0].counters().controlPacketsOut(), "still sending after the peer's Detection Time");
  }

  /** The first AdminDown packet lost: another reaches the peer before its Detection Time, so it sees diagnostic 3. */
  @Test
  void adminDownThenClose_firstPacketLost_peerStillSeesAdminDown() {
    Wire w = new Wire(31);
    BfdProfile slow = BfdProfile.builder().receiveIntervalMillis(2000).transmitIntervalMillis(2000).build();
    BfdSession[] s = w.pair(slow, slow, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(20));
    long out = s[0].counters().controlPacketsOut();
    s[0].adminDownThenClose();
    w.cut = true;
    while (s[0].counters().controlPacketsOut() == out) {
      w.run(Duration.ofMillis(10));
    }
    w.cut = false;
    w.run(Duration.ofSeconds(10));
    assertEquals(SessionState.Down, s[1].state());
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, s[1].localDiagnostic());
  }

  /** Fast timers: AdminDown for the two-second minimum, not just the 150 ms Detection Time. */
  @Test
  void adminDownThenClose_fastTimers_holdsTwoSeconds_closeEndsItAtOnce() {
    Wire w = new Wire(32);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    s[0].adminDownThenClose();
    w.run(Duration.ofMillis(1_500));
    long out = s[0].counters().controlPacketsOut();
    w.run(Duration.ofMillis(1_000));
    assertTrue(s[0].counters().controlPacketsOut() > out, "stopped before two seconds");
    long closedAt = s[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(5));
    assertEquals(closedAt, s[0].counters().controlPacketsOut());

    BfdSession[] again = w.pair(addr("10.252.32.1", 0), addr("10.252.32.2", 0), FAST);
    w.run(Duration.ofSeconds(5));
    again[0].adminDownThenClose();
    again[0].close();
    long atClose = again[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(3));
    assertEquals(atClose, again[0].counters().controlPacketsOut(), "close() did not end the AdminDown hold");
  }

  @Test
  void receive_ourDiscriminatorFromWrongAddress_notAccepted() {
    Wire w = new Wire(10);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    long in = s[0].counters().controlPacketsIn();
    ControlPacket p = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, 99,
        s[0].localDiscriminator(), 1_000_000, 50_000);
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    p.encode(buf);
    long unmatched = w.a.unmatchedDiscarded();
    w.a.receive(buf, w.addrA, addr("10.252.9.9", 0), false);
    buf.release();
    assertEquals(SessionState.Up, s[0].state());
    assertEquals(unmatched + 1, w.a.unmatchedDiscarded());
    assertEquals(in, s[0].counters().controlPacketsIn());
  }

  @Test
  void receive_unknownDiscriminatorFromPeer_countedOnSession() {
    Wire w = new Wire(11);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    ControlPacket p = ControlPacket.of(SessionState.Up, Diagnostic.NO_DIAGNOSTIC, false, false, 3, 99,
        s[0].localDiscriminator() + 1, 50_000, 50_000);
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    p.encode(buf);
    w.a.receive(buf, w.addrA, w.addrB, false);
    buf.release();
    assertEquals(1, s[0].counters().discardedUnknownDiscriminator());
    assertEquals(SessionState.Up, s[0].state());
  }

  /**
   * RFC 5881 §3: a link-local session is identified by its interface as well. The same link-local pair on two links
   * (as on unnumbered fabric links) makes two sessions, each fed by its own link's packets.
   */
  @Test
  void linkLocal_sameAddressesOnTwoLinks_twoIndependentSessions() throws Exception {
    Wire w = new Wire(12);
    byte[] one = InetAddress.getByName("fe80::1").getAddress();
    byte[] two = InetAddress.getByName("fe80::2").getAddress();
    BfdSession[] link1 = w.pair(java.net.Inet6Address.getByAddress(null, one, 1),
        java.net.Inet6Address.getByAddress(null, two, 1), FAST);
    BfdSession[] link2 = w.pair(java.net.Inet6Address.getByAddress(null, one, 2),
        java.net.Inet6Address.getByAddress(null, two, 2), FAST);
    w.run(Duration.ofSeconds(5));
    for (BfdSession s : new BfdSession[] {link1[0], link1[1], link2[0], link2[1]}) {
      assertEquals(SessionState.Up, s.state(), s.toString());
    }
    assertEquals(link1[1].localDiscriminator(), link1[0].remoteDiscriminator());
    assertEquals(link2[1].localDiscriminator(), link2[0].remoteDiscriminator());
    assertEquals(0, w.a.unmatchedDiscarded());
    // The same addresses on the same link stay one session.
    assertThrows(IllegalArgumentException.class, () -> w.a.createSession(BfdSessionConfig.builder()
        .localAddress(java.net.Inet6Address.getByAddress(null, one, 2))
        .remoteAddress(java.net.Inet6Address.getByAddress(null, two, 2)).build()));
  }

  static InetAddress addr(String prefix, int extra) {
    try {
      String[] parts = prefix.split("\\.");
      int third = Integer.parseInt(parts[2]) + extra;
      return InetAddress.getByName(parts[0] + "." + parts[1] + "." + third + "." + parts[3]);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static final BfdProfile FIFTY_MS =
      BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50).build();

  /** A session closed by its own listener (on Down) stops: its timers do not come back. */
  @Test
  void closedFromItsListener_timersStop() {
    Wire w = new Wire(11);
    BfdSession[] s = w.pair(FIFTY_MS, FIFTY_MS, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[0].state());
    s[0].subscribe(c -> {
      if (c.newState() == SessionState.Down) {
        c.session().close();
      }
    });
    w.cut = true;
    w.run(Duration.ofSeconds(1));
    assertEquals(SessionState.Down, s[0].state());
    long out = s[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(10));
    assertEquals(out, s[0].counters().controlPacketsOut(), "a closed session still runs its timers");
  }

  /** updateProfile, adminDown and enable after close change nothing: the session stays without timers. */
  @Test
  void closed_thenUpdateProfileAdminDownEnable_timersStayStopped() {
    Wire w = new Wire(12);
    BfdSession[] s = w.pair(FIFTY_MS, FIFTY_MS, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    s[0].close();
    s[0].updateProfile(FIFTY_MS.toBuilder().transmitIntervalMillis(100).build());
    s[0].adminDown();
    s[0].enable();
    long out = s[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(10));
    assertEquals(out, s[0].counters().controlPacketsOut(), "a closed session still runs its timers");
  }

  /**
   * With timer slack, a listener that reschedules (adminDown) while due deadlines run arms a one-shot timer as the
   * periodic timer starts: the one-shot is cancelled, never left to start a second periodic timer.
   */
  @Test
  void timerSlack_listenerReschedulesWhileDeadlinesRun_onePeriodicTimerAtMost() throws Exception {
    io.speakerkit.timers.ManualScheduler sched = new io.speakerkit.timers.ManualScheduler();
    BfdDriver d = new BfdDriver(sched, new java.util.SplittableRandom(5), new BfdDriver.PacketIo() {
      @Override
      public io.netty.buffer.ByteBuf allocate() {
        return io.netty.buffer.Unpooled.buffer(64);
      }

      @Override
      public void send(BfdSession s, io.netty.buffer.ByteBuf p) {
        p.release();
      }
    });
    d.timerSlack(Duration.ofMillis(1));
    InetAddress local = InetAddress.getByName("10.0.0.1");
    BfdSession a = d.createSession(BfdSessionConfig.builder().localAddress(local)
        .remoteAddress(InetAddress.getByName("10.0.0.2")).profile(FIFTY_MS).build());
    a.subscribe(c -> {
      if (c.newState() == SessionState.Down) {
        c.session().adminDown();
      }
    });
    d.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(InetAddress.getByName("10.0.0.3"))
        .profile(FIFTY_MS).build());
    d.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(InetAddress.getByName("10.0.0.4"))
        .profile(FIFTY_MS).build());
    io.netty.buffer.ByteBuf down = io.netty.buffer.Unpooled.buffer();
    ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, 0x55, 0, 1_000_000, 50_000)
        .encode(down);
    // each goes to Init, detection times 2 ms apart: dense when the first expires
    for (String remote : List.of("10.0.0.2", "10.0.0.3", "10.0.0.4")) {
      d.receive(down, local, InetAddress.getByName(remote), false);
      sched.advance(Duration.ofMillis(2));
    }
    down.release();
    sched.advance(Duration.ofSeconds(20));
    assertEquals(SessionState.AdminDown, a.state());
    assertEquals(1, sched.pendingTasks(), () -> "pending " + sched.pendingDeadlines());
  }

  /**
   * A closed session's discriminator may be given to a new session (RFC 5880 §6.8.1 asks only for uniqueness among
   * live ones): a late call on the closed handle must not send from, or report changes to, the new session.
   */
  @Test
  void closedHandle_discriminatorReused_callsDoNotReachTheNewSession() throws Exception {
    io.speakerkit.timers.ManualScheduler time = new io.speakerkit.timers.ManualScheduler();
    List<BfdSession> sentFrom = new ArrayList<>();
    java.util.random.RandomGenerator sameDiscriminator = new java.util.random.RandomGenerator() {
      @Override
      public long nextLong() {
        return 0x1234_5678_9abcL;
      }

      @Override
      public int nextInt() {
        return 7;
      }
    };
    BfdDriver driver = new BfdDriver(time, sameDiscriminator, new BfdDriver.PacketIo() {
      @Override
      public io.netty.buffer.ByteBuf allocate() {
        return io.netty.buffer.Unpooled.buffer(64);
      }

      @Override
      public void send(BfdSession session, io.netty.buffer.ByteBuf packet) {
        sentFrom.add(session);
        packet.release();
      }
    });
    InetAddress local = InetAddress.getByName("10.252.0.1");
    BfdSession old = driver.createSession(BfdSessionConfig.builder().localAddress(local)
        .remoteAddress(InetAddress.getByName("10.252.0.2")).profile(FAST).build());
    old.close();
    BfdSession next = driver.createSession(BfdSessionConfig.builder().localAddress(local)
        .remoteAddress(InetAddress.getByName("10.252.0.3")).profile(FAST).build());
    assertEquals(old.localDiscriminator(), next.localDiscriminator());
    List<BfdStateChange> events = new ArrayList<>();
    next.subscribe(events::add);
    sentFrom.clear();
    old.adminDown();
    assertEquals(List.of(), sentFrom);
    assertEquals(List.of(), events);
    assertEquals(SessionState.Down, next.state());
  }

  /**
   * RFC 5881 §5 / RFC 5883: a single-hop session only takes packets that came in on the single-hop port (there, TTL
   * 255 was checked). Our discriminator from the peer's address on the multihop port is not the session's.
   */
  @Test
  void receive_ourDiscriminatorOnMultihopPort_notAcceptedBySingleHopSession() {
    Wire w = new Wire(13);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    long in = s[0].counters().controlPacketsIn();
    long unmatched = w.a.unmatchedDiscarded();
    ControlPacket p = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3,
        s[1].localDiscriminator(), s[0].localDiscriminator(), 1_000_000, 50_000);
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    p.encode(buf);
    BfdSession accepted = w.a.receive(buf, w.addrA, w.addrB, true);
    buf.release();
    assertEquals(null, accepted);
    assertEquals(SessionState.Up, s[0].state());
    assertEquals(in, s[0].counters().controlPacketsIn());
    assertEquals(unmatched + 1, w.a.unmatchedDiscarded());
  }

  /**
   * RFC 5881 §3: a link-local session belongs to its link. The right discriminator from the peer's link-local
   * address on another interface is not the session's.
   */
  @Test
  void receive_ourDiscriminatorFromSameLinkLocalAddressOnOtherLink_notAccepted() throws Exception {
    Wire w = new Wire(14);
    byte[] one = InetAddress.getByName("fe80::1").getAddress();
    byte[] two = InetAddress.getByName("fe80::2").getAddress();
    BfdSession[] link1 = w.pair(java.net.Inet6Address.getByAddress(null, one, 1),
        java.net.Inet6Address.getByAddress(null, two, 1), FAST);
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, link1[0].state());
    long in = link1[0].counters().controlPacketsIn();
    ControlPacket p = ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3,
        link1[1].localDiscriminator(), link1[0].localDiscriminator(), 1_000_000, 50_000);
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    p.encode(buf);
    BfdSession accepted = w.a.receive(buf, java.net.Inet6Address.getByAddress(null, one, 2),
        java.net.Inet6Address.getByAddress(null, two, 2), false);
    buf.release();
    assertEquals(null, accepted);
    assertEquals(SessionState.Up, link1[0].state());
    assertEquals(in, link1[0].counters().controlPacketsIn());
  }

  /**
   * A listener that closes the session on Down, run from a packet with the Poll bit: the Final the machine still
   * produces for that packet must not reach the transport, which has already let the session's socket go.
   */
  @Test
  void closedByListenerWhilePacketHandled_finalNotSent() {
    io.speakerkit.timers.ManualScheduler scheduler = new io.speakerkit.timers.ManualScheduler();
    List<BfdSession> sentFor = new ArrayList<>();
    Set<BfdSession> removed = new HashSet<>();
    List<BfdSession> sentAfterRemoval = new ArrayList<>();
    // (a list: it may hold null)
    BfdDriver d = new BfdDriver(scheduler, new java.util.SplittableRandom(3), new BfdDriver.PacketIo() {
      @Override
      public io.netty.buffer.ByteBuf allocate() {
        return io.netty.buffer.Unpooled.buffer(64);
      }

      @Override
      public void send(BfdSession session, io.netty.buffer.ByteBuf packet) {
        packet.release();
        sentFor.add(session);
        if (!removed.isEmpty()) {
          sentAfterRemoval.add(session); // also a send for no session at all (null)
        }
      }

      @Override
      public void sessionRemoved(BfdSession session) {
        removed.add(session);
      }
    });
    InetAddress local = addr("10.252.0.1", 0);
    InetAddress remote = addr("10.252.0.2", 0);
    BfdSession s = d.createSession(BfdSessionConfig.builder().localAddress(local).remoteAddress(remote)
        .profile(FAST).build());
    int peer = 77;
    deliver(d, local, remote, ControlPacket.of(SessionState.Down, Diagnostic.NO_DIAGNOSTIC, false, false, 3, peer, 0,
        1_000_000, 50_000));
    deliver(d, local, remote, ControlPacket.of(SessionState.Up, Diagnostic.NO_DIAGNOSTIC, false, false, 3, peer,
        s.localDiscriminator(), 1_000_000, 50_000));
    assertEquals(SessionState.Up, s.state());
    s.subscribe(c -> {
      if (c.newState() == SessionState.Down) {
        c.session().close();
      }
    });
    deliver(d, local, remote, ControlPacket.of(SessionState.Down, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, true,
        false, 3, peer, s.localDiscriminator(), 1_000_000, 50_000));
    assertTrue(removed.contains(s));
    assertEquals(List.of(), sentAfterRemoval);
  }

  private static void deliver(BfdDriver d, InetAddress local, InetAddress remote, ControlPacket p) {
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    p.encode(buf);
    try {
      d.receive(buf, local, remote, false);
    } finally {
      buf.release();
    }
  }

  /**
   * The transport's drops (the TTL filter of RFC 5881 §5) are counted on the session of the datagram's addresses;
   * other addresses count as unmatched.
   */
  @Test
  void countDiscard_byAddresses_countedOnSession() {
    Wire w = new Wire(15);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    long unmatched = w.a.unmatchedDiscarded();
    w.a.countDiscard(w.addrA, w.addrB, false, DiscardReason.TTL);
    assertEquals(1, s[0].counters().discardedTtl());
    assertEquals(unmatched, w.a.unmatchedDiscarded());
    w.a.countDiscard(w.addrA, w.addrB, true, DiscardReason.TTL);
    assertEquals(1, s[0].counters().discardedTtl());
    assertEquals(unmatched + 1, w.a.unmatchedDiscarded());
  }

  /**
   * The AdminDown hold lasts the peer's Detection Time: our Detect Mult times the interval we actually send at, which
   * the peer's Required Min RX (3 s here) sets, not our own 50 ms (RFC 5880 §6.8.4 from the peer's side).
   */
  @Test
  void adminDownThenClose_peerSlowRx_holdsForPeersDetectionTime() {
    Wire w = new Wire(33);
    BfdProfile slowRx = BfdProfile.builder().receiveIntervalMillis(3000).build();
    BfdSession[] s = w.pair(FAST, slowRx, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(20));
    assertEquals(SessionState.Up, s[1].state());
    s[0].adminDownThenClose();
    w.run(Duration.ofMillis(2_500));
    long mid = s[0].counters().controlPacketsOut();
    w.run(Duration.ofMillis(6_000));
    assertTrue(s[0].counters().controlPacketsOut() > mid, "stopped before the peer's 9 s Detection Time");
    w.run(Duration.ofSeconds(10));
    long end = s[0].counters().controlPacketsOut();
    w.run(Duration.ofSeconds(10));
    assertEquals(end, s[0].counters().controlPacketsOut());
  }

  /** A new profile reaches the transport (its minimumTtl sets the multihop TTL filter). */
  @Test
  void updateProfile_transportTold() {
    io.speakerkit.timers.ManualScheduler scheduler = new io.speakerkit.timers.ManualScheduler();
    List<BfdProfile> told = new ArrayList<>();
    BfdDriver d = new BfdDriver(scheduler, new java.util.SplittableRandom(3), new BfdDriver.PacketIo() {
      @Override
      public io.netty.buffer.ByteBuf allocate() {
        return io.netty.buffer.Unpooled.buffer(64);
      }

      @Override
      public void send(BfdSession session, io.netty.buffer.ByteBuf packet) {
        packet.release();
      }

      @Override
      public void profileUpdated(BfdSession session) {
        told.add(session.profile());
      }
    });
    BfdSession s = d.createSession(BfdSessionConfig.builder().localAddress(addr("10.252.0.1", 0))
        .remoteAddress(addr("10.252.0.2", 0)).multihop(true).profile(FAST).build());
    BfdProfile p = FAST.toBuilder().minimumTtl(200).build();
    s.updateProfile(p);
    assertEquals(List.of(p), told);
    s.close();
    s.updateProfile(FAST);
    assertEquals(List.of(p), told, "told after close");
  }
}
