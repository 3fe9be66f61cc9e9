package io.speakerkit.bgp.wire;

/**
 * KEEPALIVE (RFC 4271 §4.4): the header alone, exactly 19 octets. A singleton.
 */
public final class KeepaliveMessage implements BgpMessage {

  public static final KeepaliveMessage INSTANCE = new KeepaliveMessage();

  private KeepaliveMessage() {
  }

  @Override
  public MessageType type() {
    return MessageType.KEEPALIVE;
  }

  @Override
  public String toString() {
    return "KEEPALIVE";
  }
}
