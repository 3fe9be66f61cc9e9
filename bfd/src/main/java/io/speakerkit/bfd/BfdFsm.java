package io.speakerkit.bfd;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One BFD session's state machine (RFC 5880 §6.8), sans-IO: no sockets, no clock, no threads. Events come in as
 * method calls carrying the current time ({@link #onPacket}, {@link #onTimer}, {@link #updateProfile},
 * {@link #adminDown}, {@link #enable}); actions go out through {@link Output} (send a control packet, state changed),
 * and {@link #nextDeadlineNanos()} says when the driver must call {@link #onTimer} next.
 *
 * <p>The machine is mutable rather than returning a new state per event so that the steady path (one received and
 * one sent packet per interval) allocates nothing: {@link #onPacket} reads fields from the received buffer, and
 * {@link #writeControlPacket} writes straight into the driver's buffer.
 *
 * <p>State variables carry the RFC 5880 §6.8.1 names (bfd.X is field {@code x}). Two of the RFC's rules need more
 * than one copy of a variable while a Poll Sequence runs (§6.8.3): the transmit interval actually used keeps the old
 * bfd.DesiredMinTxInterval when it was increased, and the Detection Time keeps the old bfd.RequiredMinRxInterval when
 * it was reduced, until the Final arrives.
 *
 * <p>Not thread-safe: one driver thread calls every method.
 */
public final class BfdFsm {

  /** Where the machine's actions go. Called synchronously from the event method, on the driver's thread. */
  public interface Output {
    /**
     * Send one control packet now: the driver calls {@link BfdFsm#writeControlPacket(ByteBuf, boolean, boolean)}
     * with these bits.
     */
    void transmit(BfdFsm fsm, boolean poll, boolean fin);

    /** bfd.SessionState changed. */
    void stateChanged(BfdFsm fsm, SessionState oldState, SessionState newState, Diagnostic diag, long atNanos);
  }

  /** RFC 5880 §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least one second. */
  static final int SLOW_TX_MICROS = 1_000_000;

  private final Output output;
  private final RandomGenerator random;

  private BfdProfile profile;
  private final BfdAuthentication auth;

  /** bfd.SessionState. */
  private SessionState sessionState = SessionState.Down;
  /** bfd.RemoteSessionState. */
  private SessionState remoteSessionState = SessionState.Down;
  /** bfd.LocalDiscr. */
  private final int localDiscr;
  /** bfd.RemoteDiscr. */
  private int remoteDiscr;
  /** bfd.LocalDiag. */
  private Diagnostic localDiag = Diagnostic.NO_DIAGNOSTIC;
  /** bfd.DesiredMinTxInterval, microseconds: the value advertised. */
  private long desiredMinTxInterval;
  /** bfd.RequiredMinRxInterval, microseconds: the value advertised. */
  private long requiredMinRxInterval;
  /** bfd.RemoteMinRxInterval, microseconds. */
  private long remoteMinRxInterval = 1;
  /** bfd.DemandMode: this engine never asks for Demand mode. */
  private final boolean demandMode = false;
  /** bfd.RemoteDemandMode. */
  private boolean remoteDemandMode;
  /** bfd.DetectMult. */
  private int detectMult;
  /** bfd.AuthType. */
  private final AuthType authType;
  /** bfd.RcvAuthSeq. */
  private int rcvAuthSeq;
  /** bfd.XmitAuthSeq. */
  private int xmitAuthSeq;
  /** bfd.AuthSeqKnown. */
  private boolean authSeqKnown;

  // Beyond §6.8.1.
  /** Detect Mult of the last accepted packet. */
  private int remoteDetectMult;
  /** Desired Min TX Interval of the last accepted packet, microseconds. */
  private long remoteDesiredMinTx;
  /** The bfd.DesiredMinTxInterval the transmit interval uses (the old one while an increase is being polled). */
  private long txDesiredInUse;
  /** The bfd.RequiredMinRxInterval the Detection Time uses (the old one while a reduction is being polled). */
  private long detectRequiredMinRx;
  /** A Poll Sequence of ours is in progress. */
  private boolean pollActive;
  /** Parameters changed again during the poll: the Final applies the values polled first, then a new poll runs. */
  private boolean pollDirty;
  private long polledDesiredMinTx;
  private long polledRequiredMinRx;

  /** How late the driver's timer may fire (its slack grid), taken off the longest jittered interval. */
  private long txSlackNanos;
  private long txDeadline = Long.MAX_VALUE;
  /** The transmit interval, microseconds, that {@link #txDeadline} was drawn from. */
  private long txDeadlineInterval;
  private long detectDeadline = Long.MAX_VALUE;
  private long lastTxNanos = Long.MIN_VALUE;
  private long lastRxNanos = Long.MIN_VALUE;
  private long lastDetectTimeNanos;
  private long stateSinceNanos;

  // Counters.
  private long controlIn;
  private long controlOut;
  private long upTransitions;
  private long downTransitions;
  private long discardedTtl;
  private long discardedAuth;
  private long discardedDiscr;
  private long discardedMalformed;
  private long txLateMax;
  private long txLateTotal;
  private final long[] txLateBuckets = new long[7];
  private long pollsStarted;
  private long pollsCompleted;
  private long finalsSent;

  // Authentication scratch, reused for every packet.
  private final MessageDigest digest;
  private final byte[] scratch = new byte[ControlPacketCodec.MAX_LENGTH];
  private final byte[] computed = new byte[20];

  /**
   * A new session in state Down (or AdminDown if {@code adminDown}); call {@link #start(long)} to begin
   * transmitting.
   *
   * @param localDiscr bfd.LocalDiscr, non-zero and unique among the driver's sessions
   * @param profile the timers
   * @param auth the authentication, {@link BfdAuthentication#NONE} for none
   * @param random the source of transmit jitter and of the initial bfd.XmitAuthSeq
   * @param output where actions go
   */
  public BfdFsm(int localDiscr, BfdProfile profile, BfdAuthentication auth, RandomGenerator random, Output output) {
    if (localDiscr == 0) {
      throw new IllegalArgumentException("localDiscr: 0 (expected: non-zero, RFC 5880 §6.8.1)");
    }
    this.localDiscr = localDiscr;
    this.profile = Objects.requireNonNull(profile, "profile");
    this.auth = Objects.requireNonNull(auth, "auth");
    this.random = Objects.requireNonNull(random, "random");
    this.output = Objects.requireNonNull(output, "output");
    this.authType = auth.type();
    this.detectMult = profile.detectMultiplier();
    this.requiredMinRxInterval = profile.requiredMinRxMicros();
    this.detectRequiredMinRx = requiredMinRxInterval;
    this.desiredMinTxInterval = Math.max(SLOW_TX_MICROS, profile.desiredMinTxMicros());
    this.txDesiredInUse = desiredMinTxInterval;
    // RFC 5880 §6.8.1: bfd.XmitAuthSeq MUST be initialized to a random 32 bit value.
    this.xmitAuthSeq = random.nextInt();
    this.digest = newDigest(authType);
  }

  private static MessageDigest newDigest(AuthType type) {
    try {
      switch (type) {
        case KEYED_MD5:
        case METICULOUS_KEYED_MD5:
          return MessageDigest.getInstance("MD5");
        case KEYED_SHA1:
        case METICULOUS_KEYED_SHA1:
          return MessageDigest.getInstance("SHA-1");
        default:
          return null;
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no " + type + " digest", e);
    }
  }

  // ---------------------------------------------------------------- events

  /** Starts periodic transmission (unless passive): the first packet leaves after one jittered interval. */
  public void start(long now) {
    stateSinceNanos = now;
    scheduleNextTx(now);
  }

  /**
   * Runs whatever is due at {@code now}: the Detection Time (RFC 5880 §6.8.4) and the periodic transmission
   * (§6.8.7).
   */
  public void onTimer(long now) {
    if (now >= detectDeadline) {
      detectDeadline = Long.MAX_VALUE;
      detectionTimeExpired(now);
    }
    if (now >= txDeadline) {
      long late = now - txDeadline;
      recordLateness(late);
      txDeadline = Long.MAX_VALUE;
      if (mayTransmitPeriodic()) {
        send(pollActive, false);
      }
      lastTxNanos = now;
      scheduleNextTx(now);
    }
  }

  private void detectionTimeExpired(long now) {
    // RFC 5880 §6.8.1 bfd.RemoteDiscr: zeroed when a Detection Time passes without a valid packet.
    remoteDiscr = 0;
    // RFC 5880 §6.8.4: in Init or Up, the session goes Down with diagnostic 1.
    if (sessionState == SessionState.Init || sessionState == SessionState.Up) {
      changeState(SessionState.Down, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, now);
    }
    if (profile.passiveMode()) {
      // A passive system speaks only once the peer has: bfd.RemoteDiscr is 0 again. It waits as at the start, so
      // that the peer's next packet starts its transmissions again (RFC 5880 §6.8.7).
      txDeadline = Long.MAX_VALUE;
      lastTxNanos = Long.MIN_VALUE;
    }
  }

  /**
   * A received control packet that the driver has demultiplexed to this session (RFC 5880 §6.8.6); the TTL check
   * (RFC 5881 §5) is the driver's. Reads {@code pkt} at its reader index and consumes nothing; the caller keeps
   * ownership.
   *
   * @return {@code null} if the packet was accepted, otherwise why it was discarded (already counted)
   */
  public DiscardReason onPacket(ByteBuf pkt, long now) {
    if (!ControlPacketCodec.isWellFormed(pkt)) {
      discardedMalformed++;
      return DiscardReason.MALFORMED;
    }
    int yourDiscr = ControlPacketCodec.yourDiscriminator(pkt);
    SessionState received = ControlPacketCodec.state(pkt);
    // RFC 5880 §6.8.6: Your Discriminator must be ours; zero only when the peer is Down or AdminDown.
    if (yourDiscr != 0 && yourDiscr != localDiscr
        || yourDiscr == 0 && received != SessionState.Down && received != SessionState.AdminDown) {
      discardedDiscr++;
      return DiscardReason.UNKNOWN_DISCRIMINATOR;
    }
    // RFC 5880 §6.8.6: A bit set with bfd.AuthType 0, or clear with bfd.AuthType non-zero: discard.
    boolean a = ControlPacketCodec.authPresent(pkt);
    if (a != (authType != AuthType.NONE) || a && !authenticate(pkt, now)) {
      discardedAuth++;
      return DiscardReason.AUTHENTICATION;
    }
    controlIn++;
    lastRxNanos = now;
    remoteDiscr = ControlPacketCodec.myDiscriminator(pkt);
    remoteSessionState = received;
    remoteDemandMode = ControlPacketCodec.demand(pkt);
    long oldRemoteMinRx = remoteMinRxInterval;
    remoteMinRxInterval = ControlPacketCodec.requiredMinRxMicros(pkt);
    remoteDesiredMinTx = ControlPacketCodec.desiredMinTxMicros(pkt);
    remoteDetectMult = ControlPacketCodec.detectMult(pkt);
    // RFC 5880 §6.8.6: Required Min Echo RX Interval 0 means no echo; we never send echo packets anyway.

    // RFC 5880 §6.8.6: If the Final (F) bit is set, terminate any Poll Sequence in progress.
    if (ControlPacketCodec.fin(pkt) && pollActive) {
      terminatePoll(now);
    }
    // RFC 5880 §6.8.6: update the transmit interval (§6.8.2) and the Detection Time (§6.8.4).
    if (remoteMinRxInterval != oldRemoteMinRx) {
      intervalChanged(now);
    }
    armDetection(now);
    if (passiveWaiting()) {
      // First packet from the peer: a passive session now starts its own transmissions.
      lastTxNanos = Long.MIN_VALUE;
      scheduleNextTx(now);
    }

    // RFC 5880 §6.8.6: If bfd.SessionState is AdminDown, discard the packet.
    if (sessionState == SessionState.AdminDown) {
      return DiscardReason.ADMIN_DOWN;
    }
    if (received == SessionState.AdminDown) {
      if (sessionState != SessionState.Down) {
        changeState(SessionState.Down, Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, now);
      }
    } else if (sessionState == SessionState.Down) {
      if (received == SessionState.Down) {
        changeState(SessionState.Init, localDiag, now);
      } else if (received == SessionState.Init) {
        changeState(SessionState.Up, Diagnostic.NO_DIAGNOSTIC, now);
      }
    } else if (sessionState == SessionState.Init) {
      // Up clears the diagnostic of the last failure (bfd.LocalDiag tells why the state last changed, RFC 5880
      // §6.8.1); FRR's bfdd does the same
      if (received == SessionState.Init || received == SessionState.Up) {
        changeState(SessionState.Up, Diagnostic.NO_DIAGNOSTIC, now);
      }
    } else if (received == SessionState.Down) { // Up
      changeState(SessionState.Down, Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, now);
    }
    // RFC 5880 §6.8.6: If the Poll (P) bit is set, send a BFD Control packet with the Final (F) bit set as soon
    // as practicable, without respect to the transmission timer; never with P set too (§6.8.7).
    if (ControlPacketCodec.poll(pkt)) {
      finalsSent++;
      send(false, true);
    }
    return null;
  }

  /**
   * A packet for this session that the driver dropped before it reached {@link #onPacket}, counted here: TTL (RFC
   * 5881 §5), a discriminator that named no session, or a malformed packet from this session's peer.
   */
  public void countDiscard(DiscardReason reason) {
    switch (reason) {
      case TTL -> discardedTtl++;
      case AUTHENTICATION -> discardedAuth++;
      case UNKNOWN_DISCRIMINATOR -> discardedDiscr++;
      case MALFORMED -> discardedMalformed++;
      default -> { }
    }
  }

  /**
   * A new profile on a live session (RFC 5880 §6.8.3). A change of the transmit or receive interval runs a Poll
   * Sequence (in any state but AdminDown); while Up, an increased transmit interval and a reduced receive interval
   * take effect for the timers only when the Final arrives, otherwise at once. The detect multiplier takes effect at
   * once; passive mode applies from the next time the session waits for its peer. minimumTtl is the driver's.
   */
  public void updateProfile(BfdProfile newProfile, long now) {
    Objects.requireNonNull(newProfile, "newProfile");
    BfdProfile old = profile;
    profile = newProfile;
    detectMult = newProfile.detectMultiplier();
    if (old.passiveMode() && !newProfile.passiveMode() && txDeadline == Long.MAX_VALUE) {
      // No longer passive: start speaking first.
      scheduleNextTx(now);
    }
    long desired = sessionState == SessionState.Up
        ? newProfile.desiredMinTxMicros()
        : Math.max(SLOW_TX_MICROS, newProfile.desiredMinTxMicros());
    long required = newProfile.requiredMinRxMicros();
    if (desired != desiredMinTxInterval || required != requiredMinRxInterval) {
      setIntervals(desired, required, now);
    } else if (old.detectMultiplier() != newProfile.detectMultiplier() && sessionState == SessionState.Up) {
      // The peer's Detection Time uses our Detect Mult: poll so that both sides agree on when it changed.
      startPoll();
    }
  }

  /** Holds the session AdminDown (RFC 5880 §6.8.16) with diagnostic 7 (Administratively Down). */
  public void adminDown(long now) {
    if (sessionState != SessionState.AdminDown) {
      detectDeadline = Long.MAX_VALUE;
      changeState(SessionState.AdminDown, Diagnostic.ADMINISTRATIVELY_DOWN, now);
    }
  }

  /** Leaves AdminDown for Down (RFC 5880 §6.8.16). */
  public void enable(long now) {
    if (sessionState == SessionState.AdminDown) {
      changeState(SessionState.Down, localDiag, now);
    }
  }

  /** The driver's timer slack (RFC 5880 §6.8.7: no periodic gap may exceed the negotiated interval). */
  void txSlack(long nanos) {
    txSlackNanos = nanos;
  }

  /**
   * Sets bfd.DetectMult outside MetalLB's 2-255 (e.g. 1, for which RFC 5880 §6.8.7 narrows the jitter to 75-90%).
   * For tests and non-MetalLB configurations.
   */
  void overrideDetectMult(int mult) {
    if (mult < 1 || mult > 255) {
      throw new IllegalArgumentException("detectMult: " + mult + " (expected: 1-255)");
    }
    detectMult = mult;
  }

  // ---------------------------------------------------------------- transmission

  /**
   * Writes one control packet carrying the current state variables (RFC 5880 §6.8.7) into {@code out}, including
   * the authentication section; advances bfd.XmitAuthSeq. The caller owns {@code out}.
   */
  public void writeControlPacket(ByteBuf out, boolean poll, boolean fin) {
    if (poll && fin) {
      throw new IllegalArgumentException("poll and final both set (RFC 5880 §6.8.7 forbids it)");
    }
    int start = out.writerIndex();
    int authLen = authType.authLen(auth.keyUnsafe().length);
    int length = ControlPacketCodec.MANDATORY_LENGTH + authLen;
    out.writeByte(1 << 5 | localDiag.code());
    out.writeByte(sessionState.code() << 6 | (poll ? 0x20 : 0) | (fin ? 0x10 : 0)
        | (authType != AuthType.NONE ? 0x04 : 0) | (demandMode ? 0x02 : 0));
    out.writeByte(detectMult);
    out.writeByte(length);
    out.writeInt(localDiscr);
    out.writeInt(remoteDiscr);
    out.writeInt((int) desiredMinTxInterval);
    out.writeInt((int) requiredMinRxInterval);
    // Required Min Echo RX Interval: 0, this system does not loop echo packets itself (see BfdProfile.echoMode).
    out.writeInt(0);
    if (authType == AuthType.NONE) {
      return;
    }
    byte[] key = auth.keyUnsafe();
    out.writeByte(authType.code());
    out.writeByte(authLen);
    out.writeByte(auth.keyId());
    if (authType == AuthType.SIMPLE_PASSWORD) {
      out.writeBytes(key);
      return;
    }
    // RFC 5880 §6.7.3/§6.7.4: Reserved, Sequence Number, then the key padded with zeros in the digest field; the
    // digest of the whole packet then replaces the key.
    xmitAuthSeq++;
    out.writeByte(0);
    out.writeInt(xmitAuthSeq);
    int digestAt = out.writerIndex();
    int dlen = authType.digestLength();
    out.writeBytes(key);
    out.writeZero(dlen - key.length);
    out.getBytes(start, scratch, 0, length);
    digest.update(scratch, 0, length);
    try {
      digest.digest(computed, 0, dlen);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
    out.setBytes(digestAt, computed, 0, dlen);
  }

  private void send(boolean poll, boolean fin) {
    controlOut++;
    output.transmit(this, poll, fin);
  }

  private boolean passiveWaiting() {
    return profile.passiveMode() && txDeadline == Long.MAX_VALUE && remoteDiscr != 0 && lastTxNanos == Long.MIN_VALUE;
  }

  private boolean mayTransmitPeriodic() {
    // RFC 5880 §6.8.7: a passive system does not transmit while bfd.RemoteDiscr is zero.
    if (profile.passiveMode() && remoteDiscr == 0) {
      return false;
    }
    // RFC 5880 §6.8.7: no periodic transmission while bfd.RemoteMinRxInterval is zero.
    if (remoteMinRxInterval == 0) {
      return false;
    }
    // RFC 5880 §6.8.7: the remote system asked for Demand mode and both are Up: periodic transmission stops,
    // except during a Poll Sequence.
    return !(remoteDemandMode && sessionState == SessionState.Up && remoteSessionState == SessionState.Up)
        || pollActive;
  }

  /** The negotiated transmit interval in microseconds (§6.8.2): the larger of ours in use and the peer's RX. */
  public long transmitIntervalMicros() {
    return Math.max(txDesiredInUse, remoteMinRxInterval);
  }

  private long jitteredIntervalNanos() {
    long interval = transmitIntervalMicros() * 1000;
    // RFC 5880 §6.8.7: reduce by a random 0-25% (10-25% when bfd.DetectMult is 1).
    long lo = interval * 3 / 4;
    long hi = detectMult == 1 ? interval * 9 / 10 : interval;
    // the driver may fire up to txSlackNanos late (its timer grid): keep the gap within the bound all the same
    hi = Math.max(lo, hi - txSlackNanos);
    return lo + random.nextLong(hi - lo + 1);
  }

  private void scheduleNextTx(long now) {
    if (profile.passiveMode() && remoteDiscr == 0) {
      txDeadline = Long.MAX_VALUE;
      lastTxNanos = Long.MIN_VALUE;
      return;
    }
    txDeadlineInterval = transmitIntervalMicros();
    txDeadline = now + jitteredIntervalNanos();
  }

  /**
   * The transmit interval may have changed (ours or the peer's): RFC 5880 §6.8.7 recalculates it on either change,
   * and no periodic packet may follow the previous one sooner than the new interval less jitter. So the pending
   * transmission is drawn again from the last one with the new interval (jittered as always): a longer interval
   * pushes it out, a shorter one only ever brings it forward (it never waits longer than already planned).
   */
  private void intervalChanged(long now) {
    if (txDeadline == Long.MAX_VALUE) {
      return;
    }
    long interval = transmitIntervalMicros();
    if (interval == txDeadlineInterval) {
      return;
    }
    boolean longer = interval > txDeadlineInterval;
    txDeadlineInterval = interval;
    long base = lastTxNanos == Long.MIN_VALUE ? now : lastTxNanos;
    long candidate = Math.max(now, base + jitteredIntervalNanos());
    if (longer || candidate < txDeadline) {
      txDeadline = candidate;
    }
  }

  private void recordLateness(long late) {
    if (late < 0) {
      late = 0;
    }
    txLateTotal += late;
    if (late > txLateMax) {
      txLateMax = late;
    }
    int b = 0;
    long[] bounds = BfdCounters.LATE_BUCKET_BOUNDS_NANOS;
    while (b < bounds.length && late >= bounds[b]) {
      b++;
    }
    txLateBuckets[b]++;
  }

  // ---------------------------------------------------------------- poll sequences and timers

  private void setIntervals(long desired, long required, long now) {
    long oldDesired = desiredMinTxInterval;
    long oldRequired = requiredMinRxInterval;
    desiredMinTxInterval = desired;
    requiredMinRxInterval = required;
    if (sessionState != SessionState.Up) {
      // RFC 5880 §6.8.3: the rules that hold the old values back until the poll ends apply only while Up, so the
      // new values count at once; but "a Poll Sequence MUST be initiated" has no condition on the state, so it
      // starts all the same. Except in AdminDown, which discards every packet (§6.8.6): no Final could end it.
      txDesiredInUse = desired;
      detectRequiredMinRx = required;
      rearmDetection(); // RFC 5880 §6.8.4: the Detection Time follows bfd.RequiredMinRxInterval
      intervalChanged(now);
      if (sessionState != SessionState.AdminDown && (oldDesired != desired || oldRequired != required)) {
        startPoll();
      }
      return;
    }
    // RFC 5880 §6.8.3: a decreased transmit interval may apply at once; an increased one only after the poll.
    if (desired < txDesiredInUse) {
      txDesiredInUse = desired;
      intervalChanged(now);
    }
    // An increased receive interval lengthens our Detection Time at once (safe); a reduced one only after the poll.
    if (required > detectRequiredMinRx) {
      detectRequiredMinRx = required;
      rearmDetection();
    }
    if (oldDesired != desired || oldRequired != required) {
      startPoll();
    }
  }

  private void startPoll() {
    if (pollActive) {
      pollDirty = true;
      return;
    }
    pollActive = true;
    pollsStarted++;
    pollDirty = false;
    polledDesiredMinTx = desiredMinTxInterval;
    polledRequiredMinRx = requiredMinRxInterval;
  }

  private void terminatePoll(long now) {
    pollActive = false;
    pollsCompleted++;
    // RFC 5880 §6.8.3: the polled values now count for the transmit interval and the Detection Time. Values changed
    // after the poll began were not necessarily seen by the peer: a later decrease of ours / increase of the receive
    // interval already applies, the rest waits for the next poll. Not Up, the current values already count.
    if (sessionState == SessionState.Up) {
      txDesiredInUse = Math.min(polledDesiredMinTx, desiredMinTxInterval);
      detectRequiredMinRx = Math.max(polledRequiredMinRx, requiredMinRxInterval);
    }
    if (pollDirty) {
      startPoll();
    }
    intervalChanged(now);
  }

  private void armDetection(long now) {
    if (remoteDetectMult == 0) {
      return;
    }
    // RFC 5880 §6.8.4: asynchronous mode, the remote Detect Mult times the agreed interval.
    lastDetectTimeNanos = detectionTimeMicros() * 1000;
    detectDeadline = now + lastDetectTimeNanos;
  }

  private void rearmDetection() {
    if (lastRxNanos != Long.MIN_VALUE && detectDeadline != Long.MAX_VALUE) {
      armDetection(lastRxNanos);
    }
  }

  /**
   * The Detection Time in microseconds (RFC 5880 §6.8.4): the peer's Detect Mult times the larger of our
   * bfd.RequiredMinRxInterval (the old one while a reduction is being polled) and the peer's Desired Min TX.
   */
  public long detectionTimeMicros() {
    return remoteDetectMult * Math.max(detectRequiredMinRx, remoteDesiredMinTx);
  }

  private void changeState(SessionState next, Diagnostic diag, long now) {
    SessionState old = sessionState;
    if (old == next) {
      return;
    }
    sessionState = next;
    localDiag = diag;
    stateSinceNanos = now;
    if (next == SessionState.Up) {
      upTransitions++;
      // RFC 5880 §6.8.3: the one-second floor no longer applies; moving to the configured interval is a change
      // of bfd.DesiredMinTxInterval and runs a Poll Sequence. A decrease applies at once.
      long configured = profile.desiredMinTxMicros();
      if (configured != desiredMinTxInterval) {
        desiredMinTxInterval = configured;
        if (configured < txDesiredInUse) {
          txDesiredInUse = configured;
          intervalChanged(now);
        }
        startPoll();
      }
    }
    if (next == SessionState.Down) {
      downTransitions++; // every change into Down, as FRR's bfdd counts session-down (not our own AdminDown)
    }
    if (next == SessionState.Down || next == SessionState.AdminDown) {
      // The session starts over; a poll begun in Down or Init goes on through Init and Up until its Final.
      pollActive = false;
      pollDirty = false;
    }
    if (next != SessionState.Up) {
      desiredMinTxInterval = Math.max(SLOW_TX_MICROS, profile.desiredMinTxMicros());
      txDesiredInUse = desiredMinTxInterval;
      detectRequiredMinRx = requiredMinRxInterval;
      rearmDetection();
    }
    output.stateChanged(this, old, next, diag, now);
  }

  private boolean authenticate(ByteBuf pkt, long now) {
    int r = pkt.readerIndex();
    int type = pkt.getUnsignedByte(r + 24);
    int authLen = pkt.getUnsignedByte(r + 25);
    if (authLen < 3) {
      return false; // RFC 5880 §4.2-4.4: every type has a Key ID after the length (the packet may end before it)
    }
    int keyId = pkt.getUnsignedByte(r + 26);
    if (type != authType.code() || keyId != auth.keyId()) {
      return false;
    }
    byte[] key = auth.keyUnsafe();
    if (authType == AuthType.SIMPLE_PASSWORD) {
      // RFC 5880 §6.7.2: Auth Len is the password length plus 3, and the password must match.
      if (authLen != 3 + key.length) {
        return false;
      }
      int diff = 0;
      for (int i = 0; i < key.length; i++) {
        diff |= pkt.getByte(r + 27 + i) ^ key[i];
      }
      return diff == 0;
    }
    int dlen = authType.digestLength();
    // RFC 5880 §6.7.3/§6.7.4: Auth Len 24 (MD5) or 28 (SHA1).
    if (authLen != 8 + dlen) {
      return false;
    }
    int length = ControlPacketCodec.length(pkt);
    int seq = pkt.getInt(r + 28);
    // bfd.AuthSeqKnown is cleared after twice the Detection Time without a packet.
    if (authSeqKnown && lastRxNanos != Long.MIN_VALUE && now - lastRxNanos >= 2 * lastDetectTimeNanos) {
      authSeqKnown = false;
    }
    if (authSeqKnown) {
      // RFC 5880 §6.7.3: the sequence number must lie in bfd.RcvAuthSeq (+1 if meticulous) .. +3*Detect Mult,
      // compared in a circular fashion.
      long ahead = Integer.toUnsignedLong(seq - rcvAuthSeq);
      long lo = authType.isMeticulous() ? 1 : 0;
      long hi = 3L * ControlPacketCodec.detectMult(pkt);
      if (ahead < lo || ahead > hi) {
        return false;
      }
    }
    int digestAt = 32;
    pkt.getBytes(r, scratch, 0, length);
    System.arraycopy(key, 0, scratch, digestAt, key.length);
    for (int i = digestAt + key.length; i < digestAt + dlen; i++) {
      scratch[i] = 0;
    }
    digest.update(scratch, 0, length);
    try {
      digest.digest(computed, 0, dlen);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
    int diff = 0;
    for (int i = 0; i < dlen; i++) {
      diff |= computed[i] ^ pkt.getByte(r + digestAt + i);
    }
    if (diff != 0) {
      return false;
    }
    rcvAuthSeq = seq;
    authSeqKnown = true;
    return true;
  }

  // ---------------------------------------------------------------- observation

  /** When {@link #onTimer} must run next, in ticker nanoseconds; {@link Long#MAX_VALUE} if never. */
  public long nextDeadlineNanos() {
    return Math.min(txDeadline, detectDeadline);
  }

  /** bfd.SessionState. */
  public SessionState sessionState() {
    return sessionState;
  }

  /** bfd.RemoteSessionState. */
  public SessionState remoteSessionState() {
    return remoteSessionState;
  }

  /** bfd.LocalDiscr. */
  public int localDiscr() {
    return localDiscr;
  }

  /** bfd.RemoteDiscr. */
  public int remoteDiscr() {
    return remoteDiscr;
  }

  /** bfd.LocalDiag. */
  public Diagnostic localDiag() {
    return localDiag;
  }

  /** bfd.DesiredMinTxInterval in microseconds, as advertised. */
  public long desiredMinTxInterval() {
    return desiredMinTxInterval;
  }

  /** bfd.RequiredMinRxInterval in microseconds, as advertised. */
  public long requiredMinRxInterval() {
    return requiredMinRxInterval;
  }

  /** bfd.RemoteMinRxInterval in microseconds. */
  public long remoteMinRxInterval() {
    return remoteMinRxInterval;
  }

  /** bfd.DemandMode (always false). */
  public boolean demandMode() {
    return demandMode;
  }

  /** bfd.RemoteDemandMode. */
  public boolean remoteDemandMode() {
    return remoteDemandMode;
  }

  /** bfd.DetectMult. */
  public int detectMult() {
    return detectMult;
  }

  /** bfd.AuthType. */
  public AuthType authType() {
    return authType;
  }

  /** bfd.RcvAuthSeq. */
  public int rcvAuthSeq() {
    return rcvAuthSeq;
  }

  /** bfd.XmitAuthSeq. */
  public int xmitAuthSeq() {
    return xmitAuthSeq;
  }

  /** bfd.AuthSeqKnown. */
  public boolean authSeqKnown() {
    return authSeqKnown;
  }

  /** Whether a Poll Sequence of ours is in progress. */
  public boolean pollActive() {
    return pollActive;
  }

  /** The profile in force. */
  public BfdProfile profile() {
    return profile;
  }

  /** The bfd.DesiredMinTxInterval the transmit interval currently uses, microseconds. */
  public long txDesiredInUse() {
    return txDesiredInUse;
  }

  /** The bfd.RequiredMinRxInterval the Detection Time currently uses, microseconds. */
  public long detectRequiredMinRx() {
    return detectRequiredMinRx;
  }

  /** The next periodic transmission, ticker nanoseconds, or {@link Long#MAX_VALUE}. */
  public long txDeadlineNanos() {
    return txDeadline;
  }

  /** When the Detection Time runs out, ticker nanoseconds, or {@link Long#MAX_VALUE}. */
  public long detectDeadlineNanos() {
    return detectDeadline;
  }

  /** When the session entered its current state. */
  public long stateSinceNanos() {
    return stateSinceNanos;
  }

  /** A snapshot of the counters. */
  public BfdCounters counters() {
    return new BfdCounters(controlIn, controlOut, upTransitions, downTransitions, discardedTtl, discardedAuth,
        discardedDiscr, discardedMalformed, txLateMax, txLateTotal, txLateBuckets, pollsStarted, pollsCompleted,
        finalsSent);
  }

  @Override
  public String toString() {
    return "BfdFsm[" + Integer.toUnsignedString(localDiscr) + "/" + Integer.toUnsignedString(remoteDiscr) + " "
        + sessionState + " remote=" + remoteSessionState + " diag=" + localDiag + " tx=" + desiredMinTxInterval
        + "us rx=" + requiredMinRxInterval + "us" + (pollActive ? " polling" : "") + "]";
  }
}
