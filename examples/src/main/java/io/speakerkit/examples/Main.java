package io.speakerkit.examples;

import io.speakerkit.examples.manifest.ManifestException;
import io.speakerkit.speaker.DynamicAsn;
import io.speakerkit.speaker.EventHub;
import io.speakerkit.speaker.PeerConfig;
import io.speakerkit.speaker.Speaker;
import io.speakerkit.speaker.SpeakerConfig;
import io.speakerkit.speaker.SpeakerEvent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar speakerkit.jar <command>}: the runnable examples. Exit codes: 0 success, 1 runtime failure,
 * 2 usage or invalid manifests.
 */
public final class Main {

  static final String USAGE = """
      usage: java -jar speakerkit.jar <command> [options]

      commands:
        demo       the MetalLB BGP lab in one process on loopback: a speaker and a router, no root needed
        speaker    run a speaker from MetalLB manifests (IPAddressPool, BGPPeer, BGPAdvertisement,
                   BFDProfile, Community, Secret, Service, EndpointSlice, Node)
        collector  accept BGP sessions and print every route received as JSON lines

      'java -jar speakerkit.jar <command> --help' describes a command's options.
      """;

  static final String SPEAKER_USAGE = """
      usage: java -jar speakerkit.jar speaker --config FILE|DIR [--config ...] [options]

        --config FILE|DIR    multi-document YAML (or JSON) of MetalLB objects and LoadBalancer Services, or a
                             directory of such .yaml/.yml/.json files, as kubectl apply -f (repeatable)
        --check              validate the manifests, print what would run, and exit
        --node-name NAME     this node's name, matched by nodeSelectors (default: $METALLB_NODE_NAME, as
                             MetalLB's speaker reads it from the pod's spec.nodeName, else the host name)
        --node-label K=V     a label of this node, matched by nodeSelectors (repeatable), over the labels of
                             this node's Node object when the manifests hold one; a node labelled
                             node.kubernetes.io/exclude-from-external-load-balancers announces no service
        --ignore-exclude-lb  announce from such a node anyway (as MetalLB's flag of that name)
        --lb-class CLASS     serve only Services of this loadBalancerClass (default: Services without one)
        --allow-local-peers  allow a peerAddress of this host (a lab with the router on the same machine);
                             without it such a peer is refused, as it is almost always a mistake
        --capture FILE       write every BGP and BFD packet sent and received to a pcap file (Wireshark, tshark)
        --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics under MetalLB's names
                             (metallb_bgp_session_up, metallb_bfd_session_up, ...; MetalLB's speaker uses port 7472)
        --help               this text

      Prints one JSON object per event on stdout (README: "Event stream"), a human-readable log on stderr.
      Runs until SIGINT or SIGTERM, then stops every session with Cease / Administrative Shutdown.
      Invalid manifests exit with status 2 and a message naming the object, the field and the reason.
      A --config file that changes while running is read again and what changed is applied (peers, pools,
      advertisements, Services, EndpointSlices); manifests that no longer read leave the running configuration.
      """;

