package io.speakerkit.bfd;

/**
 * bfd.LocalDiag (RFC 5880 §4.1 "Diag"): a 5-bit code saying why the session last left Up, or failed to come Up.
 *
 * <p>The code point is open: {@link #valueOf(int)} returns an "unknown" instance for values the RFC leaves unassigned
 * (9-31) instead of throwing, so a packet from a newer peer is never rejected for its diagnostic.
 */
public final class Diagnostic {

  private static final Diagnostic[] CODES = new Diagnostic[32];

  /** 0 -- No Diagnostic. */
  public static final Diagnostic NO_DIAGNOSTIC = define(0, "No Diagnostic");
  /** 1 -- Control Detection Time Expired. */
  public static final Diagnostic CONTROL_DETECTION_TIME_EXPIRED = define(1, "Control Detection Time Expired");
  /** 2 -- Echo Function Failed. */
  public static final Diagnostic ECHO_FUNCTION_FAILED = define(2, "Echo Function Failed");
  /** 3 -- Neighbor Signaled Session Down. */
  public static final Diagnostic NEIGHBOR_SIGNALED_SESSION_DOWN = define(3, "Neighbor Signaled Session Down");
  /** 4 -- Forwarding Plane Reset. */
  public static final Diagnostic FORWARDING_PLANE_RESET = define(4, "Forwarding Plane Reset");
  /** 5 -- Path Down. */
  public static final Diagnostic PATH_DOWN = define(5, "Path Down");
  /** 6 -- Concatenated Path Down. */
  public static final Diagnostic CONCATENATED_PATH_DOWN = define(6, "Concatenated Path Down");
  /** 7 -- Administratively Down. */
  public static final Diagnostic ADMINISTRATIVELY_DOWN = define(7, "Administratively Down");
  /** 8 -- Reverse Concatenated Path Down. */
  public static final Diagnostic REVERSE_CONCATENATED_PATH_DOWN = define(8, "Reverse Concatenated Path Down");

  static {
    for (int i = 9; i < 32; i++) {
      CODES[i] = new Diagnostic(i, "Unknown(" + i + ")");
    }
  }

  private final int code;
  private final String name;

  private Diagnostic(int code, String name) {
    this.code = code;
    this.name = name;
  }

  private static Diagnostic define(int code, String name) {
    Diagnostic d = new Diagnostic(code, name);
    CODES[code] = d;
    return d;
  }

  /** The diagnostic for a 5-bit Diag field value; unassigned values give an "unknown" instance. */
  public static Diagnostic valueOf(int code) {
    if (code < 0 || code > 31) {
      throw new IllegalArgumentException("diag: " + code + " (expected: 0-31)");
    }
    return CODES[code];
  }

  /** The Diag field value. */
  public int code() {
    return code;
  }

  /** Whether RFC 5880 §4.1 assigns this code. */
  public boolean isKnown() {
    return code <= 8;
  }

  /** The RFC's name for the code. */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name + "(" + code + ")";
  }
}
