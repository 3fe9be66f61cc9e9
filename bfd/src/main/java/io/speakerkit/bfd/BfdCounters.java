package io.speakerkit.bfd;

/**
 * A snapshot of one session's counters.
 *
 * <p>Transmit lateness is how long after its scheduled time each periodic packet left (FRR warns when this grows):
 * {@code txLateBuckets} counts packets late by &lt;1 ms, &lt;2 ms, &lt;5 ms, &lt;10 ms, &lt;20 ms, &lt;50 ms and
 * 50 ms or more.
 *
 * @param controlPacketsIn control packets accepted (passed every check of RFC 5880 §6.8.6)
 * @param controlPacketsOut control packets sent
 * @param upTransitions transitions into Up
 * @param downTransitions transitions into Down (from Up, Init or AdminDown), as FRR's bfdd counts session-down
 * @param discardedTtl packets dropped for their TTL / hop limit
 * @param discardedAuthentication packets that failed authentication
 * @param discardedUnknownDiscriminator packets from this session's peer that named no session
 * @param discardedMalformed packets that failed the format checks
 * @param txLatenessMaxNanos worst lateness of a periodic transmission
 * @param txLatenessTotalNanos sum of lateness over all periodic transmissions
 * @param txLateBuckets histogram of lateness, see above (7 buckets)
 * @param pollSequencesStarted Poll Sequences this system started (RFC 5880 §6.5)
 * @param pollSequencesCompleted Poll Sequences of ours that the peer ended with a Final
 * @param finalsSent packets with the Final bit sent in answer to the peer's Poll
 */
public record BfdCounters(
    long controlPacketsIn,
    long controlPacketsOut,
    long upTransitions,
    long downTransitions,
    long discardedTtl,
    long discardedAuthentication,
    long discardedUnknownDiscriminator,
    long discardedMalformed,
    long txLatenessMaxNanos,
    long txLatenessTotalNanos,
    long[] txLateBuckets,
    long pollSequencesStarted,
    long pollSequencesCompleted,
    long finalsSent) {

  /** Upper bounds of the lateness buckets in nanoseconds (the last bucket is open). */
  public static final long[] LATE_BUCKET_BOUNDS_NANOS = {1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000,
      50_000_000};

  public BfdCounters {
    txLateBuckets = txLateBuckets.clone();
  }

  @Override
  public long[] txLateBuckets() {
    return txLateBuckets.clone();
  }

  /** Periodic transmissions counted in the lateness histogram. */
  public long periodicTransmissions() {
    long n = 0;
    for (long b : txLateBuckets) {
      n += b;
    }
    return n;
  }

  @Override
  public String toString() {
    return "BfdCounters[in=" + controlPacketsIn + " out=" + controlPacketsOut + " up=" + upTransitions
        + " down=" + downTransitions + " discarded(ttl=" + discardedTtl + " auth=" + discardedAuthentication
        + " discr=" + discardedUnknownDiscriminator + " malformed=" + discardedMalformed + ") txLateMax="
        + txLatenessMaxNanos / 1000 + "us lateBuckets=" + java.util.Arrays.toString(txLateBuckets) + " polls="
        + pollSequencesStarted + "/" + pollSequencesCompleted + " finals=" + finalsSent + "]";
  }
}
