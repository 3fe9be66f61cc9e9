package io.speakerkit.bfd;

/**
 * bfd.SessionState and bfd.RemoteSessionState (RFC 5880 §4.1 "Sta", §6.2): the 2-bit State field of a control packet.
 */
public enum SessionState {
  /** 0: the session is administratively held down. */
  AdminDown(0),
  /** 1: the session is down or just created. */
  Down(1),
  /** 2: the remote system is communicating and the session is being brought up. */
  Init(2),
  /** 3: the session is up. */
  Up(3);

  private static final SessionState[] BY_CODE = values();

  private final int code;

  SessionState(int code) {
    this.code = code;
  }

  /** The value of the State (Sta) field. */
  public int code() {
    return code;
  }

  /** The state for a 2-bit State field value; every value 0..3 is defined. */
  public static SessionState valueOf(int code) {
    if (code < 0 || code > 3) {
      throw new IllegalArgumentException("state: " + code + " (expected: 0-3)");
    }
    return BY_CODE[code];
  }
}
