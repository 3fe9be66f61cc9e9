/** Time for every speakerkit engine: a monotonic {@link io.speakerkit.timers.Ticker} and a {@link io.speakerkit.timers.Scheduler}. */
module io.speakerkit.timers {
  requires io.netty.common;

  exports io.speakerkit.timers;
}
