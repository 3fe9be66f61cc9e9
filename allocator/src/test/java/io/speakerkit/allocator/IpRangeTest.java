package io.speakerkit.allocator;

import static io.speakerkit.allocator.AllocatorStatefulProperties.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangeTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/24, 10.0.0.0, 10.0.0.255, 256",
    "10.0.0.5/24, 10.0.0.0, 10.0.0.255, 256",
    "10.0.0.10-10.0.0.20, 10.0.0.10, 10.0.0.20, 11",
    "' 10.0.0.10 - 10.0.0.10 ', 10.0.0.10, 10.0.0.10, 1",
    "0.0.0.0/0, 0.0.0.0, 255.255.255.255, 4294967296",
    "192.0.2.7/32, 192.0.2.7, 192.0.2.7, 1",
    "2001:db8::/64, 2001:db8::, 2001:db8::ffff:ffff:ffff:ffff, 18446744073709551616",
    "2001:db8::1-2001:db8::1:0, 2001:db8::1, 2001:db8::1:0, 65536",
    "::/0, ::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, 340282366920938463463374607431768211456",
  })
  void parse_cidrsAndRanges(String text, String start, String end, String size) {
    IpRange r = IpRange.parse(text);
    assertEquals(ip(start), r.start());
    assertEquals(ip(end), r.end());
    assertEquals(new BigInteger(size), r.size());
  }

  @Test
  void parse_rejectsWithWhatWasSeen() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.20-10.0.0.10")).getMessage()
        .contains("start is above end"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.1-2001:db8::1")).getMessage()
        .contains("families differ"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/33")).getMessage()
        .contains("expected: 0..32"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("example.com/24")).getMessage()
        .contains("not an IP address literal"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.256/32")).getMessage()
        .contains("not an IP address literal"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.1")).getMessage()
        .contains("expected: a CIDR"));
  }

  @Test
  void pool_rejectsOverlapBetweenPoolsNamingBoth() {
    IpAddressPool a = IpAddressPool.builder().name("alpha").addresses("10.0.0.0/24").build();
    IpAddressPool b = IpAddressPool.builder().name("beta").addresses("10.0.0.200-10.0.1.5").build();
    String m = assertThrows(IllegalArgumentException.class, () -> Allocator.builder().pools(a, b).build()).getMessage();
    assertTrue(m.contains("\"alpha\"") && m.contains("\"beta\""), m);
  }

  @Test
  void pool_rejectsOverlapWithinOnePool() {
    String m = assertThrows(IllegalArgumentException.class,
        () -> IpAddressPool.builder().name("p").addresses("fd00::/64", "fd00::5-fd00::9").build()).getMessage();
    assertTrue(m.contains("pool \"p\"") && m.contains("overlap"), m);
  }

  @Test
  void pool_rejectsDuplicateNames() {
    IpAddressPool a = IpAddressPool.builder().name("p").addresses("10.0.0.0/24").build();
    IpAddressPool b = IpAddressPool.builder().name("p").addresses("10.0.1.0/24").build();
    assertThrows(IllegalArgumentException.class, () -> Allocator.builder().pools(a, b).build());
  }

  @Test
  void capacity_exactWithAvoidBuggyIPsAndSlash64() {
    IpAddressPool p = IpAddressPool.builder().name("p").addresses("10.0.0.0/23", "10.0.2.250-10.0.3.5", "2001:db8::/64")
        .avoidBuggyIPs(true).build();
    // /23: 512 - 4 (.0 and .255 twice); 250..255 (6) + 0..5 (6) = 12 - 2 (.255, .0)
    assertEquals(BigInteger.valueOf(508 + 10), p.capacity(IpFamily.IPV4));
    assertEquals(BigInteger.ONE.shiftLeft(64), p.capacity(IpFamily.IPV6));
  }

  /** The .0/.255 count at the very bottom of the space: 0.0.0.0 and 0.0.0.255 themselves, a range starting at .1.0. */
  @Test
  void capacity_avoidBuggyIPs_countsBoundaryAddressesAtTheBottomOfTheSpace() {
    IpAddressPool bottom = IpAddressPool.builder().name("p").addresses("0.0.0.0/24").avoidBuggyIPs(true).build();
    assertEquals(BigInteger.valueOf(254), bottom.capacity(IpFamily.IPV4));
    IpAddressPool next = IpAddressPool.builder().name("p").addresses("0.0.1.0/24").avoidBuggyIPs(true).build();
    assertEquals(BigInteger.valueOf(254), next.capacity(IpFamily.IPV4));
  }
}
