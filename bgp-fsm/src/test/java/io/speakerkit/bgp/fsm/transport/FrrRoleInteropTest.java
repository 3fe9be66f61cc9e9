package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpRole;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.OnlyToCustomer;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RFC 9234 against FRR's {@code neighbor ... local-role}: roles that face each other come up, FRR sees our Only to
 * Customer attribute, a route marked Only to Customer is not sent to a provider, and roles that do not pair are
 * refused with Role Mismatch.
 */
class FrrRoleInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  @Test
  void providerToFrrCustomer_established_routeCarriesOurOnlyToCustomer() throws Exception {
    withFrr("customer", BgpRole.PROVIDER, (dir, session) -> {
      session.announce(IpPrefix.parse("198.51.100.77/32"), PathAttributes.builder().build());
      Poll.until(LIMIT, "Established", () -> session.state() == BgpState.Established,
          () -> "" + session.lastChange());
      String n = vtysh(dir, "show bgp neighbors 10.253.10.1 json");
      assertTrue(n.contains("\"localRole\":\"customer\"") && n.contains("\"remoteRole\":\"provider\""), n);
      Poll.until(LIMIT, "the route on FRR with OTC 65201",
          () -> route(dir, "198.51.100.77/32").contains("\"otc\":65201"), () -> route(dir, "198.51.100.77/32"));
    });
  }

  @Test
  void customerToFrrProvider_routeMarkedOnlyToCustomerNotSent() throws Exception {
    withFrr("provider", BgpRole.CUSTOMER, (dir, session) -> {
      session.announce(IpPrefix.parse("198.51.100.78/32"),
          PathAttributes.builder().add(new OnlyToCustomer(64999)).build());
      session.announce(IpPrefix.parse("198.51.100.79/32"), PathAttributes.builder().build());
      Poll.until(LIMIT, "the unmarked route on FRR", () -> route(dir, "198.51.100.79/32").contains("\"paths\""),
          () -> route(dir, "198.51.100.79/32"));
      // FRR keeps what it received before any policy (soft-reconfiguration inbound): the marked route never came
      String received = vtysh(dir, "show bgp ipv4 unicast neighbors 10.253.10.1 received-routes json");
      assertTrue(received.contains("198.51.100.79/32"), received);
      assertFalse(received.contains("198.51.100.78/32"), received);
      assertFalse(route(dir, "198.51.100.79/32").contains("\"otc\""), "no OTC added toward a provider");
    });
  }

  @Test
  void customerAgainstFrrCustomer_roleMismatch() throws Exception {
    withFrr("customer", BgpRole.CUSTOMER, (dir, session) -> Poll.until(LIMIT, "OPEN Message Error / Role Mismatch",
        () -> session.lastChange().map(c -> c.cause().sent().or(() -> c.cause().received())
            .map(x -> x.code() == 2 && x.subcode() == 11).orElse(false)).orElse(false),
        () -> "" + session.lastChange()));
  }

  private interface Body {
    void run(File dir, BgpSession session) throws Exception;
  }

  private static void withFrr(String frrRole, BgpRole ourRole, Body body) throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh");
    try (Netns ns = Netns.create("skfsmrole", "10.253.10.1/30", "10.253.10.2/30")) {
      File dir = ns.dir();
      Files.writeString(new File(dir, "bgpd.conf").toPath(), """
          frr defaults traditional
          log file %s/bgpd.log
          router bgp 65202
           bgp router-id 10.253.10.2
           no bgp ebgp-requires-policy
           neighbor 10.253.10.1 remote-as 65201
           neighbor 10.253.10.1 timers connect 2
           neighbor 10.253.10.1 local-role %s
           address-family ipv4 unicast
            neighbor 10.253.10.1 soft-reconfiguration inbound
           exit-address-family
          """.formatted(dir.getAbsolutePath(), frrRole));
      ns.start(new File(dir, "bgpd.out"), "/usr/lib/frr/bgpd", "-f", dir + "/bgpd.conf", "-i", dir + "/bgpd.pid",
          "--vty_socket", dir.getAbsolutePath(), "-Z", "-n", "-S", "-p", "179");
      Poll.until(LIMIT, "bgpd", () -> vtysh(dir, "show version").length() > 0, () -> "");
      try (BgpTransport t = BgpTransport.builder().build()) {
        BgpSession session = BgpSession.builder().transport(t)
            .peer(InetAddress.getByName("10.253.10.2"))
            .localAddress(InetAddress.getByName("10.253.10.1"))
            .config(FsmConfig.builder().localAs(65201).peerAs(65202)
                .bgpIdentifier(BgpIdentifier.parse("10.253.10.1"))
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(2))
                .role(ourRole, false)
                .build())
            .build();
        session.start();
        body.run(dir, session);
      }
    }
  }

  private static String route(File dir, String prefix) {
    return vtysh(dir, "show bgp ipv4 unicast " + prefix + " json");
  }

  private static String vtysh(File dir, String command) {
    return Commands.run(Duration.ofSeconds(10), "vtysh", "--vty_socket", dir.getAbsolutePath(), "-d", "bgpd", "-c",
        command).stdout().replaceAll("\\s+", "");
  }
}
