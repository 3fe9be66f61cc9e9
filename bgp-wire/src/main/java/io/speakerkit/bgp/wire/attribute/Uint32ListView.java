package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.MessageBytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a list of 4-octet values in place: COMMUNITIES (RFC 1997) or CLUSTER_LIST (RFC 4456 §8). Does not own the
 * buffer: valid while the message it came from is. Reads only inside the given range.
 */
public final class Uint32ListView {

  private MessageBytes bytes;
  /** The generation of {@link #bytes} the view was handed out in: reads fail once its message is released. */
  private int generation;
  private int offset;
  private int size;

  /** Over {@code length / 4} values at absolute index {@code offset} of {@code buf} (not retained). */
  public Uint32ListView(ByteBuf buf, int offset, int length) {
    this.bytes = MessageBytes.of(buf);
    this.offset = offset;
    this.size = length >>> 2;
  }

  private Uint32ListView() {}

  /**
   * {@code view} re-pointed at another value, or a new view when it is null: for decoders that hand out one view per
   * received message and reuse it with the message.
   */
  public static Uint32ListView reuse(Uint32ListView view, MessageBytes bytes, int generation, int offset,
      int length) {
    if (view == null) {
      view = new Uint32ListView();
    }
    view.bytes = bytes;
    view.generation = generation;
    view.offset = offset;
    view.size = length >>> 2;
    return view;
  }

  public int size() {
    return size;
  }

  /** The {@code i}-th value as an int (a community's AS is {@code v >>> 16}, its value {@code v & 0xFFFF}). */
  public int get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index: " + i + " (expected: 0-" + (size - 1) + ")");
    }
    return bytes.getInt(generation, offset + 4 * i);
  }

  public boolean contains(int value) {
    for (int i = 0; i < size; i++) {
      if (bytes.getInt(generation, offset + 4 * i) == value) {
        return true;
      }
    }
    return false;
  }

  /** As community values (allocates). */
  public List<Community> toCommunities() {
    List<Community> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new Community(get(i)));
    }
    return out;
  }

  /** As boxed ints (allocates). */
  public List<Integer> toList() {
    List<Integer> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(get(i));
    }
    return out;
  }

  @Override
  public String toString() {
    return toCommunities().toString();
  }
}
