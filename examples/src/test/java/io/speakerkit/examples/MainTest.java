package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void help_listsCommands() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("speaker"));
    assertEquals(0, run("speaker", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--config FILE"));
  }

  @Test
  void speakerCheck_labFixture_validates(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    try (var in = getClass().getResourceAsStream("/fixtures/metallb-bgp-lab-bfd.yaml")) {
      Files.copy(in, lab);
    }
    assertEquals(0, run("speaker", "--config", lab.toString(), "--check"), err::toString);
    assertEquals("pools: 1, peers: 1, advertisements: 1, bfd profiles: 1, services: 1\n",
        out.toString(StandardCharsets.UTF_8));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("warning: BGPPeer metallb-system/onp-bgp-peer:"
        + " spec.holdTime: bare number 5 taken as 5s"));
  }

  @Test
  void speakerCheck_invalidManifest_exits2WithObjectAndField(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: p, namespace: metallb-system}
        spec: {myASN: 64512, peerASN: 64512, peerAddress: 192.0.2.1, holdTime: 1s}
        """);
    assertEquals(2, run("speaker", "--config", bad.toString(), "--check"));
    assertEquals("invalid manifest: BGPPeer metallb-system/p: spec.holdTime: 1s (expected: 0 or 3-65535 seconds)\n",
        err.toString(StandardCharsets.UTF_8));
  }

  /** A start that fails (the listen port taken) is a message and status 1, not a stack trace. */
  @Test
  void collector_listenAddressTaken_messageAndExit1() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int rc = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
          () -> run("collector", "--listen", "127.0.0.1:" + busy.getLocalPort(), "--asn", "64512", "--peer",
              "127.0.0.2"));
      assertEquals(1, rc);
      assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: cannot start: "), err::toString);
    }
  }

  /** The same after --metrics began serving: the endpoint goes too, its server thread would keep the JVM alive. */
  @Test
  void speaker_startFailsWithMetrics_endpointClosed(@TempDir Path dir) throws Exception {
    Path lab = dir.resolve("lab.yaml");
    Files.writeString(lab, """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [10.0.0.10-10.0.0.20]}
        """);
    int rc = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
        () -> run("speaker", "--config", lab.toString(), "--node-name", "n", "--metrics", "127.0.0.1:0",
            "--capture", dir.resolve("no/such/dir/x.pcap").toString()));
    assertEquals(1, rc);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("speaker: cannot start: "), err::toString);
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && !t.isDaemon() && t.getName().equals("HTTP-Dispatcher")));
  }

  /** {@code :7472} is every address, as Go programs (MetalLB's speaker, Prometheus) read it. */
  @Test
  void socketAddress_withoutHost_wildcard() throws Exception {
    assertTrue(Main.socketAddress("--metrics", ":7472").getAddress().isAnyLocalAddress());
    assertEquals(7472, Main.socketAddress("--metrics", ":7472").getPort());
    assertTrue(Main.socketAddress("--metrics", "127.0.0.1:7472").getAddress().isLoopbackAddress());
  }

  /** An IPv6 address in brackets, as in a URL: the brackets go, the port is what follows them. */
  @Test
  void socketAddress_bracketedIpv6() throws Exception {
    InetSocketAddress a = Main.socketAddress("--listen", "[2001:db8::1]:179");
    assertEquals(InetAddress.getByName("2001:db8::1"), a.getAddress());
    assertEquals(179, a.getPort());
  }

  @Test
  void collector_routerIdNotADottedQuad_refused() {
    assertEquals(2, run("collector", "--listen", "127.0.0.1:1179", "--asn", "64512", "--peer", "127.0.0.2",
        "--router-id", "1.2.3"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --router-id 1.2.3: expected an IPv4"),
        err::toString);
  }

  /** An octet over 255 is no address (it was looked up as a host name); 0.0.0.0 is no BGP Identifier (RFC 6286). */
  @Test
  void collector_routerIdOctetTooLargeOrZero_refused() {
    for (String id : java.util.List.of("999.1.1.1", "0.0.0.0")) {
      err.reset();
      assertEquals(2, run("collector", "--listen", "127.0.0.1:1179", "--asn", "64512", "--peer", "127.0.0.2",
          "--router-id", id));
      assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --router-id " + id + ": expected a"),
          err::toString);
    }
  }

  @Test
  void collector_ipv6RouterId_plainMessage() {
    assertEquals(2, run("collector", "--listen", "127.0.0.1:1179", "--asn", "64512", "--peer", "127.0.0.2",
        "--router-id", "2001:db8::1"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --router-id 2001:db8::1: expected an IPv4"),
        err::toString);
  }

  @Test
  void speakerMetrics_withoutPort_exits2() {
    assertEquals(2, run("speaker", "--config", "x.yaml", "--metrics", "127.0.0.1"));
    assertEquals("--metrics 127.0.0.1 (expected: ADDR:PORT, e.g. 127.0.0.1:7472)\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void defaultNodeName_metallbNodeNameFirst() {
    assertEquals("worker-3", Main.defaultNodeName(java.util.Map.of("METALLB_NODE_NAME", "worker-3")));
    assertTrue(!Main.defaultNodeName(java.util.Map.of()).isEmpty(), "the host name otherwise");
    assertEquals(Main.defaultNodeName(java.util.Map.of()), Main.defaultNodeName(java.util.Map.of("METALLB_NODE_NAME", " ")));
  }

  @Test
  void unknownCommand_exits2() {
    assertEquals(2, run("nope"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("unknown command: nope"));
  }

  /** README: overlaps between pools are refused; --check only validates; invalid manifests exit 2. */
  @Test
  void speakerCheck_overlappingPools_exits2(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("pools.yaml");
    Files.writeString(f, """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: a, namespace: metallb-system}
        spec: {addresses: [10.0.0.0/24]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: b, namespace: metallb-system}
        spec: {addresses: [10.0.0.128/25]}
        """);
    assertEquals(2, run("speaker", "--config", f.toString(), "--check", "--node-name", "n"),
        () -> "out=" + out + " err=" + err);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("invalid manifest: "), err::toString);
  }
  /** An unknown flag is named as such, not as "needs a value" (the speaker command says "unknown option"). */
  @Test
  void collector_unknownOptionLast_saysUnknown() {
    assertEquals(2, run("collector", "--listen", "127.0.0.30:13300", "--asn", "64512", "--peer", "127.0.0.31",
        "--bogus"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: unknown option: --bogus"), err::toString);
  }
  /** Messages say what was seen and what was expected (CONVENTIONS.md), and name the option. */
  @Test
  void collector_asnNotANumber_namesOption() {
    assertEquals(2, run("collector", "--listen", "127.0.0.30:13300", "--asn", "abc", "--peer", "127.0.0.31"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --asn abc"), err::toString);
    err.reset();
    assertEquals(2, run("collector", "--listen", "127.0.0.30:13300", "--asn", "64512", "--peer", "127.0.0.31@x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --peer 127.0.0.31@x"), err::toString);
    err.reset();
    assertEquals(2, run("collector", "--listen", "127.0.0.30:13300", "--asn", "64512", "--peer", "127.0.0.31",
        "--mrt-rib-interval", "2"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --mrt-rib-interval"), err::toString);
  }

  /**
   * The RIB dump's flags are checked at start, as --mrt's are: an interval under a millisecond is refused naming the
   * option (it once passed and failed start with "null"), a directory that cannot take the file fails the start
   * (it once ran for hours writing nothing).
   */
  @Test
  void collector_mrtRibSubMillisecondIntervalOrMissingDirectory_refused(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    assertEquals(2, run("collector", "--listen", "127.0.0.30:13300", "--asn", "64512", "--peer", "127.0.0.31",
        "--mrt-rib", dir.resolve("rib.mrt").toString(), "--mrt-rib-interval", "500us"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("collector: --mrt-rib-interval: MRT RIB dump interval"),
        err::toString);
    err.reset();
    assertEquals(1, run("collector", "--listen", "127.0.0.30:13300", "--asn", "64512", "--peer", "127.0.0.31",
        "--mrt-rib", dir.resolve("missing").resolve("rib.mrt").toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot start: MRT RIB dump"), err::toString);
  }

  /** METALLB_NODE_NAME as a DaemonSet's env sets it, surrounding blanks removed. */
  @Test
  void defaultNodeName_stripped() {
    assertEquals("worker-3", Main.defaultNodeName(java.util.Map.of("METALLB_NODE_NAME", " worker-3\n")));
  }

  /**
   * --node-name decides which EndpointSlices count for an externalTrafficPolicy Local service; --check reports how
   * many services this node would not announce.
   */
  @Test
  void speakerCheck_nodeNameDecidesLocalEndpoints(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("lab.yaml");
    Files.writeString(f, """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [10.0.0.10-10.0.0.20]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        endpoints:
        - {addresses: [10.1.0.7], conditions: {ready: true}, nodeName: node-zz9}
        """);
    assertEquals(0, run("speaker", "--config", f.toString(), "--check", "--node-name", "node-zz9"), err::toString);
    assertEquals("pools: 1, peers: 0, advertisements: 0, bfd profiles: 0, services: 1 (0 not announced here)\n",
        out.toString(StandardCharsets.UTF_8));
    out.reset();
    assertEquals(0, run("speaker", "--config", f.toString(), "--check", "--node-name", "node-b"), err::toString);
    assertEquals("pools: 1, peers: 0, advertisements: 0, bfd profiles: 0, services: 1 (1 not announced here)\n",
        out.toString(StandardCharsets.UTF_8));
  }
}