  static final String COLLECTOR_USAGE = """
      usage: java -jar speakerkit.jar collector --listen ADDR:PORT --asn N --peer ADDR[@ASN] [--peer ...]

        --listen ADDR:PORT   where to accept BGP connections, e.g. 192.0.2.10:179 or [2001:db8::10]:179
        --asn N              our AS number
        --peer ADDR[@ASN]    a peer to accept (repeatable); without @ASN any AS is accepted
        --router-id A.B.C.D  our BGP identifier (default: our address toward each peer)
        --mrt FILE           also write every UPDATE received and every session state change to FILE in MRT
                             format (RFC 6396 BGP4MP, as FRR's "dump bgp updates"), for bgpdump or BGPStream
        --mrt-rib FILE       also write a snapshot of every peer's routes to FILE in MRT format (RFC 6396
                             TABLE_DUMP_V2, the RIB files of RouteViews and RIS), replaced every interval
        --mrt-rib-interval D how often (Go duration: 30s, 15m, 2h; default 2h)
        --help               this text

      Never dials out. Prints one JSON object per event on stdout: every route received (route-received,
      with next hop, AS path, communities, local preference), withdrawals, and session state changes.
      Connections from addresses not listed are closed at once. Runs until SIGINT or SIGTERM.
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 2 && args[0].equals("help")) {
      return run(new String[] {args[1], "--help"}, out, err); // help speaker: the command's options, as git help
    }
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      (args.length == 0 ? err : out).print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "speaker" -> speaker(rest, out, err);
      case "demo" -> demo(rest, out, err);
      case "collector" -> collector(rest, out, err);
      default -> {
        err.println("unknown command: " + args[0]);
        err.print(USAGE);
        yield 2;
      }
    };
  }

  /** How often the speaker command looks at its --config files for changes. */
  static final java.time.Duration RELOAD_INTERVAL = java.time.Duration.ofSeconds(1);

  /**
   * Starts the speaker, hands it to {@code serve} (which announces the services and may return a thread to stop at
   * the end, or null), prints events as JSON lines until SIGINT/SIGTERM.
   */
  private static int runUntilSignalled(Speaker speaker, java.util.function.Function<Speaker, Thread> serve,
      PrintStream out, PrintStream err, String command, AutoCloseable alongside) {
    EventHub.Subscription<SpeakerEvent> events = speaker.subscribe(100_000);
    Thread printer = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Object next = events.poll(1, TimeUnit.SECONDS);
          if (next != null) {
            try {
              out.println(JsonEvents.toJson(next));
            } catch (RuntimeException e) { // one event that cannot be printed must not end the event stream
              err.println(command + ": event not printed: " + next + ": " + e);
            }
            if (out.checkError()) {
              // stdout is gone (| head, a consumer that exited): stop as a SIGPIPE would, through the shutdown hook
              // (Cease to the peers, files flushed), instead of running on with nobody reading
              err.println(command + ": standard output closed, stopping");
              new Thread(() -> System.exit(141), "speakerkit-stdout-closed").start();
              return;
            }
          }
        }
      } catch (InterruptedException e) {
        // stopping
      }
    }, "speakerkit-events");
    printer.setDaemon(true);
    printer.start();
    CountDownLatch done = new CountDownLatch(1);
    // A SIGTERM during start-up waits for start() and serving to begin, then stops both; or, before them, skips them.
    Object starting = new Object();
    Thread[] served = new Thread[1];
    boolean[] terminated = new boolean[1];
    Thread hook = new Thread(() -> {
      synchronized (starting) {
        terminated[0] = true;
        if (served[0] != null) {
          served[0].interrupt();
        }
      }
      speaker.stop("speakerkit: process terminated");
      printer.interrupt();
      try {
        printer.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (Object rest : events.drain()) {
        try {
          out.println(JsonEvents.toJson(rest));
        } catch (RuntimeException e) { // as in the printer: one event that cannot be printed must not end the rest
          err.println(command + ": event not printed: " + rest + ": " + e);
        }
      }
      out.flush();
      done.countDown();
    }, "speakerkit-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    synchronized (starting) {
      if (!terminated[0]) {
        try {
          speaker.start();
        } catch (RuntimeException e) {
          // e.g. the listen address taken (port 179 without root), a capture file in a missing directory
          err.println(command + ": cannot start: " + e.getMessage());
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway and finds nothing running
          }
          printer.interrupt();
          try {
            if (alongside != null) {
              alongside.close(); // the metrics endpoint, whose server thread would keep the JVM alive
            }
          } catch (Exception closing) {
            e.addSuppressed(closing);
          }
          return 1;
        }
        served[0] = serve.apply(speaker);
      }
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static int collector(String[] args, PrintStream out, PrintStream err) {
    InetSocketAddress listen = null;
    Long asn = null;
    Inet4Address routerId = null;
    Path mrt = null;
    Path mrtRib = null;
    java.time.Duration mrtRibInterval = java.time.Duration.ofHours(2);
    List<String> peerArgs = new ArrayList<>();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          out.print(COLLECTOR_USAGE);
          return 0;
        }
        if (!List.of("--listen", "--asn", "--peer", "--router-id", "--mrt", "--mrt-rib", "--mrt-rib-interval")
            .contains(a)) {
          throw new IllegalArgumentException("unknown option: " + a);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--listen" -> listen = socketAddress(v);
          case "--asn" -> asn = asNumber("--asn " + v, v);
          case "--peer" -> peerArgs.add(v);
          case "--router-id" -> {
            // a dotted quad of octets, not 0.0.0.0 (RFC 6286 §2.1: a non-zero BGP Identifier); checked before the
            // lookup, which would take 999.1.1.1 for a host name
            if (!v.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")
                || v.equals("0.0.0.0") || !(InetAddress.getByName(v) instanceof Inet4Address id)) {
              throw new IllegalArgumentException(
                  "--router-id " + v + ": expected an IPv4 address other than 0.0.0.0 (RFC 4271 BGP Identifier)");
            }
            routerId = id;
          }
          case "--mrt" -> mrt = Path.of(v);
          case "--mrt-rib" -> mrtRib = Path.of(v);
          case "--mrt-rib-interval" -> {
            try {
              mrtRibInterval = io.speakerkit.examples.manifest.GoDuration.parse(v);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--mrt-rib-interval " + e.getMessage(), e);
            }
          }
          default -> throw new IllegalArgumentException("unknown option: " + a);
        }
      }
      if (listen == null || asn == null || peerArgs.isEmpty()) {
        throw new IllegalArgumentException("--listen, --asn and at least one --peer are required");
      }
      SpeakerConfig.Builder config = SpeakerConfig.builder();
      java.util.Set<InetAddress> peerAddresses = new java.util.HashSet<>();
      for (String peer : peerArgs) {
        int at = peer.lastIndexOf('@');
        InetAddress address = InetAddress.getByName(at < 0 ? peer : peer.substring(0, at));
        if (!peerAddresses.add(address)) {
          throw new IllegalArgumentException("--peer " + peer + ": that address is given twice");
        }
        PeerConfig.Builder b = PeerConfig.builder().name(JsonEvents.text(address)).myAsn(asn).peerAddress(address);
        if (at < 0) {
          b.dynamicAsn(DynamicAsn.ANY);
        } else {
          b.peerAsn(asNumber("--peer " + peer, peer.substring(at + 1)));
        }
        if (!listen.getAddress().isAnyLocalAddress()
            && (listen.getAddress() instanceof Inet4Address) == (address instanceof Inet4Address)) {
          b.sourceAddress(listen.getAddress());
        }
        if (routerId != null) {
          b.routerId(routerId);
        }
        config.peer(b.build());
      }
      Speaker.Builder builder = Speaker.builder().config(config.build()).listen(listen).passive(true)
          .allowLocalPeers(true);
      if (mrt != null) {
        builder.mrtDump(mrt);
      }
      if (mrtRib != null) {
        try {
          builder.mrtRibDump(mrtRib, mrtRibInterval);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--mrt-rib-interval: " + e.getMessage(), e);
        }
      }
      Speaker collector = builder.build();
      return runUntilSignalled(collector, started -> null, out, err, "collector", null);
    } catch (IllegalArgumentException | java.net.UnknownHostException | ClassCastException e) {
      err.println("collector: " + e.getMessage());
      err.print(COLLECTOR_USAGE);
      return 2;
    }
  }

  private static long asNumber(String seen, String text) {
    try {
      long asn = Long.parseLong(text);
      if (asn < 1 || asn > 4294967295L) {
        throw new NumberFormatException(text);
      }
      return asn;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(seen + " (expected: an AS number, 1-4294967295)");
    }
  }

  /** {@code 192.0.2.1:179}, {@code [2001:db8::1]:179}. */
  static InetSocketAddress socketAddress(String text) throws java.net.UnknownHostException {
    return socketAddress("--listen", text);
  }

  /**
   * The value {@code text} of {@code option}: {@code 192.0.2.1:179}, {@code [2001:db8::1]:179}, or {@code :7472} for
   * every address (as Go programs such as MetalLB's speaker and Prometheus read it).
   */
  static InetSocketAddress socketAddress(String option, String text) throws java.net.UnknownHostException {
    boolean listen = option.equals("--listen");
    String expected = " (expected: ADDR:PORT, e.g. " + (listen ? "192.0.2.10:179" : "127.0.0.1:7472");
    int colon = text.lastIndexOf(':');
    int port = -1;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      // reported below
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(option + " " + text + expected + ")");
    }
    String host = text.substring(0, colon);
    if (host.isEmpty()) {
      return new InetSocketAddress(port); // the wildcard address
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      // an IPv6 address without brackets leaves the port ambiguous; Go's net.SplitHostPort refuses it too
      throw new IllegalArgumentException(option + " " + text + expected + ", an IPv6 address in brackets: "
          + (listen ? "[2001:db8::1]:179" : "[2001:db8::1]:7472") + ")");
    }
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  /** As MetalLB's speaker: METALLB_NODE_NAME (a DaemonSet sets it from spec.nodeName), else the host name. */
  static String defaultNodeName(java.util.Map<String, String> env) {
    String fromEnv = env.get("METALLB_NODE_NAME");
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : hostName();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static int demo(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.print(Demo.USAGE);
      return 0;
    }
    if (args.length > 0) {
      err.println("demo takes no options: " + String.join(" ", args));
      err.print(Demo.USAGE);
      return 2;
    }
    // The demo prints its own account of events; the library's INFO log would repeat it on stderr.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    try {
      return new Demo(out).run();
    } catch (Exception e) {
      err.println("demo failed: " + e);
      return 1;
    }
  }

  private static int speaker(String[] args, PrintStream out, PrintStream err) {
    List<Path> configs = new ArrayList<>();
    boolean check = false;
    String lbClass = null;
    String nodeName = null;
    boolean allowLocal = false;
    boolean ignoreExcludeLb = false;
    Path capture = null;
    InetSocketAddress metrics = null;
    java.util.Map<String, String> nodeLabels = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.print(SPEAKER_USAGE);
          return 0;
        }
        case "--config" -> {
          if (i + 1 >= args.length) {
            err.println("--config needs a file");
            return 2;
          }
          configs.add(Path.of(args[++i]));
        }
        case "--check" -> check = true;
        case "--allow-local-peers" -> allowLocal = true;
        case "--ignore-exclude-lb" -> ignoreExcludeLb = true;
        case "--capture" -> {
          if (i + 1 >= args.length) {
            err.println("--capture needs a file");
            return 2;
          }
          capture = Path.of(args[++i]);
        }
        case "--metrics" -> {
          if (i + 1 >= args.length) {
            err.println("--metrics needs ADDR:PORT");
            return 2;
          }
          try {
            metrics = socketAddress("--metrics", args[++i]);
          } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            err.println(e.getMessage());
            return 2;
          }
        }
        case "--lb-class" -> {
          if (i + 1 >= args.length) {
            err.println("--lb-class needs a class name");
            return 2;
          }
          lbClass = args[++i];
        }
        case "--node-name" -> {
          if (i + 1 >= args.length) {
            err.println("--node-name needs a name");
            return 2;
          }
          nodeName = args[++i];
        }
        case "--node-label" -> {
          if (i + 1 >= args.length || args[i + 1].indexOf('=') < 1) {
            err.println("--node-label needs KEY=VALUE");
            return 2;
          }
          String kv = args[++i];
          nodeLabels.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        default -> {
          err.println("unknown option: " + args[i]);
          err.print(SPEAKER_USAGE);
          return 2;
        }
      }
    }
    if (configs.isEmpty()) {
      err.println("speaker: at least one --config FILE is required");
      err.print(SPEAKER_USAGE);
      return 2;
    }
    for (Path p : configs) {
      if (!Files.isReadable(p)) {
        err.println("speaker: cannot read " + p + ": "
            + (Files.exists(p) ? "permission denied" : "no such file or directory"));
        return 2;
      }
    }
    String node = nodeName != null ? nodeName : defaultNodeName(System.getenv());
    ManifestReloader manifests = new ManifestReloader(configs, lbClass, node, nodeLabels, err);
    ManifestReloader.Loaded loaded;
    try {
      loaded = manifests.load();
    } catch (ManifestException e) {
      err.println("invalid manifest: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("speaker: " + e.getMessage());
      return 1;
    }
    if (!check) {
      Speaker.Builder builder = Speaker.builder().config(loaded.config()).node(loaded.node())
          .allowLocalPeers(allowLocal)
          .ignoreExcludeLb(ignoreExcludeLb);
      if (capture != null) {
        builder.capture(capture);
      }
      Speaker speaker = builder.build();
      MetricsEndpoint endpoint = null;
      if (metrics != null) {
        try {
          endpoint = MetricsEndpoint.start(metrics, speaker, node, manifests::status); // serves until the process exits
        } catch (IOException e) {
          err.println("speaker: cannot serve metrics on " + metrics + ": " + e);
          return 1;
        }
      }
      return runUntilSignalled(speaker, started -> {
        manifests.serve(started, loaded);
        Thread watcher = new Thread(() -> manifests.watch(RELOAD_INTERVAL), "speakerkit-manifests");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
      }, out, err, "speaker", endpoint);
    }
    out.println(loaded.summary());
    return 0;
  }
}
