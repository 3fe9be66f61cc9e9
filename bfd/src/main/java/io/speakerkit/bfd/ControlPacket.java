package io.speakerkit.bfd;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A BFD Control packet (RFC 5880 §4.1), as a value; for tests, tools and logs. The engine's steady path never
 * builds one: it reads fields straight from the received buffer ({@link ControlPacketCodec}) and writes them
 * straight into a pooled one ({@link BfdFsm#writeControlPacket}).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       My Discriminator                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Your Discriminator                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Desired Min TX Interval                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Required Min RX Interval                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Required Min Echo RX Interval                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Auth Type   |   Auth Len    |    Authentication Data...     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The authentication section, when {@code authType} is not NONE, is kept as its raw bytes (Auth Type through
 * the end of the packet) in {@code authSection}.
 *
 * @param version the protocol version, 1
 * @param diag the diagnostic
 * @param state the transmitting system's state
 * @param poll P bit
 * @param fin F bit (Final)
 * @param cpi C bit (Control Plane Independent)
 * @param demand D bit
 * @param multipoint M bit, must be zero
 * @param detectMult Detect Mult, 0-255
 * @param myDiscriminator My Discriminator, unsigned 32 bits as an int
 * @param yourDiscriminator Your Discriminator
 * @param desiredMinTxMicros Desired Min TX Interval, microseconds (unsigned 32 bits as a long)
 * @param requiredMinRxMicros Required Min RX Interval, microseconds
 * @param requiredMinEchoRxMicros Required Min Echo RX Interval, microseconds
 * @param authSection the authentication section (A bit set) or an empty array
 */
public record ControlPacket(
    int version,
    Diagnostic diag,
    SessionState state,
    boolean poll,
    boolean fin,
    boolean cpi,
    boolean demand,
    boolean multipoint,
    int detectMult,
    int myDiscriminator,
    int yourDiscriminator,
    long desiredMinTxMicros,
    long requiredMinRxMicros,
    long requiredMinEchoRxMicros,
    byte[] authSection) {

  public ControlPacket {
    Objects.requireNonNull(diag, "diag");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(authSection, "authSection");
    if (version < 0 || version > 7) {
      throw new IllegalArgumentException("version: " + version + " (expected: 0-7)");
    }
    if (detectMult < 0 || detectMult > 255) {
      throw new IllegalArgumentException("detectMult: " + detectMult + " (expected: 0-255)");
    }
    checkU32("desiredMinTxMicros", desiredMinTxMicros);
    checkU32("requiredMinRxMicros", requiredMinRxMicros);
    checkU32("requiredMinEchoRxMicros", requiredMinEchoRxMicros);
    if (authSection.length > 0 && (authSection.length < 2 || authSection.length > 255 - 24)) {
      throw new IllegalArgumentException("authSection: " + authSection.length + " bytes (expected: 0 or 2-231)");
    }
    authSection = authSection.clone();
  }

  private static void checkU32(String field, long v) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: 0-4294967295)");
    }
  }

  /** A version 1 packet without authentication. */
  public static ControlPacket of(SessionState state, Diagnostic diag, boolean poll, boolean fin, int detectMult,
      int myDiscriminator, int yourDiscriminator, long desiredMinTxMicros, long requiredMinRxMicros) {
    return new ControlPacket(1, diag, state, poll, fin, false, false, false, detectMult, myDiscriminator,
        yourDiscriminator, desiredMinTxMicros, requiredMinRxMicros, 0, new byte[0]);
  }

  /** Whether the A bit is set. */
  public boolean authPresent() {
    return authSection.length > 0;
  }

  /** A copy of the authentication section. */
  @Override
  public byte[] authSection() {
    return authSection.clone();
  }

  /** A copy with a different Poll bit. */
  public ControlPacket withPoll(boolean p) {
    return new ControlPacket(version, diag, state, p, fin, cpi, demand, multipoint, detectMult, myDiscriminator,
        yourDiscriminator, desiredMinTxMicros, requiredMinRxMicros, requiredMinEchoRxMicros, authSection);
  }

  /** A copy with a different authentication section (the A bit follows it). */
  public ControlPacket withAuthSection(byte[] auth) {
    return new ControlPacket(version, diag, state, poll, fin, cpi, demand, multipoint, detectMult, myDiscriminator,
        yourDiscriminator, desiredMinTxMicros, requiredMinRxMicros, requiredMinEchoRxMicros, auth);
  }

  /** Writes the packet; the Length field is 24 plus the authentication section. */
  public void encode(ByteBuf out) {
    int length = ControlPacketCodec.MANDATORY_LENGTH + authSection.length;
    out.writeByte(version << 5 | diag.code());
    out.writeByte(state.code() << 6 | (poll ? 0x20 : 0) | (fin ? 0x10 : 0) | (cpi ? 0x08 : 0)
        | (authSection.length > 0 ? 0x04 : 0) | (demand ? 0x02 : 0) | (multipoint ? 0x01 : 0));
    out.writeByte(detectMult);
    out.writeByte(length);
    out.writeInt(myDiscriminator);
    out.writeInt(yourDiscriminator);
    out.writeInt((int) desiredMinTxMicros);
    out.writeInt((int) requiredMinRxMicros);
    out.writeInt((int) requiredMinEchoRxMicros);
    out.writeBytes(authSection);
  }

  /**
   * Reads a packet from {@code in}'s readable bytes without consuming them; fails with
   * {@link IllegalArgumentException} if {@link ControlPacketCodec#check} rejects them. The caller keeps ownership
   * of {@code in}.
   */
  public static ControlPacket decode(ByteBuf in) {
    String problem = ControlPacketCodec.check(in);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    int r = in.readerIndex();
    int length = in.getUnsignedByte(r + 3);
    // Without the A bit, bytes the Length counts past the mandatory section are ignored (the RFC only discards
    // packets shorter than the minimum).
    byte[] auth = new byte[ControlPacketCodec.authPresent(in) ? length - ControlPacketCodec.MANDATORY_LENGTH : 0];
    in.getBytes(r + ControlPacketCodec.MANDATORY_LENGTH, auth);
    return new ControlPacket(ControlPacketCodec.version(in), Diagnostic.valueOf(ControlPacketCodec.diag(in)),
        ControlPacketCodec.state(in), ControlPacketCodec.poll(in), ControlPacketCodec.fin(in),
        (in.getByte(r + 1) & 0x08) != 0, ControlPacketCodec.demand(in), (in.getByte(r + 1) & 0x01) != 0,
        ControlPacketCodec.detectMult(in), ControlPacketCodec.myDiscriminator(in),
        ControlPacketCodec.yourDiscriminator(in), ControlPacketCodec.desiredMinTxMicros(in),
        ControlPacketCodec.requiredMinRxMicros(in), ControlPacketCodec.requiredMinEchoRxMicros(in), auth);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlPacket p && p.version == version && p.diag == diag && p.state == state
        && p.poll == poll && p.fin == fin && p.cpi == cpi && p.demand == demand && p.multipoint == multipoint
        && p.detectMult == detectMult && p.myDiscriminator == myDiscriminator
        && p.yourDiscriminator == yourDiscriminator && p.desiredMinTxMicros == desiredMinTxMicros
        && p.requiredMinRxMicros == requiredMinRxMicros && p.requiredMinEchoRxMicros == requiredMinEchoRxMicros
        && java.util.Arrays.equals(p.authSection, authSection);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, diag, myDiscriminator, yourDiscriminator, desiredMinTxMicros, requiredMinRxMicros);
  }

  @Override
  public String toString() {
    return "ControlPacket[v" + version + " " + state + " diag=" + diag + (poll ? " P" : "") + (fin ? " F" : "")
        + (demand ? " D" : "") + (multipoint ? " M" : "") + " mult=" + detectMult
        + " my=" + Integer.toUnsignedString(myDiscriminator) + " your=" + Integer.toUnsignedString(yourDiscriminator)
        + " tx=" + desiredMinTxMicros + "us rx=" + requiredMinRxMicros + "us echo=" + requiredMinEchoRxMicros
        + "us" + (authSection.length > 0 ? " auth=" + authSection.length + "B" : "") + "]";
  }
}
