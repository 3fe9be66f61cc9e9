package io.speakerkit.bgp.fsm;

import io.speakerkit.bgp.wire.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A NOTIFICATION message (RFC 4271 §4.5), sent or received, with its code and subcode decoded to the names of the
 * IANA registry so that a state-change report reads {@code Cease / Administrative Shutdown "maintenance"}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Error code    | Error subcode |   Data (variable)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param code error code, 0-255
 * @param subcode error subcode, 0-255
 * @param data the data field (copied in and out)
 */
public record Notification(int code, int subcode, byte[] data) {

  public static final int MESSAGE_HEADER_ERROR = 1;
  public static final int OPEN_MESSAGE_ERROR = 2;
  public static final int UPDATE_MESSAGE_ERROR = 3;
  public static final int HOLD_TIMER_EXPIRED = 4;
  public static final int FSM_ERROR = 5;
  public static final int CEASE = 6;
  public static final int ROUTE_REFRESH_MESSAGE_ERROR = 7;
  /** RFC 9687 §4. */
  public static final int SEND_HOLD_TIMER_EXPIRED = 8;

  /** RFC 4271 §6.2 OPEN Message Error subcodes. */
  public static final int UNSUPPORTED_VERSION_NUMBER = 1;
  public static final int BAD_PEER_AS = 2;
  public static final int BAD_BGP_IDENTIFIER = 3;
  public static final int UNSUPPORTED_OPTIONAL_PARAMETER = 4;
  public static final int UNACCEPTABLE_HOLD_TIME = 6;
  /** RFC 5492 §5. */
  public static final int UNSUPPORTED_CAPABILITY = 7;
  /** RFC 9234 §4.2. */
  public static final int ROLE_MISMATCH = 11;

  /** RFC 6608 FSM Error subcodes. */
  public static final int FSM_UNSPECIFIED = 0;
  public static final int FSM_UNEXPECTED_IN_OPENSENT = 1;
  public static final int FSM_UNEXPECTED_IN_OPENCONFIRM = 2;
  public static final int FSM_UNEXPECTED_IN_ESTABLISHED = 3;

  /** RFC 4486 / RFC 8538 / RFC 9384 Cease subcodes. */
  public static final int MAXIMUM_NUMBER_OF_PREFIXES_REACHED = 1;
  public static final int ADMINISTRATIVE_SHUTDOWN = 2;
  public static final int PEER_DE_CONFIGURED = 3;
  public static final int ADMINISTRATIVE_RESET = 4;
  public static final int CONNECTION_REJECTED = 5;
  public static final int OTHER_CONFIGURATION_CHANGE = 6;
  public static final int CONNECTION_COLLISION_RESOLUTION = 7;
  public static final int OUT_OF_RESOURCES = 8;
  public static final int HARD_RESET = 9;
  public static final int BFD_DOWN = 10;

  /** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
  public static final int MAX_SHUTDOWN_COMMUNICATION_LENGTH = 255;

  private static final byte[] NO_DATA = new byte[0];

  public Notification {
    if (code < 0 || code > 255) {
      throw new IllegalArgumentException("code: " + code + " (expected: 0-255)");
    }
    if (subcode < 0 || subcode > 255) {
      throw new IllegalArgumentException("subcode: " + subcode + " (expected: 0-255)");
    }
    data = data == null || data.length == 0 ? NO_DATA : data.clone();
  }

  public static Notification of(int code, int subcode) {
    return new Notification(code, subcode, NO_DATA);
  }

  /** Hold Timer Expired (RFC 4271 §6.5). */
  public static Notification holdTimerExpired() {
    return of(HOLD_TIMER_EXPIRED, 0);
  }

  /** Send Hold Timer Expired (RFC 9687 §4). */
  public static Notification sendHoldTimerExpired() {
    return of(SEND_HOLD_TIMER_EXPIRED, 0);
  }

  /** Finite State Machine Error with an RFC 6608 subcode. */
  public static Notification fsmError(int subcode) {
    return of(FSM_ERROR, subcode);
  }

  /** Cease with {@code subcode} and no data. */
  public static Notification cease(int subcode) {
    return of(CEASE, subcode);
  }

  /**
   * Cease / Administrative Shutdown carrying an RFC 9003 shutdown communication ({@code text} may be empty: then
   * the data is empty too, as RFC 4486 peers expect).
   *
   * @throws IllegalArgumentException if the UTF-8 text is longer than 255 octets
   */
  public static Notification administrativeShutdown(String text) {
    return ceaseWithCommunication(ADMINISTRATIVE_SHUTDOWN, text);
  }

  /** Cease / Administrative Reset carrying an RFC 9003 shutdown communication. */
  public static Notification administrativeReset(String text) {
    return ceaseWithCommunication(ADMINISTRATIVE_RESET, text);
  }

  private static Notification ceaseWithCommunication(int subcode, String text) {
    if (text == null || text.isEmpty()) {
      return cease(subcode);
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_SHUTDOWN_COMMUNICATION_LENGTH) {
      throw new IllegalArgumentException(
          "shutdown communication: " + utf8.length + " octets (expected: <= " + MAX_SHUTDOWN_COMMUNICATION_LENGTH
              + ")");
    }
    byte[] data = new byte[utf8.length + 1];
    data[0] = (byte) utf8.length;
    System.arraycopy(utf8, 0, data, 1, utf8.length);
    return new Notification(CEASE, subcode, data);
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Whether this is the version error of RFC 4271 §8.1.2 Event 24 (OPEN Message Error / Unsupported Version). */
  public boolean isVersionError() {
    return code == OPEN_MESSAGE_ERROR && subcode == UNSUPPORTED_VERSION_NUMBER;
  }

  /**
   * The RFC 9003 shutdown communication of a Cease / Administrative Shutdown or Reset, decoded as the codec does
   * ({@link io.speakerkit.bgp.wire.Notification#shutdownCommunication()}).
   */
  public Optional<String> shutdownCommunication() {
    return toWire().shutdownCommunication();
  }

  /** The IANA name of the error code (the codec's registry, {@link ErrorCode}). */
  public String codeName() {
    String name = ErrorCode.valueOf(code).name();
    return name != null ? name : "Unknown error code " + code;
  }

  /** The IANA name of the subcode within its code (the codec's registry). */
  public String subcodeName() {
    String name = io.speakerkit.bgp.wire.Notification.subcodeName(code, subcode);
    if (name != null) {
      return name;
    }
    return subcode == 0 ? "Unspecific" : "subcode " + subcode;
  }

  private io.speakerkit.bgp.wire.Notification toWire() {
    return new io.speakerkit.bgp.wire.Notification(code, subcode, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Notification n && n.code == code && n.subcode == subcode && Arrays.equals(n.data, data);
  }

  @Override
  public int hashCode() {
    return (code * 31 + subcode) * 31 + Arrays.hashCode(data);
  }

  /** E.g. {@code Cease / Administrative Shutdown "maintenance"} or {@code OPEN Message Error / Bad Peer AS [fde8]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(codeName()).append(" / ").append(subcodeName());
    Optional<String> text = shutdownCommunication();
    if (text.isPresent()) {
      sb.append(" \"").append(text.get()).append('"');
    } else if (data.length > 0) {
      sb.append(" [").append(HexFormat.of().formatHex(data, 0, Math.min(data.length, 32)));
      sb.append(data.length > 32 ? "...]" : "]");
    }
    return sb.toString();
  }
}
