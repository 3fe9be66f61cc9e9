package io.speakerkit.bgp.wire.attribute;

/**
 * Attribute Flags octet (RFC 4271 §4.3):
 *
 * <pre>
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * |O|T|P|E|  0    |
 * +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The low four bits are unused: sent as zero, ignored on receipt.
 */
public final class AttributeFlags {

  public static final int OPTIONAL = 0x80;
  public static final int TRANSITIVE = 0x40;
  public static final int PARTIAL = 0x20;
  public static final int EXTENDED_LENGTH = 0x10;

  private AttributeFlags() {
  }

  public static String toString(int flags) {
    StringBuilder sb = new StringBuilder();
    sb.append((flags & OPTIONAL) != 0 ? 'O' : '-');
    sb.append((flags & TRANSITIVE) != 0 ? 'T' : '-');
    sb.append((flags & PARTIAL) != 0 ? 'P' : '-');
    sb.append((flags & EXTENDED_LENGTH) != 0 ? 'E' : '-');
    return sb.toString();
  }
}
