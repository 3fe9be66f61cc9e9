package io.speakerkit.bgp.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * NOTIFICATION (RFC 4271 §4.5): sent when an error is detected; the connection is closed right after it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Error code    | Error subcode |   Data (variable)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Codes and subcodes are named by {@link ErrorCode}, {@link MessageHeaderErrorSubcode},
 * {@link OpenMessageErrorSubcode}, {@link UpdateMessageErrorSubcode}, {@link FsmErrorSubcode}, {@link CeaseSubcode}
 * and {@link RouteRefreshErrorSubcode}. Data is interpreted where an RFC defines it: the shutdown communication of
 * RFC 9003 (Cease / Administrative Shutdown or Reset), the encapsulated NOTIFICATION of RFC 8538 (Cease / Hard Reset).
 *
 * @param code error code (0-255)
 * @param subcode error subcode (0-255)
 * @param data the data field (defensively copied; never null)
 */
public record Notification(int code, int subcode, byte[] data) implements BgpMessage {

  /** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
  public static final int MAX_SHUTDOWN_COMMUNICATION_LENGTH = 255;

  private static final byte[] EMPTY = new byte[0];

  public Notification {
    if (code < 0 || code > 255) {
      throw new IllegalArgumentException("error code: " + code + " (expected: 0-255)");
    }
    if (subcode < 0 || subcode > 255) {
      throw new IllegalArgumentException("error subcode: " + subcode + " (expected: 0-255)");
    }
    data = data == null || data.length == 0 ? EMPTY : data.clone();
    if (data.length > CodecContext.MAX_EXTENDED_MESSAGE_LENGTH - 21) {
      throw new IllegalArgumentException("notification data: " + data.length + " octets (expected: <= 65514)");
    }
  }

  public static Notification of(ErrorCode code, int subcode) {
    return new Notification(code.value(), subcode, EMPTY);
  }

  public static Notification of(ErrorCode code, int subcode, byte[] data) {
    return new Notification(code.value(), subcode, data);
  }

  /** The NOTIFICATION a decode error asks for (RFC 4271 §6). */
  public static Notification from(BgpDecodeException e) {
    return new Notification(e.code(), e.subcode(), e.data());
  }

  /** RFC 4271 §6.5: Hold Timer Expired. */
  public static Notification holdTimerExpired() {
    return new Notification(ErrorCode.HOLD_TIMER_EXPIRED.value(), 0, EMPTY);
  }

  /** RFC 9687 §4: Send Hold Timer Expired (the peer took nothing we sent for the SendHoldTime). */
  public static Notification sendHoldTimerExpired() {
    return new Notification(ErrorCode.SEND_HOLD_TIMER_EXPIRED.value(), 0, EMPTY);
  }

  /** RFC 6608 §3: Finite State Machine Error with its subcode. */
  public static Notification fsmError(FsmErrorSubcode subcode) {
    return new Notification(ErrorCode.FSM_ERROR.value(), subcode.value(), EMPTY);
  }

  /** Cease (RFC 4486) with a subcode and no data. */
  public static Notification cease(CeaseSubcode subcode) {
    return new Notification(ErrorCode.CEASE.value(), subcode.value(), EMPTY);
  }

  /**
   * Cease with a shutdown communication (RFC 9003 §2), for Administrative Shutdown or Administrative Reset: a length
   * octet and UTF-8 text. Text longer than 255 octets is cut at a character boundary.
   */
  public static Notification cease(CeaseSubcode subcode, String communication) {
    byte[] text = truncateUtf8(communication == null ? "" : communication, MAX_SHUTDOWN_COMMUNICATION_LENGTH);
    byte[] d = new byte[1 + text.length];
    d[0] = (byte) text.length;
    System.arraycopy(text, 0, d, 1, text.length);
    return new Notification(ErrorCode.CEASE.value(), subcode.value(), d);
  }

  /** Cease / Administrative Shutdown with a shutdown communication (RFC 9003). */
  public static Notification administrativeShutdown(String communication) {
    return cease(CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, communication);
  }

