package io.speakerkit.bgp.fsm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.BgpState;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import io.speakerkit.testing.Commands;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Against FRR: TCP MD5 (RFC 2385) with the right and the wrong password, GTSM (RFC 5082) with a peer sending at
 * TTL 255 accepted and one sending at TTL 254 refused by the kernel (its SYNs to our listener never answered), and
 * route refresh from FRR re-sending our Adj-RIB-Out.
 */
class FrrSecurityInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(40);

  private static BgpSession.Builder session(BgpTransport t, String local, String peer) throws Exception {
    return BgpSession.builder().transport(t).peer(InetAddress.getByName(peer))
        .localAddress(InetAddress.getByName(local)).connectTimeout(Duration.ofSeconds(2))
        .config(FsmConfig.builder().localAs(65101).peerAs(65102).bgpIdentifier(BgpIdentifier.parse(local))
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2)).build());
  }

  @Test
  void md5AndGtsm_rightAccepted_wrongRefused_routeRefresh() throws Exception {
    Commands.require("/usr/lib/frr/bgpd", "vtysh", "tshark");
    try (Netns ns = Netns.create("skfsmsec", "10.253.3.1/30", "10.253.3.2/30")) {
      ns.addAddresses("10.253.3.5/30", "10.253.3.6/30");
      ns.addAddresses("10.253.3.9/30", "10.253.3.10/30");
      ns.addAddresses("10.253.3.13/30", "10.253.3.14/30");
      File dir = ns.dir();
      Files.writeString(new File(dir, "bgpd.conf").toPath(), """
          frr defaults traditional
          log file %s/bgpd.log
          debug bgp neighbor-events
          debug bgp updates in
          router bgp 65102
           bgp router-id 10.253.3.2
           no bgp ebgp-requires-policy
           neighbor 10.253.3.1 remote-as 65101
           neighbor 10.253.3.1 password s3cret-key
           neighbor 10.253.3.1 timers connect 2
           neighbor 10.253.3.5 remote-as 65101
           neighbor 10.253.3.5 password s3cret-key
           neighbor 10.253.3.5 timers connect 2
           neighbor 10.253.3.9 remote-as 65101
           neighbor 10.253.3.9 ttl-security hops 1
           neighbor 10.253.3.9 timers connect 2
           neighbor 10.253.3.13 remote-as 65101
           neighbor 10.253.3.13 ebgp-multihop 254
           neighbor 10.253.3.13 timers connect 2
          """.formatted(dir.getAbsolutePath()));
      ns.start(new File(dir, "bgpd.out"), "/usr/lib/frr/bgpd", "-f", dir + "/bgpd.conf", "-i", dir + "/bgpd.pid",
          "--vty_socket", dir.getAbsolutePath(), "-Z", "-n", "-S", "-p", "179");
      Poll.until(LIMIT, "bgpd", () -> vtysh(dir, "show version").exitCode() == 0, () -> "");
      // what reaches and leaves our listener address for the GTSM peer that sends at TTL 254
      File capture = new File(dir, "gtsm-bad.txt");
      ns.start(capture, "tshark", "-l", "-n", "-i", ns.nsInterface(), "-f", "tcp port 179 and host 10.253.3.13",
          "-T", "fields", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e",
          "tcp.flags.ack", "-e", "ip.ttl");
      Poll.until(LIMIT, "tshark capturing", () -> read(capture).contains("Capturing"), () -> read(capture));
      BgpTransport.Builder tb = BgpTransport.builder();
      for (String a : new String[] {"10.253.3.1", "10.253.3.5", "10.253.3.9", "10.253.3.13"}) {
        tb.listen(new InetSocketAddress(InetAddress.getByName(a), 179));
      }
      try (BgpTransport t = tb.build().start()) {
        assertTrue(t.epoll(), "epoll transport expected on Linux");
        BgpSession md5Ok = session(t, "10.253.3.1", "10.253.3.2").md5Password("s3cret-key").build();
        BgpSession md5Bad = session(t, "10.253.3.5", "10.253.3.6").md5Password("wrong-key").build();
        BgpSession gtsmOk = session(t, "10.253.3.9", "10.253.3.10").gtsm(1).build();
        BgpSession gtsmBad = session(t, "10.253.3.13", "10.253.3.14").gtsm(1).build();
        md5Ok.announce(IpPrefix.parse("198.51.100.31/32"), PathAttributes.builder().build());
        md5Ok.start();
        md5Bad.start();
        gtsmOk.start();
        gtsmBad.start();
        Poll.until(LIMIT, "MD5 and GTSM sessions Established",
            () -> md5Ok.state() == BgpState.Established && gtsmOk.state() == BgpState.Established,
            () -> md5Ok.lastChange() + "\n" + gtsmOk.lastChange() + "\n" + vtysh(dir, "show bgp summary").stdout());
        // the refused ones had the same time and several connect attempts: still nowhere near Established
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        Poll.until(Duration.ofSeconds(10), "6 s of attempts", () -> System.nanoTime() > until, () -> "");
        assertNotEquals(BgpState.Established, md5Bad.state());
        assertNotEquals(BgpState.OpenConfirm, md5Bad.state());
        assertNotEquals(BgpState.Established, gtsmBad.state());
        String summary = vtysh(dir, "show bgp neighbors 10.253.3.5 json").stdout();
        assertTrue(!summary.contains("\"bgpState\":\"Established\""), summary);
        summary = vtysh(dir, "show bgp neighbors 10.253.3.13 json").stdout();
        assertTrue(!summary.contains("\"bgpState\":\"Established\""), summary);
        // RFC 5082 §3: the listener's minimum TTL drops FRR's TTL-254 SYNs in the kernel: no SYN-ACK, no handshake
        List<String[]> packets = read(capture).lines().map(l -> l.split("\t")).filter(f -> f.length >= 6).toList();
        long synsToUs = packets.stream().filter(f -> f[0].equals("10.253.3.14") && f[2].equals("179")
            && isSet(f[3]) && !isSet(f[4])).count();
        long synAcksFromUs = packets.stream().filter(f -> f[0].equals("10.253.3.13") && f[1].equals("179")
            && isSet(f[3]) && isSet(f[4])).count();
        assertTrue(synsToUs > 0, "FRR never tried to connect to our listener:\n" + read(capture));
        assertEquals(0, synAcksFromUs, "our listener answered a TTL-254 SYN:\n" + read(capture));

        // route refresh: FRR asks, we send our Adj-RIB-Out again
        Poll.until(LIMIT, "route on FRR",
            () -> vtysh(dir, "show bgp ipv4 unicast 198.51.100.31/32 json").stdout().contains("\"paths\""), () -> "");
        int before = updatesReceived(vtysh(dir, "show bgp neighbors 10.253.3.1 json").stdout());
        vtysh(dir, "clear bgp ipv4 unicast 10.253.3.1 soft in").check();
        Poll.until(LIMIT, "FRR received our UPDATEs again",
            () -> updatesReceived(vtysh(dir, "show bgp neighbors 10.253.3.1 json").stdout()) > before,
            () -> vtysh(dir, "show bgp neighbors 10.253.3.1 json").stdout());
        String n = vtysh(dir, "show bgp neighbors 10.253.3.1 json").stdout().replaceAll("\\s+", "");
        assertTrue(n.contains("\"routeRefreshSent\":1") || n.contains("\"routeRefreshSent\":2"), n);
        assertTrue(vtysh(dir, "show bgp ipv4 unicast 198.51.100.31/32 json").stdout().contains("\"paths\""));
        assertTrue(md5Ok.state() == BgpState.Established);
        // RFC 7313: enhanced route refresh was negotiated, so the re-sent routes are bracketed by BoRR and EoRR
        Poll.until(LIMIT, "FRR logged our BoRR and EoRR", () -> {
          String l = read(new File(dir, "bgpd.log"));
          return l.contains("rcvd route-refresh (BoRR)") && l.contains("rcvd route-refresh (EoRR)");
        }, () -> read(new File(dir, "bgpd.log")));
      }
    }
  }

  private static String read(File f) {
    try {
      return Files.readString(f.toPath());
    } catch (Exception e) {
      return "";
    }
  }

  /** tshark prints flags as 1/0 or True/False depending on the version. */
  private static boolean isSet(String flag) {
    return flag.equals("1") || flag.equalsIgnoreCase("true");
  }

  private static int updatesReceived(String json) {
    Matcher m = Pattern.compile("\"updatesRecv\"\\s*:\\s*(\\d+)").matcher(json);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static Commands.Result vtysh(File dir, String command) {
    return Commands.run(Duration.ofSeconds(10), "vtysh", "--vty_socket", dir.getAbsolutePath(), "-d", "bgpd", "-c",
        command);
  }
}
