package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Test;

class IpPrefixTest {

  @Test
  void parse_ipv4_toString() {
    assertEquals("10.0.0.10/32", IpPrefix.parse("10.0.0.10/32").toString());
    assertEquals("10.0.0.10/32", IpPrefix.parse("10.0.0.10").toString());
    assertEquals("0.0.0.0/0", IpPrefix.parse("0.0.0.0/0").toString());
  }

  @Test
  void parse_ipv6_canonicalText() {
    assertEquals("2001:db8::/32", IpPrefix.parse("2001:0DB8::/32").toString());
    assertEquals("::/0", IpPrefix.parse("::/0").toString());
    assertEquals("2001:db8:0:1::1/128", IpPrefix.parse("2001:db8:0:1:0:0:0:1").toString());
  }

  @Test
  void parse_ipv4MappedIpv6_staysIpv6() {
    IpPrefix p = IpPrefix.parse("::ffff:0:0/96");
    assertTrue(p.isIpv6());
    assertEquals("::ffff:0:0/96", p.toString());
    assertEquals(p, IpPrefix.of(p.address(), 96));
  }

  @Test
  void parse_hostBitsSet_rejectedWithBothForms() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.1/24"));
    assertEquals("host bits set in 10.0.0.1/24 (expected: 10.0.0.0/24)", e.getMessage());
  }

  @Test
  void parse_badLength_rejected() {
    assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("::/129"));
    assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0/8"));
    assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("example.com/8"));
    assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("256.0.0.0/8"));
  }

  @Test
  void of_inetAddress() throws Exception {
    IpPrefix p = IpPrefix.of(InetAddress.getByName("192.168.1.0"), 24);
    assertEquals(0xc0a80100, p.ipv4Address());
    assertEquals(InetAddress.getByName("192.168.1.0"), p.address());
    assertTrue(p.isIpv4());
  }

  @Test
  void contains() {
    assertTrue(IpPrefix.parse("10.0.0.0/8").contains(IpPrefix.parse("10.1.0.0/16")));
    assertFalse(IpPrefix.parse("10.1.0.0/16").contains(IpPrefix.parse("10.0.0.0/8")));
    assertTrue(IpPrefix.parse("2001:db8::/32").contains(IpPrefix.parse("2001:db8:1::/48")));
  }

  @Test
  void writeNlri_fewestOctets() {
    ByteBuf b = Unpooled.buffer();
    try {
      IpPrefix.parse("10.1.2.0/23").writeNlri(b);
      IpPrefix.parse("2001:db8:1::/48").writeNlri(b);
      IpPrefix.parse("0.0.0.0/0").writeNlri(b);
      assertEquals(Hex.norm("17 0a0102 30 20010db80001 00"), Hex.hex(b));
    } finally {
      b.release();
    }
  }

  @Provide
  Arbitrary<IpPrefix> prefixes() {
    return WireArbitraries.prefix();
  }

  @Property(tries = 500)
  void parse_toString_roundTrip(@ForAll("prefixes") IpPrefix p) {
    assertEquals(p, IpPrefix.parse(p.toString()));
    assertEquals(p, IpPrefix.of(p.address(), p.length()));
  }
}