  /** Cease / Administrative Reset with a shutdown communication (RFC 9003). */
  public static Notification administrativeReset(String communication) {
    return cease(CeaseSubcode.ADMINISTRATIVE_RESET, communication);
  }

  /**
   * Cease / Maximum Number of Prefixes Reached with the RFC 4486 §4 data: AFI (2), SAFI (1), prefix upper bound (4).
   */
  public static Notification maximumPrefixesReached(AddressFamily family, long upperBound) {
    if (upperBound < 0 || upperBound > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("prefix upper bound: " + upperBound + " (expected: 0-4294967295)");
    }
    int a = family.afi().value();
    byte[] d = {(byte) (a >>> 8), (byte) a, (byte) family.safi().value(), (byte) (upperBound >>> 24),
        (byte) (upperBound >>> 16), (byte) (upperBound >>> 8), (byte) upperBound};
    return new Notification(ErrorCode.CEASE.value(), CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED.value(), d);
  }

  /** Cease / Hard Reset (RFC 8538 §3): the data is the encapsulated code, subcode and data of {@code cause}. */
  public static Notification hardReset(Notification cause) {
    byte[] d = new byte[2 + cause.data.length];
    d[0] = (byte) cause.code;
    d[1] = (byte) cause.subcode;
    System.arraycopy(cause.data, 0, d, 2, cause.data.length);
    return new Notification(ErrorCode.CEASE.value(), CeaseSubcode.HARD_RESET.value(), d);
  }

  /** Cease / BFD Down (RFC 9384 §3). */
  public static Notification bfdDown() {
    return cease(CeaseSubcode.BFD_DOWN);
  }

  /** OPEN Message Error / Unsupported Capability (RFC 5492 §5): data is the unsupported capabilities as encoded. */
  public static Notification unsupportedCapability(byte[] capabilities) {
    return new Notification(ErrorCode.OPEN_MESSAGE_ERROR.value(),
        OpenMessageErrorSubcode.UNSUPPORTED_CAPABILITY.value(), capabilities);
  }

  /** OPEN Message Error / Unsupported Capability (RFC 5492 §5) listing the capabilities that are missing. */
  public static Notification unsupportedCapability(java.util.List<? extends io.speakerkit.bgp.wire.capability.Capability> caps) {
    return unsupportedCapability(io.speakerkit.bgp.wire.capability.Capabilities.toBytes(caps));
  }

  /** OPEN Message Error / Role Mismatch (RFC 9234 §4.2). */
  public static Notification roleMismatch() {
    return new Notification(ErrorCode.OPEN_MESSAGE_ERROR.value(), OpenMessageErrorSubcode.ROLE_MISMATCH.value(), EMPTY);
  }

  /** ROUTE-REFRESH Message Error / Invalid Message Length (RFC 7313 §5): data is the received message. */
  public static Notification routeRefreshInvalidLength(byte[] message) {
    return new Notification(ErrorCode.ROUTE_REFRESH_MESSAGE_ERROR.value(),
        RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH.value(), message);
  }

