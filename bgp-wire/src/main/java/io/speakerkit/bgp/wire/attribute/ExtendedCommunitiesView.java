package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.MessageBytes;
import java.util.ArrayList;
import java.util.List;

/** Reads EXTENDED_COMMUNITIES (RFC 4360 §2) in place, 8 octets each as a long. Does not own the buffer. */
public final class ExtendedCommunitiesView {

  private MessageBytes bytes;
  /** The generation of {@link #bytes} the view was handed out in: reads fail once its message is released. */
  private int generation;
  private int offset;
  private int size;

  public ExtendedCommunitiesView(ByteBuf buf, int offset, int length) {
    this.bytes = MessageBytes.of(buf);
    this.offset = offset;
    this.size = length >>> 3;
  }

  private ExtendedCommunitiesView() {}

  /**
   * {@code view} re-pointed at another value, or a new view when it is null: for decoders that hand out one view per
   * received message and reuse it with the message.
   */
  public static ExtendedCommunitiesView reuse(ExtendedCommunitiesView view, MessageBytes bytes, int generation,
      int offset, int length) {
    if (view == null) {
      view = new ExtendedCommunitiesView();
    }
    view.bytes = bytes;
    view.generation = generation;
    view.offset = offset;
    view.size = length >>> 3;
    return view;
  }

  public int size() {
    return size;
  }

  public long get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index: " + i + " (expected: 0-" + (size - 1) + ")");
    }
    return bytes.getLong(generation, offset + 8 * i);
  }

  public List<ExtendedCommunity> toList() {
    List<ExtendedCommunity> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new ExtendedCommunity(get(i)));
    }
    return out;
  }

  @Override
  public String toString() {
    return toList().toString();
  }
}
