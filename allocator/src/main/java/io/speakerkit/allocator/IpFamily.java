package io.speakerkit.allocator;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An IP address family. */
public enum IpFamily {
  IPV4,
  IPV6;

  /** The family of {@code address}. */
  public static IpFamily of(InetAddress address) {
    return address instanceof Inet4Address ? IPV4 : IPV6;
  }
}
