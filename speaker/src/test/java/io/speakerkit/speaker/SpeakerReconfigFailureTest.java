package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.bfd.BfdProfile;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failure paths of live reconfiguration, with sessions to nothing (127.0.5.41-46, ports 14341-14351: nobody listens).
 */
class SpeakerReconfigFailureTest {

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static PeerConfig.Builder peer(String name, String address, int port) {
    return PeerConfig.builder().name(name).myAsn(64512).peerAsn(64512).peerAddress(ip(address)).peerPort(port)
        .sourceAddress(ip("127.0.5.41"));
  }

  /**
   * A peer's BFD profile is removed (its BFD session is held AdminDown for a detection time, RFC 5880 §6.8.16), then
   * the BGPPeer is replaced by one of another name at the same address with BFD (a rename: MetalLB deletes and
   * creates), and a third peer is added. The new peer's BFD session must take over the address pair, and the apply
   * must neither throw nor leave the third peer unstarted.
   */
  @Test
  void bfdRemovedThenPeerRenamed_applyDoesNotFail_otherPeersStart() {
    BfdProfile slow = BfdProfile.builder().build();
    SpeakerConfig first = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("a", "127.0.5.42", 14341).bfdProfile("bfd").build())
        .bfdProfile("bfd", slow)
        .build();
    SpeakerConfig bfdRemoved = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("a", "127.0.5.42", 14341).build())
        .bfdProfile("bfd", slow)
        .build();
    SpeakerConfig renamed = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("b", "127.0.5.42", 14341).bfdProfile("bfd").build())
        .peer(peer("c", "127.0.5.43", 14342).build())
        .bfdProfile("bfd", slow)
        .build();
    try (Speaker speaker = Speaker.builder().config(first).allowLocalPeers(true).bfdSingleHopPort(14350).build()) {
      speaker.start();
      speaker.apply(bfdRemoved);
      assertDoesNotThrow(() -> speaker.apply(renamed));
      List<PeerStatus> status = speaker.status();
      assertEquals(List.of("b", "c"), status.stream().map(PeerStatus::peer).sorted().toList(), status::toString);
      PeerStatus b = status.stream().filter(s -> s.peer().equals("b")).findFirst().orElseThrow();
      assertFalse(b.state().equals("Refused"), status::toString);
      assertTrue(b.bfdState().isPresent(), "b runs BFD: " + status);
    }
  }

  /**
   * A listener may stop the speaker ({@link Speaker} class doc: "Listeners ... may call back into the speaker, stop()
   * included"). If another thread is in apply() at that moment, waiting for the worker, neither may wait for the
   * other forever.
   */
  @Test
  void listenerStops_whileAnotherThreadApplies_noDeadlock() throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(peer("r", "127.0.5.44", 14343).build())
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    SpeakerLifecycleTest.listenerStopsWhileAnotherThreadWaits(config, s -> s.apply(config)).close();
  }

  /**
   * A peer whose session cannot be made for a reason checkPeer does not foresee (here: a PeerConfig made with the
   * record's public constructor, an IPv6 source toward an IPv4 peer, with BFD) is refused alone, with the reason in
   * status(); the apply goes on and the other new peer starts.
   */
  @Test
  void peerThatCannotStart_refusedAlone_applyGoesOn() {
    PeerConfig good = peer("good", "127.0.5.45", 14344).build();
    PeerConfig bad = new PeerConfig("bad", 64512, java.util.Optional.of(64512L), java.util.Optional.empty(),
        ip("127.0.5.46"), 14345, java.util.Optional.of(ip("::1")),
        java.util.Optional.of((java.net.Inet4Address) ip("192.0.2.1")), java.time.Duration.ofSeconds(180),
        java.time.Duration.ofSeconds(60), java.util.Optional.empty(), java.util.Optional.empty(),
        java.util.Optional.of("bfd"), false, false, false, List.of());
    SpeakerConfig before = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .build();
    SpeakerConfig after = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(bad).peer(good)
        .bfdProfile("bfd", BfdProfile.builder().build())
        .build();
    try (Speaker speaker = Speaker.builder().config(before).allowLocalPeers(true).bfdSingleHopPort(14351).build()) {
      speaker.start();
      assertDoesNotThrow(() -> speaker.apply(after));
      List<PeerStatus> status = speaker.status();
      PeerStatus b = status.stream().filter(s -> s.peer().equals("bad")).findFirst().orElseThrow();
      assertEquals("Refused", b.state(), status::toString);
      assertTrue(status.stream().anyMatch(s -> s.peer().equals("good") && !s.state().equals("Refused")),
          status::toString);
    }
  }
}
