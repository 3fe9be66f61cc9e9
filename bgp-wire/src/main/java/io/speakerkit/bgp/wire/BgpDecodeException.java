package io.speakerkit.bgp.wire;

import io.netty.handler.codec.DecoderException;

import java.util.Arrays;

/**
 * The one exception the codec throws for bad input: it carries the NOTIFICATION to send (RFC 4271 §6: error code,
 * subcode and the data the RFC says to send) and the RFC 7606 action, which for exceptions is always
 * {@link ErrorAction#SESSION_RESET}. Gentler RFC 7606 outcomes (treat-as-withdraw, attribute discard, AFI/SAFI
 * disable) are not exceptions: they are reported on the decoded UPDATE.
 *
 * <p>It extends Netty's {@code DecoderException} so that {@code ByteToMessageDecoder} passes it to
 * {@code exceptionCaught} unwrapped.
 *
 * <p>Built through named factories, one per NOTIFICATION error code. The data is a copy (errors are rare and the
 * NOTIFICATION outlives the received buffer). Stack traces are not filled: bad input is not a bug here.
 */
public final class BgpDecodeException extends DecoderException {

  private static final long serialVersionUID = 1L;
  private static final byte[] NO_DATA = new byte[0];

  /** RFC 4271 §4.5 error codes. */
  public static final int MESSAGE_HEADER_ERROR = 1;
  public static final int OPEN_MESSAGE_ERROR = 2;
  public static final int UPDATE_MESSAGE_ERROR = 3;
  public static final int HOLD_TIMER_EXPIRED = 4;
  public static final int FSM_ERROR = 5;
  public static final int CEASE = 6;
  public static final int ROUTE_REFRESH_MESSAGE_ERROR = 7;

  private final int code;
  private final int subcode;
  private final byte[] data;

  private BgpDecodeException(int code, int subcode, byte[] data, String message) {
    super(message);
    this.code = code;
    this.subcode = subcode;
    this.data = data == null ? NO_DATA : data;
  }

  /** RFC 4271 §6.1: Message Header Error with the given subcode and data. */
  public static BgpDecodeException messageHeaderError(int subcode, byte[] data, String message) {
    return new BgpDecodeException(MESSAGE_HEADER_ERROR, subcode, data, message);
  }

  /** RFC 4271 §6.2: OPEN Message Error with the given subcode and data. */
  public static BgpDecodeException openMessageError(int subcode, byte[] data, String message) {
    return new BgpDecodeException(OPEN_MESSAGE_ERROR, subcode, data, message);
  }

  /** RFC 4271 §6.3: UPDATE Message Error with the given subcode and data (session reset under RFC 7606). */
  public static BgpDecodeException updateMessageError(int subcode, byte[] data, String message) {
    return new BgpDecodeException(UPDATE_MESSAGE_ERROR, subcode, data, message);
  }

  /** RFC 7313 §5: ROUTE-REFRESH Message Error (subcode 1: invalid message length). */
  public static BgpDecodeException routeRefreshMessageError(int subcode, byte[] data, String message) {
    return new BgpDecodeException(ROUTE_REFRESH_MESSAGE_ERROR, subcode, data, message);
  }

  /** Any other code, e.g. Cease (RFC 4486) raised while decoding. */
  public static BgpDecodeException of(int code, int subcode, byte[] data, String message) {
    return new BgpDecodeException(code, subcode, data, message);
  }

  /** Bad input is not a bug: no stack trace. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** The NOTIFICATION to send. */
  public Notification notification() {
    return new Notification(code, subcode, data);
  }

  /** The NOTIFICATION error code to send. */
  public int code() {
    return code;
  }

  /** The NOTIFICATION error subcode to send. */
  public int subcode() {
    return subcode;
  }

  /** The NOTIFICATION data to send (a copy; may be empty). */
  public byte[] data() {
    return data.clone();
  }

  /** Always {@link ErrorAction#SESSION_RESET}: anything gentler is reported on the decoded UPDATE instead. */
  public ErrorAction action() {
    return ErrorAction.SESSION_RESET;
  }

  @Override
  public String toString() {
    return "BgpDecodeException{code=" + code + ", subcode=" + subcode + ", data=" + Arrays.toString(data) + ", "
        + getMessage() + "}";
  }
}
