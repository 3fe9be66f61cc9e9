package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.speakerkit.bgp.fsm.BgpAction;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.ConnectMode;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.testing.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which session the transport's listener hands a peer's connection to, and what the listener's owner does to the
 * sessions' peers: a raw socket plays the peer. Loopback addresses 127.0.14.30-39, ports 16460-16466.
 */
class ListenerPeerSelectionIT {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static InetAddress addr(int last) throws Exception {
    return InetAddress.getByName("127.0.14." + last);
  }

  private static FsmConfig.Builder ours(ConnectMode mode) {
    return FsmConfig.builder().localAs(64601).peerAs(64602).bgpIdentifier(BgpIdentifier.parse("10.0.0.1"))
        .connectMode(mode);
  }

  private static FsmConfig peerConfig() {
    return FsmConfig.builder().localAs(64602).peerAs(64601).bgpIdentifier(BgpIdentifier.parse("10.0.0.5")).build();
  }

  /**
   * Two sessions to one peer, from two of our addresses (a peer reached over two links): a connection from the peer
   * goes to the session of the address it dialled, not to whichever was configured first. Dialling a third address,
   * that matches neither source address, the peer is refused (closed without a byte): no session is the right one.
   */
  @Test
  void twoSessionsToOnePeer_connectionGoesToTheSessionOfTheDialledAddress_thirdAddressRefused() throws Exception {
    InetAddress first = addr(30);
    InetAddress second = addr(31);
    InetAddress third = addr(33);
    InetAddress peer = addr(32);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(first, 16460))
        .listen(new InetSocketAddress(second, 16460)).listen(new InetSocketAddress(third, 16460)).build().start()) {
      BgpSession viaFirst = BgpSession.builder().transport(t).peer(peer).localAddress(first)
          .config(ours(ConnectMode.LISTEN_ONLY).build()).build();
      BgpSession viaSecond = BgpSession.builder().transport(t).peer(peer).localAddress(second)
          .config(ours(ConnectMode.LISTEN_ONLY).build()).build();
      viaFirst.start();
      viaSecond.start();
      Poll.until(LIMIT, "both listening", () -> viaFirst.state() == BgpState.Active
          && viaSecond.state() == BgpState.Active, () -> viaFirst.state() + " / " + viaSecond.state());
      try (Socket p = DialingPeer.dial(peer, second, 16460)) {
        DialingPeer.bodyOfNext(p.getInputStream(), 1, "our OPEN");
        Poll.until(LIMIT, "the second session OpenSent", () -> viaSecond.state() == BgpState.OpenSent,
            () -> "" + viaSecond.state());
        assertEquals(BgpState.Active, viaFirst.state());
      }
      try (Socket p = DialingPeer.dial(peer, third, 16460)) {
        assertEquals(new DialingPeer.Ending(-1, -1, true), DialingPeer.readToEnd(p.getInputStream()));
      }
    }
  }

  /**
   * A closed session lets go of its peer: a new session for the same address can be built (a changed configuration
   * replaces the session) as soon as close() returns, and the peer's next connection reaches it.
   */
  @Test
  void closedSession_peerTakenByANewSession() throws Exception {
    InetAddress ours = addr(34);
    InetAddress peer = addr(35);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16462)).build().start()) {
      BgpSession old = BgpSession.builder().transport(t).peer(peer).config(ours(ConnectMode.LISTEN_ONLY).build())
          .build();
      old.start();
      old.close();
      BgpSession replacement = BgpSession.builder().transport(t).peer(peer)
          .config(ours(ConnectMode.LISTEN_ONLY).build()).build();
      replacement.start();
      Poll.until(LIMIT, "listening", () -> replacement.state() == BgpState.Active, () -> "" + replacement.state());
      try (Socket p = DialingPeer.dial(peer, ours, 16462)) {
        DialingPeer.bodyOfNext(p.getInputStream(), 1, "the new session's OPEN");
        Poll.until(LIMIT, "OpenSent", () -> replacement.state() == BgpState.OpenSent, () -> "" + replacement.state());
      }
    }
  }

  /**
   * close() called off the session's loop returns once the session has let go of its peer, even while the loop is
   * busy: a replacement for the same peer can be built right after it (AutoCloseable: released when close returns).
   */
  @Test
  void closeOffTheLoop_returnsWithThePeerFree_evenWhileTheLoopIsBusy() throws Exception {
    InetAddress ours = addr(36);
    InetAddress peer = addr(37);
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16468)).build().start()) {
      BgpSession old = BgpSession.builder().transport(t).peer(peer).config(ours(ConnectMode.LISTEN_ONLY).build())
          .build();
      old.start();
      CountDownLatch never = new CountDownLatch(1);
      old.execute(() -> {
        try {
          never.await(500, TimeUnit.MILLISECONDS); // the loop busy with other sessions' work
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      old.close();
      BgpSession replacement = BgpSession.builder().transport(t).peer(peer)
          .config(ours(ConnectMode.LISTEN_ONLY).build()).build();
      replacement.close();
    }
  }

  /** Closing the transport closes its sessions as stop() does: an Established peer gets Cease / Administrative Shutdown. */
  @Test
  void transportClose_establishedPeerGetsCease6_2() throws Exception {
    InetAddress ours = addr(36);
    InetAddress peer = addr(37);
    BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16464)).build().start();
    try (t) {
      BgpSession s = BgpSession.builder().transport(t).peer(peer).config(ours(ConnectMode.LISTEN_ONLY).build())
          .build();
      s.start();
      Poll.until(LIMIT, "listening", () -> s.state() == BgpState.Active, () -> "" + s.state());
      try (Socket p = DialingPeer.dial(peer, ours, 16464)) {
        DialingPeer.bodyOfNext(p.getInputStream(), 1, "our OPEN");
        DialingPeer.sendOpen(p, peerConfig());
        DialingPeer.sendKeepalive(p);
        Poll.until(LIMIT, "Established", () -> s.state() == BgpState.Established, () -> "" + s.lastChange());
        t.close();
        assertEquals(new DialingPeer.Ending(6, 2, true), DialingPeer.readToEnd(p.getInputStream()));
      }
    }
  }

  /**
   * RFC 4271 §8.1.1 ManualStart_with_PassiveTcpEstablishment: a PASSIVE session waits in Active (it does not dial
   * first, Idle -> Connect) and takes the peer's connection.
   */
  @Test
  void passiveSession_waitsInActive_takesThePeersConnection() throws Exception {
    InetAddress ours = addr(38);
    InetAddress peer = addr(39);
    List<BgpAction.StateChanged> changes = new CopyOnWriteArrayList<>();
    try (BgpTransport t = BgpTransport.builder().listen(new InetSocketAddress(ours, 16466)).build().start()) {
      BgpSession s = BgpSession.builder().transport(t).peer(peer).peerPort(16467).localAddress(ours)
          .config(ours(ConnectMode.PASSIVE).connectRetryTime(Duration.ofSeconds(60)).build()).build();
      s.addListener(changes::add);
      s.start();
      Poll.until(LIMIT, "started", () -> !changes.isEmpty(), changes::toString);
      assertEquals(BgpState.Active, changes.get(0).to(), changes::toString);
      try (Socket p = DialingPeer.dial(peer, ours, 16466)) {
        DialingPeer.bodyOfNext(p.getInputStream(), 1, "our OPEN");
        Poll.until(LIMIT, "OpenSent", () -> s.state() == BgpState.OpenSent, changes::toString);
      }
    }
  }
}
