package io.speakerkit.bfd;

import java.net.InetAddress;
import java.util.concurrent.CopyOnWriteArrayList;

/** The {@link BfdSession} of a {@link BfdDriver}: a handle that hops to the scheduler thread. */
final class DriverSession implements BfdSession {

  final BfdDriver driver;
  final BfdSessionConfig config;
  final BfdDriver.PeerKey peer;
  final CopyOnWriteArrayList<BfdListener> listeners = new CopyOnWriteArrayList<>();
  BfdFsm fsm;
  /** Transport state (e.g. the session's socket). */
  volatile Object attachment;

  // DeadlineHeap bookkeeping.
  int heapIndex = -1;
  long key;

  // Published for other threads.
  private volatile SessionState state = SessionState.Down;
  private volatile SessionState remoteState = SessionState.Down;
  private volatile Diagnostic diag = Diagnostic.NO_DIAGNOSTIC;
  private volatile int remoteDiscr;
  private volatile BfdProfile profile;

  DriverSession(BfdDriver driver, BfdSessionConfig config, BfdDriver.PeerKey key) {
    this.driver = driver;
    this.config = config;
    this.peer = key;
    this.profile = config.profile();
  }

  void publish() {
    if (state != fsm.sessionState()) {
      state = fsm.sessionState();
    }
    if (remoteState != fsm.remoteSessionState()) {
      remoteState = fsm.remoteSessionState();
    }
    if (diag != fsm.localDiag()) {
      diag = fsm.localDiag();
    }
    if (remoteDiscr != fsm.remoteDiscr()) {
      remoteDiscr = fsm.remoteDiscr();
    }
  }

  /** The state machine; scheduler thread only. */
  BfdFsm fsm() {
    return fsm;
  }

  @Override
  public int localDiscriminator() {
    return fsm.localDiscr();
  }

  @Override
  public int remoteDiscriminator() {
    return remoteDiscr;
  }

  @Override
  public InetAddress remoteAddress() {
    return config.remoteAddress();
  }

  @Override
  public InetAddress localAddress() {
    return config.localAddress();
  }

  @Override
  public boolean multihop() {
    return config.multihop();
  }

  @Override
  public SessionState state() {
    return state;
  }

  @Override
  public SessionState remoteState() {
    return remoteState;
  }

  @Override
  public Diagnostic localDiagnostic() {
    return diag;
  }

  @Override
  public BfdProfile profile() {
    return profile;
  }

  @Override
  public void updateProfile(BfdProfile p) {
    java.util.Objects.requireNonNull(p, "profile");
    profile = p;
    driver.onLoop(() -> {
      fsm.updateProfile(p, driver.now());
      driver.reschedule(this);
      driver.profileUpdatedOnLoop(this);
    });
  }

  @Override
  public Subscription subscribe(BfdListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
    return () -> {
      if (open.compareAndSet(true, false)) {
        listeners.remove(listener); // once: a second close must not take another registration of the listener
      }
    };
  }

  @Override
  public BfdCounters counters() {
    // Counters are written on the scheduler thread only; a read from elsewhere may be a few packets behind.
    return fsm.counters();
  }

  @Override
  public void adminDown() {
    driver.onLoop(() -> {
      fsm.adminDown(driver.now());
      driver.reschedule(this);
    });
  }

  @Override
  public void enable() {
    driver.onLoop(() -> {
      fsm.enable(driver.now());
      driver.reschedule(this);
    });
  }

  @Override
  public void adminDownThenClose() {
    driver.onLoop(() -> {
      if (!driver.registered(this)) {
        return;
      }
      // The peer's Detection Time (RFC 5880 §6.8.4 from its side), taken before AdminDown slows our transmission to
      // one second (§6.8.3).
      long peerDetectionNanos = fsm.detectMult() * fsm.transmitIntervalMicros() * 1000L;
      fsm.adminDown(driver.now());
      driver.reschedule(this);
      long hold = Math.max(ADMIN_DOWN_HOLD_MIN.toNanos(), peerDetectionNanos);
      driver.scheduler().schedule(() -> driver.removeOnLoop(this), hold, java.util.concurrent.TimeUnit.NANOSECONDS);
    });
  }

  @Override
  public void close() {
    driver.onLoop(() -> driver.removeOnLoop(this));
  }

  @Override
  public String toString() {
    return "BfdSession[" + peer + " " + Integer.toUnsignedString(fsm.localDiscr()) + " " + state + "]";
  }
}
