package io.speakerkit.bgp.fsm.rib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AdjRibOutTest {

  /** What the peer holds after applying everything the RIB handed out; counts UPDATE-sized batches. */
  static final class Peer implements AdjRibOut.Sink<String> {
    final Map<Long, String> v4 = new HashMap<>();
    final Map<Ipv6Prefix, String> v6 = new HashMap<>();
    final List<String> batches = new ArrayList<>();
    /** Each IPv4 prefix announced within one batch, to catch a prefix listed twice in one UPDATE. */
    final List<Long> duplicatesInBatch = new ArrayList<>();
    /** IPv4 prefixes withdrawn that this peer did not hold. */
    final List<Long> withdrawnNotHeld = new ArrayList<>();
    /** Every IPv6 prefix withdrawn, held or not. */
    final List<Ipv6Prefix> v6Withdrawn = new ArrayList<>();

    @Override
    public void withdrawIpv4(long[] keys, int count) {
      batches.add("withdraw " + count);
      for (int i = 0; i < count; i++) {
        if (v4.remove(keys[i]) == null) {
          withdrawnNotHeld.add(keys[i]);
        }
      }
    }

    @Override
    public void announceIpv4(String attributes, long[] keys, int count) {
      batches.add(attributes + " " + count);
      Map<Long, String> batch = new HashMap<>();
      for (int i = 0; i < count; i++) {
        v4.put(keys[i], attributes);
        if (batch.put(keys[i], attributes) != null) {
          duplicatesInBatch.add(keys[i]);
        }
      }
    }

    @Override
    public void withdrawIpv6(List<Ipv6Prefix> prefixes) {
      v6Withdrawn.addAll(prefixes);
      prefixes.forEach(v6::remove);
    }

    @Override
    public void announceIpv6(String attributes, List<Ipv6Prefix> prefixes) {
      prefixes.forEach(p -> v6.put(p, attributes));
    }

    void drainAll(AdjRibOut<String> rib, int batch) {
      int guard = 0;
      while (rib.hasPending()) {
        rib.drain(batch, this);
        if (++guard > 1_000_000) {
          throw new AssertionError("drain does not finish");
        }
      }
    }
  }

  private static int ip(int a, int b, int c, int d) {
    return a << 24 | b << 16 | c << 8 | d;
  }

  @Test
  void drain_groupsPrefixesSharingAttributes_withdrawalsTogether() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 10; i++) {
      rib.announceIpv4(ip(10, 0, 0, i), 32, i % 2 == 0 ? "A" : "B");
    }
    Peer peer = new Peer();
    peer.drainAll(rib, 1000);
    assertEquals(List.of("A 5", "B 5"), peer.batches.stream().sorted().toList());
    assertEquals(2, rib.attributeSets());
    peer.batches.clear();
    rib.withdrawIpv4(ip(10, 0, 0, 1), 32);
    rib.withdrawIpv4(ip(10, 0, 0, 3), 32);
    rib.announceIpv4(ip(10, 0, 0, 5), 32, "A");
    peer.drainAll(rib, 1000);
    assertEquals(List.of("A 1", "withdraw 2"), peer.batches.stream().sorted().toList());
    assertEquals(8, peer.v4.size());
  }

  @Test
  void announce_sameRouteTwice_noChangePending() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    assertTrue(rib.announceIpv4(ip(10, 0, 0, 1), 32, "A"));
    new Peer().drainAll(rib, 10);
    assertFalse(rib.announceIpv4(ip(10, 0, 0, 1), 32, new String("A")));
    assertFalse(rib.hasPending());
    assertEquals(1, rib.attributeSets());
  }

  @Test
  void withdraw_lastUserOfAttributes_releasesGroup() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "A");
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "B");
    assertEquals(1, rib.attributeSets());
    rib.withdrawIpv4(ip(10, 0, 0, 1), 32);
    assertEquals(0, rib.attributeSets());
    assertNull(rib.ipv4(ip(10, 0, 0, 1), 32));
  }

  /** A prefix announced and withdrawn before anything went out: the peer never heard of it (FRR sends nothing too). */
  @Test
  void announceThenWithdrawBeforeDrain_newPrefix_sendsNothing() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "A");
    rib.withdrawIpv4(ip(10, 0, 0, 1), 32);
    Ipv6Prefix v6 = new Ipv6Prefix(0xfd00_0253_0000_0000L, 0, 64);
    rib.announceIpv6(v6, "V6");
    rib.withdrawIpv6(v6);
    assertFalse(rib.hasPending());
    Peer peer = new Peer();
    peer.drainAll(rib, 10);
    assertEquals(List.of(), peer.batches);
  }

  /** A held prefix changed and then withdrawn before the change went out: only the withdrawal goes. */
  @Test
  void heldPrefix_changedThenWithdrawnBeforeDrain_sendsOnlyWithdrawal() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Peer peer = new Peer();
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "A");
    peer.drainAll(rib, 10);
    peer.batches.clear();
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "B");
    rib.withdrawIpv4(ip(10, 0, 0, 1), 32);
    peer.drainAll(rib, 10);
    assertEquals(List.of("withdraw 1"), peer.batches);
    assertTrue(peer.v4.isEmpty());
  }

  /**
   * Withdrawn (and the withdrawal sent), then announced and withdrawn again while the output was blocked: the peer
   * holds nothing, so nothing goes out, not a second withdrawal.
   */
  @Test
  void withdrawnPrefix_reannouncedAndWithdrawnWhileBlocked_sendsNoSecondWithdrawal() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Peer peer = new Peer();
    rib.announceIpv4(ip(10, 0, 0, 7), 32, "A");
    peer.drainAll(rib, 100);
    rib.withdrawIpv4(ip(10, 0, 0, 7), 32);
    peer.drainAll(rib, 100);
    assertEquals(List.of("A 1", "withdraw 1"), peer.batches);
    peer.batches.clear();
    rib.announceIpv4(ip(10, 0, 0, 7), 32, "A");
    rib.withdrawIpv4(ip(10, 0, 0, 7), 32);
    peer.drainAll(rib, 100);
    assertEquals(List.of(), peer.batches);
  }

  /**
   * Every route changed right after a session reset, before the resend got far: each goes out once, with its new
   * attributes, not once from the change and again from the resend.
   */
  @Test
  void resendAll_everyRouteChangedDuringResend_eachSentOnce() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Peer peer = new Peer();
    int n = 1000;
    for (int i = 0; i < n; i++) {
      rib.announceIpv4(ip(11, i >> 8, i & 0xFF, 0), 24, "A");
    }
    peer.drainAll(rib, 4096);
    rib.resendAll();
    Peer fresh = new Peer();
    for (int i = 0; i < n; i++) {
      rib.announceIpv4(ip(11, i >> 8, i & 0xFF, 0), 24, "B");
    }
    fresh.drainAll(rib, 100);
    int announced = fresh.batches.stream().mapToInt(b -> Integer.parseInt(b.substring(2))).sum();
    assertEquals(n, announced, fresh.batches::toString);
    assertTrue(fresh.v4.values().stream().allMatch("B"::equals));
  }

  @Test
  void resendAll_newPeerGetsEverythingAndNoWithdrawals() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 1000; i++) {
      rib.announceIpv4(ip(10, 1, i >> 8, i & 0xFF), 32, "A");
    }
    rib.withdrawIpv4(ip(10, 1, 0, 0), 32);
    rib.announceIpv6(new Ipv6Prefix(0xfd00_0253_0000_0000L, 0, 64), "V6");
    rib.resendAll();
    assertTrue(rib.resending());
    Peer fresh = new Peer();
    fresh.drainAll(rib, 100);
    assertFalse(rib.resending());
    assertEquals(999, fresh.v4.size());
    assertEquals(1, fresh.v6.size());
    assertTrue(fresh.batches.stream().noneMatch(b -> b.startsWith("withdraw")));
  }

  @Test
  void resendIpv4_routeRefresh_resendsIpv4AndKeepsPendingWithdrawals() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 10; i++) {
      rib.announceIpv4(ip(10, 1, 0, i), 32, "A");
    }
    rib.announceIpv6(new Ipv6Prefix(0xfd00_0253_0000_0000L, 0, 64), "V6");
    Peer peer = new Peer();
    peer.drainAll(rib, 100);
    rib.withdrawIpv4(ip(10, 1, 0, 0), 32);
    peer.batches.clear();
    peer.v6.clear(); // lets the test see whether IPv6 is sent again
    rib.resendIpv4();
    peer.drainAll(rib, 100);
    assertEquals(List.of("A 9", "withdraw 1"), peer.batches.stream().sorted().toList());
    assertEquals(9, peer.v4.size());
    assertTrue(peer.v6.isEmpty());
  }

  @Test
  void resendIpv4_routeChangedAheadOfCursor_sentOnceInTheDrain() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 10; i++) {
      rib.announceIpv4(ip(10, 1, 0, i), 32, "A");
    }
    Peer peer = new Peer();
    peer.drainAll(rib, 100);
    rib.resendIpv4();
    for (int i = 0; i < 10; i++) {
      rib.announceIpv4(ip(10, 1, 0, i), 32, "B"); // pending and ahead of the cursor
    }
    peer.batches.clear();
    rib.drain(100, peer);
    assertEquals(List.of(), peer.duplicatesInBatch);
    assertEquals(List.of("B 10"), peer.batches);
    assertFalse(rib.hasPending());
  }

  @Test
  void resendIpv6_routeRefresh_resendsIpv6AndKeepsPendingWithdrawals() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Ipv6Prefix kept = new Ipv6Prefix(0xfd00_0253_0000_0000L, 0, 64);
    Ipv6Prefix gone = new Ipv6Prefix(0xfd00_0254_0000_0000L, 0, 64);
    rib.announceIpv6(kept, "V6");
    rib.announceIpv6(gone, "V6");
    rib.announceIpv4(ip(10, 1, 0, 1), 32, "A");
    Peer peer = new Peer();
    peer.drainAll(rib, 100);
    rib.withdrawIpv6(gone);
    peer.batches.clear();
    rib.resendIpv6();
    peer.drainAll(rib, 100);
    assertEquals(Map.of(kept, "V6"), peer.v6);
    assertTrue(peer.batches.isEmpty(), "IPv4 was sent again: " + peer.batches);
  }

  @Test
  void resendAll_tableGrowsDuringResend_peerStillComplete() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 100; i++) {
      rib.announceIpv4(ip(10, 2, 0, i), 32, "A");
    }
    rib.resendAll();
    Peer peer = new Peer();
    rib.drain(10, peer);
    for (int i = 0; i < 5000; i++) { // forces rehashes mid-resend
      rib.announceIpv4(ip(10, 3, i >> 8, i & 0xFF), 32, "B");
    }
    peer.drainAll(rib, 64);
    assertEquals(5100, peer.v4.size());
  }

  /**
   * Deleting from the open-addressing table shifts later entries back; during a resend one of them may land behind
   * the cursor. Every cursor position times every withdrawn route, so each such shift is exercised.
   */
  @Test
  void withdrawDuringResend_anyCursorPosition_peerGetsEveryRemainingRoute() {
    // 40 scattered /32s in 64 slots (an arithmetic run would hash without a single collision)
    int routes = 40;
    int[] addresses = new Random(7).ints(ip(10, 4, 0, 0), ip(10, 5, 0, 0)).distinct().limit(routes).toArray();
    int crossings = 0;
    for (int drained = 1; drained < routes; drained++) {
      for (int withdrawn = 0; withdrawn < routes; withdrawn++) {
        AdjRibOut<String> rib = new AdjRibOut<>();
        for (int address : addresses) {
          rib.announceIpv4(address, 32, "A");
        }
        rib.resendAll();
        Peer peer = new Peer();
        rib.drain(drained, peer);
        rib.withdrawIpv4(addresses[withdrawn], 32);
        crossings += rib.pendingIpv4() > 1 ? 1 : 0; // the withdrawal plus a shifted route
        peer.drainAll(rib, 7);
        assertEquals(routes - 1, peer.v4.size(), "cursor after " + drained + ", withdrawn #" + withdrawn);
        assertNull(peer.v4.get(AdjRibOut.ipv4Key(addresses[withdrawn], 32)));
      }
    }
    assertTrue(crossings > 0, "no deletion shifted a route behind the cursor: the test exercises nothing");
  }

  @Test
  void ipv4Key_hostBitsSet_rejected() {
    assertThrows(IllegalArgumentException.class, () -> AdjRibOut.ipv4Key(ip(10, 0, 0, 1), 24));
    assertEquals(ip(10, 0, 0, 0), AdjRibOut.ipv4Address(AdjRibOut.ipv4Key(ip(10, 0, 0, 0), 24)));
    assertEquals(24, AdjRibOut.ipv4Length(AdjRibOut.ipv4Key(ip(10, 0, 0, 0), 24)));
    assertEquals(0, AdjRibOut.ipv4Length(AdjRibOut.ipv4Key(0, 0)));
  }

  @Test
  void memory_millionHostRoutes_under100BytesPerRoute() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 1_000_000; i++) {
      rib.announceIpv4(ip(100, 0, 0, 0) + i, 32, "A");
    }
    long perRoute = rib.ipv4MemoryBytes() / rib.size();
    assertTrue(perRoute < 100, "bytes per route: " + perRoute);
    Peer peer = new Peer();
    peer.drainAll(rib, 4096);
    assertEquals(1_000_000, peer.v4.size());
  }

  @Property(tries = 1000)
  void randomChanges_peerConvergesToRib(
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 63) Integer> prefixes,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 4) Integer> ops,
      @ForAll @IntRange(min = 1, max = 50) int batch) {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Map<Long, String> model = new HashMap<>();
    Peer peer = new Peer();
    boolean reset = false;
    int n = Math.min(prefixes.size(), ops.size());
    for (int i = 0; i < n; i++) {
      int addr = ip(10, 9, 0, prefixes.get(i) * 4);
      long key = AdjRibOut.ipv4Key(addr, 30);
      switch (ops.get(i)) {
        case 0 -> {
          rib.withdrawIpv4(addr, 30);
          model.remove(key);
        }
        case 1, 2 -> {
          String a = "attr" + ops.get(i);
          rib.announceIpv4(addr, 30, a);
          model.put(key, a);
        }
        case 4 -> rib.resendIpv4(); // route refresh: the peer keeps what it has
        default -> {
          if (i % 7 == 0) {
            rib.resendAll();
            peer.v4.clear(); // session re-established: the peer starts empty
            reset = true;
          } else {
            rib.drain(batch, peer);
          }
        }
      }
    }
    peer.drainAll(rib, batch);
    assertEquals(model, peer.v4);
    assertEquals(model.size(), rib.size());
    assertEquals(List.of(), peer.duplicatesInBatch);
    if (!reset) {
      // (after a reset a route withdrawn before the resend cursor reached it is still withdrawn: harmless)
      assertEquals(List.of(), peer.withdrawnNotHeld, "withdrawals of routes the peer never had");
    }
  }

  /**
   * ROUTE-REFRESH for IPv6 unicast (RFC 2918 §4, RFC 4760 AFI 2): the peer asked for our IPv6 routes again, so every
   * IPv6 route goes out again, including to a peer that no longer holds them; IPv4 is not re-sent.
   */
  @Test
  void resendIpv6_routeRefresh_peerGetsEveryIpv6RouteAgain() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Ipv6Prefix a = new Ipv6Prefix(0xfd00_0253_0000_0000L, 0, 64);
    Ipv6Prefix b = new Ipv6Prefix(0xfd00_0254_0000_0000L, 0, 64);
    rib.announceIpv6(a, "V6");
    rib.announceIpv6(b, "W6");
    rib.announceIpv4(ip(10, 1, 0, 1), 32, "A");
    Peer peer = new Peer();
    peer.drainAll(rib, 100);
    peer.v6.clear(); // the peer dropped what it had: only the refresh can bring it back
    peer.batches.clear();
    rib.resendIpv6();
    assertTrue(rib.hasPending());
    peer.drainAll(rib, 100);
    assertEquals(Map.of(a, "V6", b, "W6"), peer.v6);
    assertTrue(peer.batches.isEmpty(), "IPv4 was sent again: " + peer.batches);
  }

  private static final Ipv6Prefix V6_A = new Ipv6Prefix(0xfd00_0253_0000_0000L, 0, 64);
  private static final Ipv6Prefix V6_B = new Ipv6Prefix(0xfd00_0254_0000_0000L, 0, 64);

  /** Host bits just past the length, and any bit of a /0, make no prefix (RFC 4271 §4.3: trailing bits). */
  @Test
  void ipv4Key_firstHostBitSetOrDefaultRouteWithAddress_rejected() {
    assertThrows(IllegalArgumentException.class, () -> AdjRibOut.ipv4Key(ip(10, 0, 0, 128), 24));
    assertThrows(IllegalArgumentException.class, () -> AdjRibOut.ipv4Key(ip(10, 0, 0, 0), 0));
    assertEquals(25, AdjRibOut.ipv4Length(AdjRibOut.ipv4Key(ip(10, 0, 0, 128), 25)));
  }

  /** What announce and withdraw return: whether the table changed, in both families. */
  @Test
  void announceAndWithdraw_returnWhetherTheTableChanged() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    assertFalse(rib.withdrawIpv4(ip(10, 0, 0, 1), 32));
    assertTrue(rib.announceIpv4(ip(10, 0, 0, 1), 32, "A"));
    assertTrue(rib.announceIpv4(ip(10, 0, 0, 1), 32, "B"));
    assertTrue(rib.withdrawIpv4(ip(10, 0, 0, 1), 32));
    assertFalse(rib.withdrawIpv4(ip(10, 0, 0, 1), 32));
    assertFalse(rib.withdrawIpv6(V6_A));
    assertTrue(rib.announceIpv6(V6_A, "A"));
    new Peer().drainAll(rib, 10);
    assertFalse(rib.announceIpv6(V6_A, new String("A")), "the same IPv6 route again");
    assertFalse(rib.hasPending());
    assertTrue(rib.announceIpv6(V6_A, "B"));
    assertTrue(rib.withdrawIpv6(V6_A));
  }

  /** Attribute sets are counted per route in both families: the same route twice, or a change, leaks none. */
  @Test
  void sameRouteTwiceOrChanged_thenWithdrawn_attributeSetsReleased() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "A");
    rib.announceIpv4(ip(10, 0, 0, 1), 32, new String("A"));
    rib.announceIpv6(V6_A, "C");
    rib.announceIpv6(V6_A, new String("C"));
    rib.announceIpv6(V6_B, "D");
    rib.announceIpv6(V6_B, "E");
    assertEquals(3, rib.attributeSets(), "A, C and E");
    rib.withdrawIpv4(ip(10, 0, 0, 1), 32);
    rib.withdrawIpv6(V6_A);
    rib.withdrawIpv6(V6_B);
    assertEquals(0, rib.attributeSets());
  }

  /** As for IPv4: a held IPv6 prefix changed and then withdrawn before the change went out is withdrawn. */
  @Test
  void heldIpv6Prefix_changedThenWithdrawnBeforeDrain_sendsTheWithdrawal() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Peer peer = new Peer();
    rib.announceIpv6(V6_A, "A");
    peer.drainAll(rib, 10);
    rib.announceIpv6(V6_A, "B");
    rib.withdrawIpv6(V6_A);
    peer.drainAll(rib, 10);
    assertEquals(List.of(V6_A), peer.v6Withdrawn);
    assertTrue(peer.v6.isEmpty(), "the peer still holds " + peer.v6);
  }

  /**
   * A new session's peer holds nothing: withdrawals pending from the old session are not sent to it, nor one of a route
   * withdrawn after the reset before it went out (IPv6; IPv4 from the old session).
   */
  @Test
  void resendAll_withdrawalsPendingOrBeforeTheRouteWentOut_notSentToTheNewPeer() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Peer old = new Peer();
    rib.announceIpv4(ip(10, 0, 0, 1), 32, "A");
    rib.announceIpv4(ip(10, 0, 0, 2), 32, "A");
    rib.announceIpv6(V6_A, "V6");
    rib.announceIpv6(V6_B, "V6");
    old.drainAll(rib, 100);
    rib.withdrawIpv4(ip(10, 0, 0, 1), 32); // pending when the session resets
    rib.withdrawIpv6(V6_B);
    rib.resendAll();
    rib.withdrawIpv6(V6_A); // after the reset, before it went out again
    Peer fresh = new Peer();
    fresh.drainAll(rib, 100);
    assertEquals(List.of("A 1"), fresh.batches);
    assertEquals(List.of(), fresh.withdrawnNotHeld);
    assertEquals(List.of(), fresh.v6Withdrawn);
    assertTrue(fresh.v6.isEmpty());
  }

  /**
   * A route refresh on a table that has grown (been rebuilt) since it was made, every route changed right after: each
   * route goes out once, not once as a change and again from the refresh.
   */
  @Test
  void resendIpv4_afterTheTableGrew_routesChangedDuringTheRefreshSentOnce() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    Peer peer = new Peer();
    int n = 100; // from 32 slots to 256: rebuilt three times
    for (int i = 0; i < n; i++) {
      rib.announceIpv4(ip(10, 6, 0, i), 32, "A");
    }
    peer.drainAll(rib, 1000);
    peer.batches.clear();
    rib.resendIpv4();
    for (int i = 0; i < n; i++) {
      rib.announceIpv4(ip(10, 6, 0, i), 32, "B");
    }
    peer.drainAll(rib, 10);
    int announced = peer.batches.stream().mapToInt(b -> Integer.parseInt(b.substring(2))).sum();
    assertEquals(n, announced, peer.batches::toString);
  }

  /** A drain hands out at most {@code max} prefixes: from the IPv6 changes, and from the resend cursor. */
  @Test
  void drain_neverMoreThanMax_ipv6ChangesAndResendCursor() {
    AdjRibOut<String> rib = new AdjRibOut<>();
    for (int i = 0; i < 10; i++) {
      rib.announceIpv6(new Ipv6Prefix(0xfd00_0300_0000_0000L + ((long) i << 16), 0, 64), "V6");
    }
    Peer peer = new Peer();
    assertEquals(3, rib.drain(3, peer));
    assertEquals(3, peer.v6.size());
    AdjRibOut<String> v4Only = new AdjRibOut<>();
    for (int i = 0; i < 100; i++) {
      v4Only.announceIpv4(ip(10, 7, 0, i), 32, "A");
    }
    peer.drainAll(v4Only, 1000);
    v4Only.resendAll();
    Peer fresh = new Peer();
    assertEquals(10, v4Only.drain(10, fresh));
    assertEquals(10, fresh.v4.size());
  }

  /**
   * The table rebuilt (grown) in the middle of a resend moves the routes not yet resent: one pushed past its home by a
   * collision may land behind the cursor in the larger table. The cursor starts over, so the new peer still gets every
   * route. Every cursor position of a table of 150 scattered routes, grown to 512 slots.
   */
  @Test
  void resendAll_tableRebuiltWithTheCursorAnywhere_newPeerGetsEveryRoute() {
    int[] addresses = new Random(11).ints(ip(10, 8, 0, 0), ip(10, 9, 0, 0)).distinct().limit(210).toArray();
    for (int drained = 1; drained < 150; drained++) {
      AdjRibOut<String> rib = new AdjRibOut<>();
      for (int i = 0; i < 150; i++) {
        rib.announceIpv4(addresses[i], 32, "A");
      }
      rib.resendAll();
      Peer peer = new Peer();
      rib.drain(drained, peer);
      for (int i = 150; i < 210; i++) { // past 3/4 of 256 slots
        rib.announceIpv4(addresses[i], 32, "B");
      }
      peer.drainAll(rib, 50);
      assertEquals(210, peer.v4.size(), "cursor after " + drained);
    }
  }
}
