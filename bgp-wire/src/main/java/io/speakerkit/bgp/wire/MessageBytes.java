package io.speakerkit.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.PlatformDependent;

/**
 * The received bytes that a decoded {@link UpdateMessage}, its {@link PrefixCursor}s and its attribute views read in
 * place, and how they read them. Views are handed out in a <em>generation</em> of the message; every read checks it,
 * and releasing the message ends it, so a view kept past {@link UpdateMessage#release()} throws instead of reading
 * bytes the message no longer holds.
 *
 * <p><b>Two ways of reading.</b> A message of {@link BgpFrameDecoder} holds a reference to a direct buffer that
 * stays where it is while the message lives (the pinning rule of {@link BgpFrameDecoder#next}); it reads that memory
 * straight from its address. Everything else (heap and composite buffers, frames the caller owns, a JVM without
 * {@code Unsafe}) reads through the buffer's own accessors. Netty's accessors check the reference count and the
 * bounds on every read; reading from the address gives the same two guarantees per message instead of per read:
 * the decoder checks every field against the message's length before anything reads it (with assertions enabled,
 * as in the tests, each read is checked against the message's bounds once more), and the generation stands for the
 * reference the message holds.
 *
 * <p>Public only for the views of {@code io.speakerkit.bgp.wire.attribute}; applications read values through the
 * views.
 */
public final class MessageBytes {

  /** Direct reads need Unsafe and a CPU that reads unaligned words (Netty falls back to octets elsewhere). */
  private static final boolean UNSAFE = PlatformDependent.hasUnsafe() && PlatformDependent.isUnaligned();
  private static final boolean NATIVE_BIG_ENDIAN = PlatformDependent.BIG_ENDIAN_NATIVE_ORDER;

  private ByteBuf buf;
  /** Address of index 0 of {@link #buf}, or 0 to read through its accessors. */
  private long address;
  /** The capacity of {@link #buf} when its address was taken: a buffer that grows or shrinks moves. */
  private int capacity;
  /** The message's bounds, for the assertions on direct reads. */
  private int start;
  private int end;
  private int generation;

  MessageBytes() {}

  /** Reads {@code buf} through its own accessors: for views built by applications over their own buffers. */
  public static MessageBytes of(ByteBuf buf) {
    MessageBytes b = new MessageBytes();
    b.buf = buf;
    b.start = 0;
    b.end = Integer.MAX_VALUE;
    return b;
  }

  /**
   * Points at the message in {@code [start, end)} of {@code buf}, read from its address when {@code pinned} (the
   * caller holds a reference to {@code buf} and it will not be reallocated while this generation lasts) and the
   * buffer has one. Does not start a new generation.
   */
  void reset(ByteBuf buf, int start, int end, boolean pinned) {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.address = pinned && UNSAFE && buf.hasMemoryAddress() ? buf.memoryAddress() : 0;
    this.capacity = buf.capacity();
  }

  /** Ends the current generation: every view handed out so far fails on its next read. */
  void endGeneration() {
    generation++;
    buf = null;
    address = 0;
  }

  /** The generation views handed out now belong to. */
  public int generation() {
    return generation;
  }

  /** The buffer read (for slices and copies; not retained). */
  public ByteBuf buffer(int generation) {
    checkGeneration(generation);
    return buf;
  }

  /**
   * Whether the bytes are still where they were when the message was decoded; false after the caller grew or shrank
   * a buffer the message pinned (Netty reallocates a buffer only to change its capacity).
   */
  boolean unmoved() {
    return address == 0 || buf.capacity() == capacity;
  }

  /** Throws unless {@code generation} is the current one. */
  public void checkGeneration(int generation) {
    if (generation != this.generation) {
      throw new IllegalReferenceCountException("a view of a released UPDATE was read (keep UpdateMessage.copy())");
    }
  }

  public long getLong(int generation, int index) {
    checkGeneration(generation);
    return getLong(index);
  }

  public int getInt(int generation, int index) {
    checkGeneration(generation);
    return getInt(index);
  }

  public long getUnsignedInt(int generation, int index) {
    checkGeneration(generation);
    return getInt(index) & 0xFFFF_FFFFL;
  }

  public int getUnsignedShort(int generation, int index) {
    checkGeneration(generation);
    return getUnsignedShort(index);
  }

  public int getUnsignedByte(int generation, int index) {
    checkGeneration(generation);
    return getUnsignedByte(index);
  }

  // The decoder's reads (no generation: it runs before any view is handed out). Each is kept under 35 bytecodes, so
  // that C2 inlines it at every call site, also the less frequent ones (MP_REACH_NLRI, the error paths).

  long getLong(int index) {
    return address != 0 ? longAt(raw(index, 8)) : buf.getLong(index);
  }

  int getInt(int index) {
    return address != 0 ? intAt(raw(index, 4)) : buf.getInt(index);
  }

  int getUnsignedShort(int index) {
    return address != 0 ? unsignedShortAt(raw(index, 2)) : buf.getUnsignedShort(index);
  }

  int getUnsignedByte(int index) {
    return address != 0 ? PlatformDependent.getByte(raw(index, 1)) & 0xFF : buf.getUnsignedByte(index);
  }

  /** The address of {@code index}; with assertions on, checks that {@code size} octets there lie in the message. */
  private long raw(int index, int size) {
    assert inMessage(index, size);
    return address + index;
  }

  private static long longAt(long address) {
    long v = PlatformDependent.getLong(address);
    return NATIVE_BIG_ENDIAN ? v : Long.reverseBytes(v);
  }

  private static int intAt(long address) {
    int v = PlatformDependent.getInt(address);
    return NATIVE_BIG_ENDIAN ? v : Integer.reverseBytes(v);
  }

  private static int unsignedShortAt(long address) {
    short v = PlatformDependent.getShort(address);
    return (NATIVE_BIG_ENDIAN ? v : Short.reverseBytes(v)) & 0xFFFF;
  }

  private boolean inMessage(int index, int size) {
    if (index < start || index > end - size) {
      throw new AssertionError("read of " + size + " octets at " + index + " outside the message [" + start + ", "
          + end + ")");
    }
    return true;
  }
}
