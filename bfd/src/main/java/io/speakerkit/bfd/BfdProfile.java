package io.speakerkit.bfd;

import java.time.Duration;
import java.util.Objects;

/**
 * MetalLB's {@code BFDProfile}, field for field: the timers and modes of a BFD session.
 *
 * <table>
 *   <caption>Fields, ranges and defaults (as MetalLB documents them)</caption>
 *   <tr><th>field</th><th>range</th><th>default</th></tr>
 *   <tr><td>receiveInterval</td><td>10-60000 ms</td><td>300 ms</td></tr>
 *   <tr><td>transmitInterval</td><td>10-60000 ms</td><td>300 ms</td></tr>
 *   <tr><td>detectMultiplier</td><td>2-255</td><td>3</td></tr>
 *   <tr><td>echoInterval</td><td>10-60000 ms</td><td>50 ms (accepted and reported; unused, see echoMode)</td></tr>
 *   <tr><td>echoMode</td><td>false only</td><td>false</td></tr>
 *   <tr><td>passiveMode</td><td>boolean</td><td>false</td></tr>
 *   <tr><td>minimumTtl</td><td>1-254</td><td>254 (multihop sessions only)</td></tr>
 * </table>
 *
 * <p>{@code receiveInterval} becomes bfd.RequiredMinRxInterval, {@code transmitInterval} bfd.DesiredMinTxInterval
 * (while the session is Up; RFC 5880 §6.8.3 keeps it at 1 s or more otherwise), {@code detectMultiplier}
 * bfd.DetectMult. {@code passiveMode} makes the session wait for the peer's first packet (RFC 5880 §6.1 passive
 * role).
 *
 * <p>{@code echoMode: true} is refused: the echo function (RFC 5880 §6.4, RFC 5881 §4) sends packets addressed to
 * ourselves to the peer's link-layer address, which needs raw sockets that neither the JDK nor Netty offers. This
 * engine advertises Required Min Echo RX Interval 0, so peers send it no echo packets either.
 *
 * @param receiveInterval the minimum interval at which this system can receive control packets
 * @param transmitInterval the minimum interval at which this system wants to send control packets
 * @param detectMultiplier how many packets may be missed before the session is declared down
 * @param echoInterval the echo interval MetalLB reports; never used
 * @param echoMode must be false
 * @param passiveMode wait for the peer to speak first
 * @param minimumTtl lowest TTL accepted on a multihop session
 */
public record BfdProfile(
    Duration receiveInterval,
    Duration transmitInterval,
    int detectMultiplier,
    Duration echoInterval,
    boolean echoMode,
    boolean passiveMode,
    int minimumTtl) {

  /** MetalLB's defaults: 300 ms / 300 ms / x3, echo 50 ms off, active, minimum TTL 254. */
  public static final BfdProfile DEFAULT = builder().build();

  public BfdProfile {
    checkInterval("receiveInterval", receiveInterval);
    checkInterval("transmitInterval", transmitInterval);
    checkInterval("echoInterval", echoInterval);
    if (detectMultiplier < 2 || detectMultiplier > 255) {
      throw new IllegalArgumentException("detectMultiplier: " + detectMultiplier + " (expected: 2-255)");
    }
    if (echoMode) {
      throw new IllegalArgumentException("echoMode: true (expected: false; the BFD echo function sends packets"
          + " addressed to this host to the peer's MAC address, which needs raw sockets that neither the JDK nor"
          + " Netty offers, so Required Min Echo RX Interval 0 is advertised instead)");
    }
    if (minimumTtl < 1 || minimumTtl > 254) {
      throw new IllegalArgumentException("minimumTtl: " + minimumTtl + " (expected: 1-254)");
    }
  }

  private static void checkInterval(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofMillis(60000)) > 0
        || d.toNanos() % 1_000_000 != 0) {
      throw new IllegalArgumentException(field + ": " + d.toNanos() / 1e6 + " ms (expected: 10-60000 ms, whole ms)");
    }
  }

  /** bfd.RequiredMinRxInterval in microseconds. */
  public int requiredMinRxMicros() {
    return (int) (receiveInterval.toNanos() / 1000);
  }

  /** bfd.DesiredMinTxInterval (while Up) in microseconds. */
  public int desiredMinTxMicros() {
    return (int) (transmitInterval.toNanos() / 1000);
  }

  /** A builder holding MetalLB's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this profile. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.receiveInterval = receiveInterval;
    b.transmitInterval = transmitInterval;
    b.detectMultiplier = detectMultiplier;
    b.echoInterval = echoInterval;
    b.echoMode = echoMode;
    b.passiveMode = passiveMode;
    b.minimumTtl = minimumTtl;
    return b;
  }

  /** Builds {@link BfdProfile}s; setters check their field at once, {@link #build()} may be called again. */
  public static final class Builder {
    private Duration receiveInterval = Duration.ofMillis(300);
    private Duration transmitInterval = Duration.ofMillis(300);
    private int detectMultiplier = 3;
    private Duration echoInterval = Duration.ofMillis(50);
    private boolean echoMode;
    private boolean passiveMode;
    private int minimumTtl = 254;

    private Builder() {}

    /** receiveInterval, 10-60000 ms. */
    public Builder receiveInterval(Duration v) {
      checkInterval("receiveInterval", v);
      receiveInterval = v;
      return this;
    }

    /** receiveInterval in milliseconds, as MetalLB's YAML gives it. */
    public Builder receiveIntervalMillis(long ms) {
      return receiveInterval(Duration.ofMillis(ms));
    }

    /** transmitInterval, 10-60000 ms. */
    public Builder transmitInterval(Duration v) {
      checkInterval("transmitInterval", v);
      transmitInterval = v;
      return this;
    }

    /** transmitInterval in milliseconds. */
    public Builder transmitIntervalMillis(long ms) {
      return transmitInterval(Duration.ofMillis(ms));
    }

    /** detectMultiplier, 2-255. */
    public Builder detectMultiplier(int v) {
      if (v < 2 || v > 255) {
        throw new IllegalArgumentException("detectMultiplier: " + v + " (expected: 2-255)");
      }
      detectMultiplier = v;
      return this;
    }

    /** echoInterval, 10-60000 ms; reported, unused. */
    public Builder echoInterval(Duration v) {
      checkInterval("echoInterval", v);
      echoInterval = v;
      return this;
    }

    /** echoMode; {@code true} is refused (see the class comment), by {@link #build()}. */
    public Builder echoMode(boolean v) {
      echoMode = v;
      return this;
    }

    /** passiveMode. */
    public Builder passiveMode(boolean v) {
      passiveMode = v;
      return this;
    }

    /** minimumTtl, 1-254; used by multihop sessions only. */
    public Builder minimumTtl(int v) {
      if (v < 1 || v > 254) {
        throw new IllegalArgumentException("minimumTtl: " + v + " (expected: 1-254)");
      }
      minimumTtl = v;
      return this;
    }

    /** The profile; fails if echoMode is true. */
    public BfdProfile build() {
      return new BfdProfile(receiveInterval, transmitInterval, detectMultiplier, echoInterval, echoMode, passiveMode,
          minimumTtl);
    }
  }
}
