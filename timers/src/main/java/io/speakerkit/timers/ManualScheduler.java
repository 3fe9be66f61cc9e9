package io.speakerkit.timers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler on virtual time, for tests: time stands still until {@link #advance} moves it, and due tasks run on the
 * caller's thread in deadline order (ties in scheduling order), each seeing {@link #nanoTime()} equal to its own
 * deadline. A task that throws does not stop the tasks after it, as on {@link EventLoopScheduler}; the call that ran
 * it ({@link #advance}, {@link #runDueTasks}) then throws the first failure, the others suppressed in it, so a test
 * still sees it. Moving the clock from inside a task is refused ({@link IllegalStateException}).
 *
 * <p>Like {@link System#nanoTime()}, readings may wrap past {@link Long#MAX_VALUE}: the clock may start anywhere
 * (only differences are meaningful), and deadlines are kept relative to the start, so order and due times stay
 * right across the wrap. Virtual time itself stops at {@link Long#MAX_VALUE} nanoseconds (292 years) after the start.
 *
 * <p>Published for users' own tests of code built on speakerkit engines. Not thread-safe: drive it from one thread.
 *
 * <pre>{@code
 * ManualScheduler time = new ManualScheduler();
 * FsmDriver bgp = new FsmDriver(new BgpFsm(config, time, random), time, actions::add); // sans-IO, no sockets
 * bgp.fire(...); // up to OpenSent
 * time.advance(Duration.ofSeconds(240)); // hold timer expires, deterministically
 * }</pre>
 *
 * <p>Not for an engine on real sockets ({@code BgpSession}): their events run on the event loop's thread.
 */
public final class ManualScheduler implements Scheduler, Ticker {

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  /** The reading at virtual time zero; every reading is {@code origin + elapsed} (wrapping, like nanoTime). */
  private final long origin;
  /** Virtual nanoseconds since the start, never negative; task deadlines are on this scale. */
  private long now;
  private long sequence;
  /** True while tasks run: moving the clock from inside one would skip the runs of the periodic task running. */
  private boolean running;

  /** A scheduler whose clock starts at zero. */
  public ManualScheduler() {
    this(0);
  }

  /** A scheduler whose clock starts at {@code startNanos}. */
  public ManualScheduler(long startNanos) {
    this.origin = startNanos;
  }

  @Override
  public Ticker ticker() {
    return this;
  }

  @Override
  public long nanoTime() {
    return origin + now;
  }

  @Override
  public boolean inSchedulerThread() {
    return true;
  }

  @Override
  public Timeout schedule(Runnable task, long delay, TimeUnit unit) {
    Objects.requireNonNull(task, "task");
    long delayNanos = Math.max(0, unit.toNanos(delay));
    Task t = new Task(task, saturatedAdd(now, delayNanos), 0, sequence++);
    queue.add(t);
    return t;
  }

  /**
   * One task object for the whole series, re-queued after each run (a late run does not shift the series) in its
   * original place among tasks of equal deadline, as on {@link EventLoopScheduler}.
   */
  @Override
  public Timeout scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(task, "task");
    long periodNanos = RepeatingTimeout.periodNanos(period, unit);
    Task t = new Task(task, saturatedAdd(now, Math.max(0, unit.toNanos(initialDelay))), periodNanos, sequence++);
    queue.add(t);
    return t;
  }

  /** Moves the clock forward by {@code delta}, running every task that falls due on the way, in deadline order. */
  public void advance(Duration delta) {
    advance(delta.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Moves the clock forward by {@code delta} of {@code unit}, running every task that falls due on the way. */
  public void advance(long delta, TimeUnit unit) {
    if (delta < 0) {
      throw new IllegalArgumentException("delta: " + delta + " (expected: >= 0)");
    }
    advanceElapsedTo(saturatedAdd(now, unit.toNanos(delta)));
  }

  /**
   * Moves the clock to {@code deadlineNanos} (not backwards: a reading before {@link #nanoTime()} moves nothing),
   * running every task due by then. Readings compare as {@link System#nanoTime()} ones do, by their difference; a
   * target that is numerically ahead but more than {@link Long#MAX_VALUE} away (such as {@code Long.MAX_VALUE}
   * from a negative reading) advances as far as the clock goes.
   */
  public void advanceTo(long deadlineNanos) {
    long current = nanoTime();
    long delta = deadlineNanos - current;
    if (delta < 0 && deadlineNanos > current) {
      delta = Long.MAX_VALUE;
    }
    advanceElapsedTo(delta < 0 ? now : saturatedAdd(now, delta));
  }

  private void advanceElapsedTo(long deadlineNanos) {
    enter();
    Throwable failure = null;
    try {
      Task next;
      while ((next = peekLive()) != null && next.deadline <= deadlineNanos) {
        queue.poll();
        now = Math.max(now, next.deadline);
        failure = run(next, failure);
      }
      now = Math.max(now, deadlineNanos);
    } finally {
      running = false;
    }
    rethrow(failure);
  }

  /** Runs the tasks due now without moving the clock; returns how many ran. */
  public int runDueTasks() {
    enter();
    Throwable failure = null;
    int ran = 0;
    try {
      Task next;
      while ((next = peekLive()) != null && next.deadline <= now) {
        queue.poll();
        failure = run(next, failure);
        ran++;
      }
    } finally {
      running = false;
    }
    rethrow(failure);
    return ran;
  }

  private void enter() {
    if (running) {
      // a periodic task is off the queue while it runs: an inner advance would skip its runs and leave the clock
      // past deadlines still to run
      throw new IllegalStateException("the clock moved from inside a task it runs (expected: advance from the test)");
    }
    running = true;
  }

  /**
   * Runs {@code t}; returns the first failure so far ({@code failure}, or what {@code t} threw). Checked exceptions
   * too (a Kotlin lambda, {@code @SneakyThrows}), and the same instance thrown twice (Mockito's {@code doThrow}) is
   * reported once.
   */
  private Throwable run(Task t, Throwable failure) {
    try {
      run(t);
      return failure;
    } catch (Throwable e) {
      if (failure == null) {
        return e;
      }
      if (e != failure) {
        failure.addSuppressed(e);
      }
      return failure;
    }
  }

  private static void rethrow(Throwable failure) {
    if (failure != null) {
      ManualScheduler.<RuntimeException>sneakyThrow(failure);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  /**
   * Moves the clock to the earliest pending deadline and runs what is due then.
   *
   * @return {@code false} if nothing was pending
   */
  public boolean advanceToNextDeadline() {
    Task next = peekLive();
    if (next == null) {
      return false;
    }
    advanceElapsedTo(next.deadline);
    return true;
  }

  /** The deadline of the earliest pending task, or {@code -1} if none (cancelled tasks are not pending). */
  public long nextDeadlineNanos() {
    Task next = peekLive();
    return next == null ? -1 : origin + next.deadline;
  }

  /** How many tasks are scheduled and not cancelled. */
  public int pendingTasks() {
    int n = 0;
    for (Task t : queue) {
      if (!t.cancelled) {
        n++;
      }
    }
    return n;
  }

  /** Deadlines of the pending tasks in the order they will run, for assertions. */
  public List<Long> pendingDeadlines() {
    List<Task> copy = new ArrayList<>(queue);
    copy.removeIf(t -> t.cancelled);
    copy.sort(null);
    List<Long> out = new ArrayList<>(copy.size());
    for (Task t : copy) {
      out.add(origin + t.deadline);
    }
    return out;
  }

  private void run(Task t) {
    try {
      t.run();
    } finally {
      if (t.period > 0 && !t.cancelled) {
        t.deadline = saturatedAdd(t.deadline, t.period);
        // t keeps its sequence number: Netty re-queues a periodic task under its original id, so a later run of a
        // series goes before tasks scheduled after the series when they fall due together (EventLoopScheduler)
        queue.add(t);
      }
    }
  }

  private Task peekLive() {
    Task t;
    while ((t = queue.peek()) != null && t.cancelled) {
      queue.poll();
    }
    return t;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private final class Task implements Timeout, Comparable<Task> {
    private final Runnable runnable;
    private final long period;
    private long deadline;
    private long seq;
    private boolean cancelled;
    private boolean done;

    Task(Runnable runnable, long deadline, long period, long seq) {
      this.runnable = runnable;
      this.deadline = deadline;
      this.period = period;
      this.seq = seq;
    }

    void run() {
      done = period == 0;
      runnable.run();
    }

    @Override
    public boolean cancel() {
      if (done || cancelled) {
        return false;
      }
      cancelled = true;
      done = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done;
    }

    @Override
    public long deadlineNanos() {
      return origin + deadline;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(deadline, o.deadline);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
