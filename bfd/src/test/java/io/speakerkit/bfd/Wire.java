package io.speakerkit.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.speakerkit.timers.ManualScheduler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.SplittableRandom;

/** Two {@link BfdDriver}s back to back on one {@link ManualScheduler}, with a cuttable, lossy link. */
final class Wire {

  final ManualScheduler scheduler = new ManualScheduler();
  final BfdDriver a;
  final BfdDriver b;
  final InetAddress addrA;
  final InetAddress addrB;
  boolean cut;
  double loss;
  long delayNanos = 100_000;
  final SplittableRandom lossRandom = new SplittableRandom(7);
  long delivered;

  Wire(long seed) {
    try {
      addrA = InetAddress.getByName("10.252.0.1");
      addrB = InetAddress.getByName("10.252.0.2");
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
    a = new BfdDriver(scheduler, new SplittableRandom(seed), new Io(true));
    b = new BfdDriver(scheduler, new SplittableRandom(seed + 1), new Io(false));
  }

  BfdSession[] pair(BfdProfile pa, BfdProfile pb, BfdAuthentication auth) {
    BfdSession sa = a.createSession(BfdSessionConfig.builder().localAddress(addrA).remoteAddress(addrB).profile(pa)
        .authentication(auth).build());
    BfdSession sb = b.createSession(BfdSessionConfig.builder().localAddress(addrB).remoteAddress(addrA).profile(pb)
        .authentication(auth).build());
    return new BfdSession[] {sa, sb};
  }

  BfdSession[] pair(InetAddress la, InetAddress lb, BfdProfile p) {
    BfdSession sa = a.createSession(BfdSessionConfig.builder().localAddress(la).remoteAddress(lb).profile(p).build());
    BfdSession sb = b.createSession(BfdSessionConfig.builder().localAddress(lb).remoteAddress(la).profile(p).build());
    return new BfdSession[] {sa, sb};
  }

  void run(Duration d) {
    scheduler.advance(d);
  }

  private final class Io implements BfdDriver.PacketIo {
    private final boolean fromA;

    Io(boolean fromA) {
      this.fromA = fromA;
    }

    @Override
    public ByteBuf allocate() {
      return Unpooled.buffer(64);
    }

    @Override
    public void send(BfdSession session, ByteBuf packet) {
      if (cut || loss > 0 && lossRandom.nextDouble() < loss) {
        packet.release();
        return;
      }
      BfdDriver to = fromA ? b : a;
      InetAddress local = session.remoteAddress();
      InetAddress remote = session.localAddress();
      scheduler.schedule(() -> {
        try {
          delivered++;
          to.receive(packet, local, remote, session.multihop());
        } finally {
          packet.release();
        }
      }, Duration.ofNanos(delayNanos));
    }
  }
}
