package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.FsmConfig;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.IpPrefix;
import io.speakerkit.bgp.wire.attribute.PathAttributes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

/**
 * A speaker in its own process for the graceful restart test, which kills it with SIGKILL:
 * {@code GrSpeakerMain LOCAL PEER RESTARTING PREFIX...}.
 */
public final class GrSpeakerMain {

  private GrSpeakerMain() {}

  public static void main(String[] args) throws Exception {
    InetAddress local = InetAddress.getByName(args[0]);
    InetAddress peer = InetAddress.getByName(args[1]);
    boolean restarting = Boolean.parseBoolean(args[2]);
    BgpTransport t = BgpTransport.builder().build();
    BgpSession s = BgpSession.builder().transport(t).peer(peer).localAddress(local)
        .config(FsmConfig.builder().localAs(65201).peerAs(65202).bgpIdentifier(BgpIdentifier.parse(args[0]))
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(2))
            // RFC 4724: restart time 120 s, forwarding preserved for IPv4; R bit set after a restart
            .gracefulRestart(new GracefulRestart(restarting, 120, Map.of(AddressFamily.IPV4_UNICAST, true)))
            .build())
        .build();
    s.addListener(c -> System.out.println("state " + c.from() + " -> " + c.to() + ": " + c.cause()));
    for (int i = 3; i < args.length; i++) {
      s.announce(IpPrefix.parse(args[i]), PathAttributes.builder().build());
    }
    s.start();
    Thread.currentThread().join(); // until killed
  }
}
