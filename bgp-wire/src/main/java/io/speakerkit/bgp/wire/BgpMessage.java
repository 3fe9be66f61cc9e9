package io.speakerkit.bgp.wire;

/**
 * A BGP message (RFC 4271 §4). Every message starts with the fixed header:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                                                               +
 * |                           Marker                              |
 * +                                                               +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Length               |      Type     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Decode with {@link BgpMessageDecoder}, encode with {@link BgpMessageEncoder}. Only {@link UpdateMessage} is a
 * view over a buffer (and reference counted); the others are plain values.
 */
public sealed interface BgpMessage
    permits OpenMessage, UpdateMessage, Notification, KeepaliveMessage, RouteRefreshMessage {

  /** RFC 4271 §4.1: octets in the marker, length and type. */
  int HEADER_LENGTH = 19;

  MessageType type();
}
