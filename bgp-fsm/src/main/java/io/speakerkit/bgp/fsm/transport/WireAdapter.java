package io.speakerkit.bgp.fsm.transport;

import io.speakerkit.bgp.fsm.AddPathMode;
import io.speakerkit.bgp.fsm.BgpEvent;
import io.speakerkit.bgp.fsm.BgpIdentifier;
import io.speakerkit.bgp.fsm.Capabilities;
import io.speakerkit.bgp.fsm.GracefulRestart;
import io.speakerkit.bgp.fsm.Notification;
import io.speakerkit.bgp.fsm.OpenMessage;
import io.speakerkit.bgp.wire.AddressFamily;
import io.speakerkit.bgp.wire.Afi;
import io.speakerkit.bgp.wire.BgpDecodeException;
import io.speakerkit.bgp.wire.capability.AddPathCapability;
import io.speakerkit.bgp.wire.capability.Capability;
import io.speakerkit.bgp.wire.capability.EnhancedRouteRefreshCapability;
import io.speakerkit.bgp.wire.capability.ExtendedMessageCapability;
import io.speakerkit.bgp.wire.capability.ExtendedNextHopCapability;
import io.speakerkit.bgp.wire.capability.FourOctetAsCapability;
import io.speakerkit.bgp.wire.capability.GracefulRestartCapability;
import io.speakerkit.bgp.wire.capability.MultiprotocolCapability;
import io.speakerkit.bgp.wire.capability.RoleCapability;
import io.speakerkit.bgp.wire.capability.RouteRefreshCapability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Converts between the codec's messages ({@code io.speakerkit.bgp.wire}) and the state machine's events. Pure. */
public final class WireAdapter {

  private WireAdapter() {}

  /** The state machine's view of a decoded OPEN. */
  public static OpenMessage fromWire(io.speakerkit.bgp.wire.OpenMessage open) {
    Capabilities.Builder caps = Capabilities.builder();
    for (Capability c : open.capabilities()) {
      if (c instanceof MultiprotocolCapability mp) {
        caps.multiprotocol(mp.family());
      } else if (c instanceof FourOctetAsCapability f) {
        caps.fourOctetAs(f.asNumber());
      } else if (c instanceof RouteRefreshCapability) {
        caps.routeRefresh(true);
      } else if (c instanceof EnhancedRouteRefreshCapability) {
        caps.enhancedRouteRefresh(true);
      } else if (c instanceof ExtendedMessageCapability) {
        caps.extendedMessage(true);
      } else if (c instanceof ExtendedNextHopCapability enh) {
        boolean any = false;
        for (ExtendedNextHopCapability.Entry e : enh.entries()) {
          if (e.nextHopAfi().equals(Afi.IPV6)) {
            caps.extendedNextHop(e.nlriFamily());
            any = true;
          }
        }
        if (!any) {
          caps.other(c.code()); // only other next-hop AFIs, none of which we use
        }
      } else if (c instanceof AddPathCapability ap) {
        for (AddPathCapability.Family f : ap.families()) {
          AddPathMode mode = AddPathMode.valueOf(f.sendReceive());
          if (mode != null) {
            caps.addPath(f.family(), mode);
          }
        }
      } else if (c instanceof GracefulRestartCapability gr) {
        Map<AddressFamily, Boolean> fwd = new HashMap<>();
        for (GracefulRestartCapability.Family f : gr.families()) {
          fwd.put(f.family(), f.forwardingPreserved());
        }
        caps.gracefulRestart(new GracefulRestart(gr.restarting(), gr.restartTime(), fwd, gr.notificationSupported()));
      } else if (c instanceof RoleCapability role) {
        caps.role(role.role());
      } else {
        caps.other(c.code());
      }
    }
    return new OpenMessage(open.version(), open.myAs(), open.holdTime(), new BgpIdentifier(open.bgpIdentifier()),
        caps.build());
  }

  /** The OPEN to put on the wire. */
  public static io.speakerkit.bgp.wire.OpenMessage toWire(OpenMessage open) {
    Capabilities c = open.capabilities();
    List<Capability> caps = new ArrayList<>();
    for (AddressFamily f : c.multiprotocol()) {
      caps.add(new MultiprotocolCapability(f));
    }
    if (c.routeRefresh()) {
      caps.add(RouteRefreshCapability.INSTANCE);
    }
    if (c.enhancedRouteRefresh()) {
      caps.add(EnhancedRouteRefreshCapability.INSTANCE);
    }
    if (c.extendedMessage()) {
      caps.add(ExtendedMessageCapability.INSTANCE);
    }
    c.fourOctetAs().ifPresent(as -> caps.add(new FourOctetAsCapability(as)));
    if (!c.extendedNextHop().isEmpty()) {
      caps.add(new ExtendedNextHopCapability(c.extendedNextHop().stream()
          .map(f -> new ExtendedNextHopCapability.Entry(f, Afi.IPV6)).toList()));
    }
    if (!c.addPath().isEmpty()) {
      List<AddPathCapability.Family> fams = new ArrayList<>();
      c.addPath().forEach((f, m) -> fams.add(new AddPathCapability.Family(f, m.value())));
      caps.add(new AddPathCapability(fams));
    }
    c.gracefulRestart().ifPresent(gr -> {
      List<GracefulRestartCapability.Family> fams = new ArrayList<>();
      gr.forwardingState().forEach((f, fwd) -> fams.add(
          new GracefulRestartCapability.Family(f, fwd ? GracefulRestartCapability.FORWARDING_STATE : 0)));
      // The N bit (RFC 8538) only when asked for: the session then sends its ending Ceases as Hard Reset.
      int flags = (gr.restartState() ? GracefulRestartCapability.RESTART_STATE : 0)
          | (gr.notification() ? GracefulRestartCapability.NOTIFICATION : 0);
      caps.add(new GracefulRestartCapability(flags, gr.restartTimeSeconds(), fams));
    });
    for (int role : c.roles()) {
      caps.add(new RoleCapability(role));
    }
    return new io.speakerkit.bgp.wire.OpenMessage(open.version(), open.myAs(), open.holdTime(),
        open.bgpIdentifier().value(),
        caps.isEmpty() ? List.of() : List.of(new io.speakerkit.bgp.wire.CapabilityParameter(caps)), false);
  }

  public static Notification fromWire(io.speakerkit.bgp.wire.Notification n) {
    return new Notification(n.code(), n.subcode(), n.data());
  }

  public static io.speakerkit.bgp.wire.Notification toWire(Notification n) {
    return new io.speakerkit.bgp.wire.Notification(n.code(), n.subcode(), n.data());
  }

  /**
   * The event for a decode failure: Message Header Error is Event 21, OPEN Message Error Event 22, UPDATE Message
   * Error Event 28; anything else is treated as a header error (the stream can no longer be trusted).
   */
  public static BgpEvent eventFor(BgpDecodeException e) {
    Notification n = new Notification(e.code(), e.subcode(), e.data());
    return switch (e.code()) {
      case Notification.OPEN_MESSAGE_ERROR -> new BgpEvent.BGPOpenMsgErr(n);
      case Notification.UPDATE_MESSAGE_ERROR -> new BgpEvent.UpdateMsgErr(n);
      default -> new BgpEvent.BGPHeaderErr(n);
    };
  }
}
