package io.speakerkit.bgp.fsm;

/** RFC 7911 §4: the Send/Receive field of the ADD-PATH capability for one family. */
public enum AddPathMode {
  RECEIVE(1),
  SEND(2),
  BOTH(3);

  private final int value;

  AddPathMode(int value) {
    this.value = value;
  }

  /** The Send/Receive field value. */
  public int value() {
    return value;
  }

  public boolean receives() {
    return this != SEND;
  }

  public boolean sends() {
    return this != RECEIVE;
  }

  /** The mode for a Send/Receive field value, or {@code null} if it is not 1-3 (RFC 7911 says: ignore). */
  public static AddPathMode valueOf(int value) {
    return switch (value) {
      case 1 -> RECEIVE;
      case 2 -> SEND;
      case 3 -> BOTH;
      default -> null;
    };
  }
}
