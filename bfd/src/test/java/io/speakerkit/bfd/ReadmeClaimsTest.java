package io.speakerkit.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claims of bfd/README.md and the BfdEngine / BfdStateChange Javadoc, on virtual time. */
class ReadmeClaimsTest {

  static final BfdProfile FAST = BfdProfile.builder().receiveIntervalMillis(50).transmitIntervalMillis(50)
      .detectMultiplier(3).build();

  /**
   * bfd/README.md:19 and BfdEngine's Javadoc tell a client {@code if (change.isUpToDown()) take the BGP session down};
   * BfdStateChange says isUpToDown is "what RFC 5882 clients react to". RFC 5882 §3.2: a session that goes Down
   * because the peer signals AdminDown is not a path failure and must not take the client down (the speaker itself
   * filters this case out on top of isUpToDown, Speaker.java:1159). Nor is our own adminDown() a failure.
   */
  @Test
  void peerAdminDown_isNotUpToDown_forTheClient() {
    Wire w = new Wire(11);
    BfdSession[] s = w.pair(FAST, FAST, BfdAuthentication.NONE);
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[1].state());
    List<BfdStateChange> atPeer = new ArrayList<>();
    List<BfdStateChange> atUs = new ArrayList<>();
    s[1].subscribe(atPeer::add);
    s[0].subscribe(atUs::add);
    s[0].adminDown();
    w.run(Duration.ofSeconds(1));
    assertEquals(SessionState.Down, s[1].state());
    assertEquals(SessionState.AdminDown, s[1].remoteState());
    assertEquals(1, atPeer.size(), atPeer::toString);
    assertEquals(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, atPeer.get(0).diagnostic());
    assertFalse(atPeer.get(0).isUpToDown(), "the peer's AdminDown is not a path failure (RFC 5882 §3.2)");
    assertFalse(atUs.get(0).isUpToDown(), "our own adminDown() is not a path failure: " + atUs);

    // ... while a real failure still is
    s[0].enable();
    w.run(Duration.ofSeconds(5));
    assertEquals(SessionState.Up, s[1].state());
    w.cut = true;
    w.run(Duration.ofSeconds(1));
    assertTrue(atPeer.get(atPeer.size() - 1).isUpToDown(), atPeer::toString);
  }
}
