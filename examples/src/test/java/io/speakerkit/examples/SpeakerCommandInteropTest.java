package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.speakerkit.testing.FrrRouter;
import io.speakerkit.testing.Netns;
import io.speakerkit.testing.Poll;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar speakerkit.jar speaker --config <fixture>} against FRR (zebra, bgpd, bfdd) in a namespace, with
 * the fixture manifests as written except peerAddress (the router's address here, as fixtures/README.md says):
 * FRR receives 10.0.0.10/32 with NO_ADVERTISE and local-pref 100, with the BFD fixture FRR's BFD peer is Up; SIGTERM
 * makes FRR see Cease / Administrative Shutdown and withdraw the route; stdout is JSON lines with time and kind.
 */
class SpeakerCommandInteropTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void labManifest_routeOnFrr_sigtermIsAdministrativeShutdown() throws Exception {
    run("skspkcmd", "10.250.8", "metallb-bgp-lab.yaml", false);
  }

  @Test
  void labManifestWithBfd_frrBfdPeerUp_sigtermIsAdministrativeShutdown() throws Exception {
    run("skspkcmdb", "10.250.9", "metallb-bgp-lab-bfd.yaml", true);
  }

  /**
   * The fixture's mistake kept: peerAddress is the node's own address (here the namespace link's host side). The
   * speaker says so in a peer-refused event instead of sitting in Connect/Active.
   */
  @Test
  void peerAddressOfThisHost_peerRefusedWithPlainMessage() throws Exception {
    try (Netns ns = Netns.create("skspkown", "10.250.12.1/30", "10.250.12.2/30")) {
      String manifest = Files.readString(Path.of("src/test/resources/fixtures/metallb-bgp-lab.yaml"));
      File config = new File(ns.dir(), "own.yaml");
      Files.writeString(config.toPath(), manifest.replace("peerAddress: 192.168.126.2", "peerAddress: "
          + ns.hostAddress()));
      try (JarProcess speaker = JarProcess.start("speaker", "--config", config.getPath())) {
        Poll.until(LIMIT, "a peer-refused event", () -> speaker.lines().stream().map(JarProcess::json)
            .anyMatch(e -> "peer-refused".equals(e.get("kind"))), () -> speaker.stdout() + "\n" + speaker.stderr());
        Map<String, Object> refused = speaker.lines().stream().map(JarProcess::json)
            .filter(e -> "peer-refused".equals(e.get("kind"))).findFirst().orElseThrow();
        assertEquals("onp-bgp-peer", refused.get("peer"), refused::toString);
        String reason = String.valueOf(refused.get("reason"));
        assertTrue(reason.contains("peerAddress " + ns.hostAddress() + " is an address of this host")
            && reason.contains(ns.hostInterface()) && reason.contains("set peerAddress to the router's address"),
            reason);
        assertTrue(speaker.lines().stream().map(JarProcess::json).noneMatch(e -> "bgp-state".equals(e.get("kind"))),
            "no session attempted: " + speaker.stdout());
        speaker.process().destroy();
        speaker.await(LIMIT);
      }
    }
  }

  private static void run(String name, String net, String fixture, boolean bfd) throws Exception {
    String host = net + ".1";
    String router = net + ".2";
    try (Netns ns = Netns.create(name, host + "/30", router + "/30")) {
      FrrRouter frr = FrrRouter.start(ns, """
          frr defaults traditional
          hostname %3$s
          !
          router bgp 64512
           bgp router-id %2$s
           neighbor %1$s remote-as 64512
           neighbor %1$s timers connect 1
          %4$s!
          """.formatted(host, router, name, bfd ? " neighbor " + host + " bfd profile fast\n" : ""), """
          bfd
           profile fast
            receive-interval 100
            transmit-interval 100
           !
          !
          """);
      String manifest = Files.readString(Path.of("src/test/resources/fixtures", fixture));
      assertTrue(manifest.contains("peerAddress: 192.168.126.2"), fixture);
      File config = new File(ns.dir(), fixture);
      manifest = manifest.replace("peerAddress: 192.168.126.2", "peerAddress: " + router);
      if (!bfd) {
        // EndpointSlices decide what this node (node-a) announces, as in MetalLB: echoserver has a ready endpoint
        // here; "elsewhere" (externalTrafficPolicy Local) only on node-b, so it is allocated but not announced
        manifest += """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: elsewhere, namespace: onp-metallb}
            spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 81}], selector: {app: other}}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: echoserver-1, namespace: onp-metallb, labels: {kubernetes.io/service-name: echoserver}}
            addressType: IPv4
            endpoints: [{addresses: [10.1.0.5], conditions: {ready: true}, nodeName: node-a}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: elsewhere-1, namespace: onp-metallb, labels: {kubernetes.io/service-name: elsewhere}}
            addressType: IPv4
            endpoints: [{addresses: [10.1.0.6], conditions: {ready: true}, nodeName: node-b}]
            """;
      }
      Files.writeString(config.toPath(), manifest);

      try (JarProcess speaker = JarProcess.start("speaker", "--config", config.getPath(), "--node-name", "node-a")) {
        Poll.until(LIMIT, "10.0.0.10/32 on FRR",
            () -> frr.json("show bgp ipv4 unicast 10.0.0.10/32 json").contains("\"paths\""),
            () -> frr.json("show bgp neighbors json") + "\nstdout:\n" + speaker.stdout() + "\nstderr:\n"
                + speaker.stderr());
        String route = frr.json("show bgp ipv4 unicast 10.0.0.10/32 json");
        assertTrue(route.contains("\"list\":[\"noAdvertise\"]"), route);
        assertTrue(route.contains("\"locPrf\":100"), route);
        assertTrue(route.contains("\"ip\":\"" + host + "\""), route);
        String neighbor = frr.json("show bgp neighbor " + host + " json");
        assertTrue(neighbor.contains("\"bgpTimerHoldTimeMsecs\":5000"), "holdTime: 5 from the manifest: " + neighbor);
        if (!bfd) {
          Poll.until(LIMIT, "elsewhere allocated", () -> speaker.lines().stream().map(JarProcess::json)
              .anyMatch(e -> "allocation".equals(e.get("kind")) && "onp-metallb/elsewhere".equals(e.get("service"))),
              speaker::stdout);
          String ours = frr.json("show bgp ipv4 unicast json");
          assertTrue(ours.contains("10.0.0.10/32") && !ours.contains("10.0.0.11/32"), ours);
          assertTrue(speaker.stderr().contains("onp-metallb/elsewhere: no ready endpoint for this node (node-a)"),
              speaker.stderr());
        }
        if (bfd) {
          Poll.until(LIMIT, "FRR's BFD peer Up",
              () -> "up".equals(FrrRouter.field(frr.json("show bfd peers json"), "status")),
              () -> frr.json("show bfd peers json") + "\n" + speaker.stdout());
          String peers = frr.json("show bfd peers json");
          assertEquals(host, FrrRouter.field(peers, "peer"), peers);
          assertEquals("100", FrrRouter.field(peers, "remote-receive-interval"), peers);
        } else {
          assertEquals("[]", frr.json("show bfd peers json"));
        }

        speaker.process().destroy(); // SIGTERM
        int exit = speaker.await(LIMIT);
        assertTrue(exit == 0 || exit == 143, "exit " + exit + "\n" + speaker.stderr());
        Poll.until(LIMIT, "FRR saw Cease / Administrative Shutdown and withdrew the route", () -> {
          String n = frr.json("show bgp neighbor " + host + " json");
          return !"Established".equals(FrrRouter.field(n, "bgpState"))
              && "Cease\\/AdministrativeShutdown".equals(FrrRouter.field(n, "lastNotificationReason"))
              && "speakerkit:processterminated".equals(FrrRouter.field(n, "lastShutdownDescription"))
              && !frr.json("show bgp ipv4 unicast json").contains("10.0.0.10/32");
        }, () -> frr.json("show bgp neighbor " + host + " json") + "\n" + speaker.stderr());

        List<String> lines = speaker.lines();
        assertTrue(!lines.isEmpty(), speaker.stderr());
        boolean established = false;
        for (String line : lines) {
          Map<String, Object> event = JarProcess.json(line);
          assertTrue(event.get("time") instanceof String t && t.matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z"), line);
          assertTrue(event.get("kind") instanceof String, line);
          established |= "bgp-state".equals(event.get("kind")) && "Established".equals(event.get("to"));
        }
        assertTrue(established, "a bgp-state event to Established:\n" + speaker.stdout());
        if (bfd) {
          assertTrue(lines.stream().map(JarProcess::json).anyMatch(e -> "Up".equals(e.get("to"))
              && String.valueOf(e.get("kind")).startsWith("bfd")), speaker.stdout());
        }
      }
    }
  }
}