  @Override
  public MessageType type() {
    return MessageType.NOTIFICATION;
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Length of the data field without copying it. */
  public int dataLength() {
    return data.length;
  }

  public ErrorCode errorCode() {
    return ErrorCode.valueOf(code);
  }

  /** The subcode's registry name for this code, or null when unnamed. */
  public String subcodeName() {
    return subcodeName(code, subcode);
  }

  /** The registry name of {@code subcode} under {@code code}, or null. */
  public static String subcodeName(int code, int subcode) {
    return switch (code) {
      case 1 -> MessageHeaderErrorSubcode.valueOf(subcode).name();
      case 2 -> OpenMessageErrorSubcode.valueOf(subcode).name();
      case 3 -> UpdateMessageErrorSubcode.valueOf(subcode).name();
      case 5 -> FsmErrorSubcode.valueOf(subcode).name();
      case 6 -> CeaseSubcode.valueOf(subcode).name();
      case 7 -> RouteRefreshErrorSubcode.valueOf(subcode).name();
      default -> null;
    };
  }

  /** Whether this is a Cease / Administrative Shutdown or Reset, the two that carry a shutdown communication. */
  public boolean hasShutdownCommunicationSubcode() {
    return code == 6 && (subcode == 2 || subcode == 4);
  }

  /**
   * The RFC 9003 shutdown communication, decoded tolerantly: empty when this is not Administrative Shutdown/Reset or
   * there is no data; a length octet larger than the data or invalid UTF-8 yields what could be read, with invalid
   * sequences replaced (RFC 9003 §4 says a malformed communication must not be treated as an error).
   */
  public Optional<String> shutdownCommunication() {
    if (!hasShutdownCommunicationSubcode() || data.length == 0) {
      return Optional.empty();
    }
    int len = Math.min(data[0] & 0xFF, data.length - 1);
    if (len == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data, 1, len)).toString());
    } catch (CharacterCodingException e) {
      return Optional.of(new String(data, 1, len, StandardCharsets.UTF_8));
    }
  }

  /** For Cease / Hard Reset (RFC 8538 §3): the encapsulated NOTIFICATION, when the data holds at least code+subcode. */
  public Optional<Notification> hardResetCause() {
    if (code != 6 || subcode != CeaseSubcode.HARD_RESET.value() || data.length < 2) {
      return Optional.empty();
    }
    return Optional.of(new Notification(data[0] & 0xFF, data[1] & 0xFF, Arrays.copyOfRange(data, 2, data.length)));
  }

  /**
   * Human text such as {@code Cease / Administrative Shutdown: "maintenance"} or
   * {@code UPDATE Message Error / Malformed AS_PATH (data: 40 02 04)}.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder(ErrorCode.valueOf(code).toString());
    String sub = subcodeName();
    boolean hasSubcodes = code == 1 || code == 2 || code == 3 || code == 5 || code == 6 || code == 7;
    if (sub != null) {
      sb.append(" / ").append(sub);
    } else if (hasSubcodes || subcode != 0) {
      sb.append(" / Subcode ").append(subcode);
    }
    Optional<String> text = shutdownCommunication();
    if (text.isPresent()) {
      sb.append(": \"").append(text.get()).append('"');
      return sb.toString();
    }
    if (code == 6 && subcode == CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED.value() && data.length == 7) {
      // RFC 4486 §4: AFI, SAFI and the prefix upper bound
      AddressFamily f = AddressFamily.of((data[0] & 0xFF) << 8 | (data[1] & 0xFF), data[2] & 0xFF);
      long bound = ((data[3] & 0xFFL) << 24) | ((data[4] & 0xFF) << 16) | ((data[5] & 0xFF) << 8) | (data[6] & 0xFF);
      return sb.append(" (").append(f).append(", limit ").append(bound).append(')').toString();
    }
    Optional<Notification> cause = hardResetCause();
    if (cause.isPresent()) {
      return sb.append(" (").append(cause.get().describe()).append(')').toString();
    }
    if (data.length > 0 && !hasShutdownCommunicationSubcode()) {
      sb.append(" (data:");
      int n = Math.min(data.length, 64);
      for (int i = 0; i < n; i++) {
        sb.append(' ').append(Character.forDigit((data[i] >> 4) & 0xF, 16)).append(Character.forDigit(data[i] & 0xF, 16));
      }
      if (n < data.length) {
        sb.append(" ...");
      }
      sb.append(')');
    }
    return sb.toString();
  }

  static byte[] truncateUtf8(String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= max) {
      return b;
    }
    int end = max;
    // do not cut inside a multi-octet sequence: back up over continuation octets
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--;
    }
    return Arrays.copyOf(b, end);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Notification n && n.code == code && n.subcode == subcode && Arrays.equals(n.data, data);
  }

  @Override
  public int hashCode() {
    return (code * 256 + subcode) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "NOTIFICATION " + describe();
  }
}
