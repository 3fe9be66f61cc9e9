package io.speakerkit.bgp.fsm;

import io.speakerkit.timers.Scheduler;
import io.speakerkit.timers.Timeout;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link BgpFsm} on a {@link Scheduler}: performs its timer actions (a timer expiry comes back as its event),
 * hands every other action to the I/O side, and tells {@link SessionListener}s about state changes.
 *
 * <p>Events fed while an earlier one is being handled (an action whose I/O reports back synchronously) are queued
 * and handled in order after it, so the machine always sees one event at a time. Must be driven from the scheduler's
 * thread; with a {@code ManualScheduler} the whole session runs on virtual time.
 */
public final class FsmDriver {

  private static final Logger log = LoggerFactory.getLogger(FsmDriver.class);

  private final BgpFsm fsm;
  private final Scheduler scheduler;
  private final Consumer<BgpAction> io;
  private final Map<BgpTimer, Timeout> timers = new EnumMap<>(BgpTimer.class);
  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  private final ArrayDeque<BgpEvent> pending = new ArrayDeque<>();
  private boolean handling;
  private boolean disposed;

  /**
   * @param fsm the machine
   * @param scheduler where timers run (the channel's event loop in production)
   * @param io performs the non-timer actions (send, connect, drop, process update, delete routes, state changed)
   */
  public FsmDriver(BgpFsm fsm, Scheduler scheduler, Consumer<BgpAction> io) {
    this.fsm = Objects.requireNonNull(fsm, "fsm");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.io = Objects.requireNonNull(io, "io");
  }

  public BgpFsm fsm() {
    return fsm;
  }

  public void addListener(SessionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(SessionListener listener) {
    listeners.remove(listener);
  }

  /** Stops every timer and ignores all further events: the connection this machine ran is gone for good. */
  public void dispose() {
    disposed = true;
    pending.clear();
    for (Timeout t : timers.values()) {
      t.cancel();
    }
    timers.clear();
  }

  public boolean disposed() {
    return disposed;
  }

  /** Feeds one event (queued if another is being handled). */
  public void fire(BgpEvent event) {
    Objects.requireNonNull(event, "event");
    if (disposed) {
      return;
    }
    pending.add(event);
    if (handling) {
      return;
    }
    handling = true;
    try {
      BgpEvent next;
      while ((next = pending.poll()) != null) {
        for (BgpAction a : fsm.handle(next)) {
          if (disposed && (a instanceof BgpAction.StartTimer)) {
            continue;
          }
          perform(a);
        }
      }
    } finally {
      handling = false;
    }
  }

  /** We sent an UPDATE: restarts the KeepaliveTimer in Established (RFC 4271 §8.2.2). */
  public void updateSent() {
    if (disposed || handling) {
      return;
    }
    for (BgpAction a : fsm.updateSent()) {
      perform(a);
    }
  }

  /** Deadline of a running timer in scheduler ticks, or -1. For tests and diagnostics. */
  public long deadlineNanos(BgpTimer timer) {
    Timeout t = timers.get(timer);
    return t == null || t.isDone() ? -1 : t.deadlineNanos();
  }

  /** Whether {@code timer} is running (a deadline of -1 is a valid clock reading, so {@link #deadlineNanos} can't say). */
  public boolean timerRunning(BgpTimer timer) {
    Timeout t = timers.get(timer);
    return t != null && !t.isDone();
  }

  private void perform(BgpAction a) {
    if (a instanceof BgpAction.StartTimer s) {
      Timeout old = timers.remove(s.timer());
      if (old != null) {
        old.cancel();
      }
      BgpTimer timer = s.timer();
      Timeout[] self = new Timeout[1];
      self[0] = scheduler.schedule(() -> expired(timer, self[0]), s.duration());
      timers.put(timer, self[0]);
    } else if (a instanceof BgpAction.StopTimer s) {
      Timeout old = timers.remove(s.timer());
      if (old != null) {
        old.cancel();
      }
    } else {
      try {
        io.accept(a);
      } catch (RuntimeException e) {
        log.warn("action {} failed", a, e);
      }
      if (a instanceof BgpAction.StateChanged change) {
        for (SessionListener l : listeners) {
          try {
            l.onStateChange(change);
          } catch (RuntimeException e) {
            log.warn("session listener {} threw on {}", l, change, e);
          }
        }
      }
    }
  }

  private void expired(BgpTimer timer, Timeout which) {
    if (timers.get(timer) != which) {
      return; // restarted or stopped in the meantime
    }
    timers.remove(timer);
    fire(switch (timer) {
      case ConnectRetryTimer -> new BgpEvent.ConnectRetryTimer_Expires();
      case HoldTimer -> new BgpEvent.HoldTimer_Expires();
      case KeepaliveTimer -> new BgpEvent.KeepaliveTimer_Expires();
      case DelayOpenTimer -> new BgpEvent.DelayOpenTimer_Expires();
      case IdleHoldTimer -> new BgpEvent.IdleHoldTimer_Expires();
    });
  }
}
