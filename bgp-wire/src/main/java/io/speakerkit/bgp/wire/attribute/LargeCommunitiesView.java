package io.speakerkit.bgp.wire.attribute;

import io.netty.buffer.ByteBuf;
import io.speakerkit.bgp.wire.MessageBytes;
import java.util.ArrayList;
import java.util.List;

/** Reads LARGE_COMMUNITY (RFC 8092 §3) in place, 12 octets each. Does not own the buffer. */
public final class LargeCommunitiesView {

  private MessageBytes bytes;
  /** The generation of {@link #bytes} the view was handed out in: reads fail once its message is released. */
  private int generation;
  private int offset;
  private int size;

  public LargeCommunitiesView(ByteBuf buf, int offset, int length) {
    this.bytes = MessageBytes.of(buf);
    this.offset = offset;
    this.size = length / 12;
  }

  private LargeCommunitiesView() {}

  /**
   * {@code view} re-pointed at another value, or a new view when it is null: for decoders that hand out one view per
   * received message and reuse it with the message.
   */
  public static LargeCommunitiesView reuse(LargeCommunitiesView view, MessageBytes bytes, int generation, int offset,
      int length) {
    if (view == null) {
      view = new LargeCommunitiesView();
    }
    view.bytes = bytes;
    view.generation = generation;
    view.offset = offset;
    view.size = length / 12;
    return view;
  }

  public int size() {
    return size;
  }

  private int at(int i, int part) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("index: " + i + " (expected: 0-" + (size - 1) + ")");
    }
    return offset + 12 * i + 4 * part;
  }

  public long globalAdministrator(int i) {
    return bytes.getUnsignedInt(generation, at(i, 0));
  }

  public long localData1(int i) {
    return bytes.getUnsignedInt(generation, at(i, 1));
  }

  public long localData2(int i) {
    return bytes.getUnsignedInt(generation, at(i, 2));
  }

  public LargeCommunity get(int i) {
    return new LargeCommunity(globalAdministrator(i), localData1(i), localData2(i));
  }

  public List<LargeCommunity> toList() {
    List<LargeCommunity> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(get(i));
    }
    return out;
  }

  @Override
  public String toString() {
    return toList().toString();
  }
}
