package io.speakerkit.bfd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Drives one {@link BfdFsm} by hand: records what it sends and its state changes, feeds it packets. */
final class Recorder implements BfdFsm.Output {

  record Sent(long at, ControlPacket packet) {}

  record Change(SessionState from, SessionState to, Diagnostic diag, long at) {}

  final List<Sent> sent = new ArrayList<>();
  final List<Change> changes = new ArrayList<>();
  final List<byte[]> raw = new ArrayList<>();
  long now;
  BfdFsm fsm;

  static Recorder of(int discr, BfdProfile profile) {
    return of(discr, profile, BfdAuthentication.NONE, new SplittableRandom(42));
  }

  static Recorder of(int discr, BfdProfile profile, BfdAuthentication auth, RandomGenerator random) {
    Recorder r = new Recorder();
    r.fsm = new BfdFsm(discr, profile, auth, random, r);
    return r;
  }

  @Override
  public void transmit(BfdFsm f, boolean poll, boolean fin) {
    ByteBuf buf = Unpooled.buffer();
    try {
      f.writeControlPacket(buf, poll, fin);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.getBytes(buf.readerIndex(), bytes);
      raw.add(bytes);
      sent.add(new Sent(now, ControlPacket.decode(buf)));
    } finally {
      buf.release();
    }
  }

  @Override
  public void stateChanged(BfdFsm f, SessionState oldState, SessionState newState, Diagnostic diag, long at) {
    changes.add(new Change(oldState, newState, diag, at));
  }

  void start() {
    fsm.start(now);
  }

  /** Advances to {@code t}, running every deadline on the way. */
  void runUntil(long t) {
    while (fsm.nextDeadlineNanos() <= t) {
      now = Math.max(now, fsm.nextDeadlineNanos());
      fsm.onTimer(now);
    }
    now = Math.max(now, t);
  }

  DiscardReason receive(ControlPacket p) {
    ByteBuf buf = Unpooled.buffer();
    try {
      p.encode(buf);
      return fsm.onPacket(buf, now);
    } finally {
      buf.release();
    }
  }

  DiscardReason receiveRaw(byte[] bytes) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      return fsm.onPacket(buf, now);
    } finally {
      buf.release();
    }
  }

  ControlPacket last() {
    return sent.get(sent.size() - 1).packet();
  }

  /** A packet from the peer with discriminator {@code peer}, addressed to this session. */
  ControlPacket fromPeer(int peer, SessionState state, long txMicros, long rxMicros, int mult) {
    return ControlPacket.of(state, Diagnostic.NO_DIAGNOSTIC, false, false, mult, peer, fsm.localDiscr(), txMicros,
        rxMicros);
  }

  static final long MS = 1_000_000L;
}
