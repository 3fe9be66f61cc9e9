package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerConfigLimitsTest {

  private static PeerConfig.Builder peer() {
    return PeerConfig.builder().myAsn(64500).peerAsn(64501).peerAddress("192.0.2.1");
  }

  /**
   * The TCP MD5 key is the password's UTF-8 bytes, at most 80 of them (Linux TCP_MD5SIG_MAXKEYLEN): 41 two-octet
   * characters pass a count of characters but not the kernel, and the session would be refused only when started.
   */
  @Test
  void password_limitCountsOctets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peer().password("é".repeat(41)));
    assertTrue(e.getMessage().startsWith("password: 82 octets"), e.getMessage());
    assertEquals("é".repeat(40), peer().password("é".repeat(40)).build().password().orElseThrow());
  }
}
