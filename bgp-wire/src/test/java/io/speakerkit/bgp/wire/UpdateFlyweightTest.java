package io.speakerkit.bgp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class UpdateFlyweightTest {

  @Test
  void decode_reusesOneInstance_sameResultsAsDecoder() {
    UpdateFlyweight fly = new UpdateFlyweight();
    String[] updates = {UpdateGoldenTest.IPV4_UPDATE, UpdateGoldenTest.IPV6_UPDATE, "M 0017 02 0000 0000",
        UpdateErrorHandlingTest.update("", "40 01 01 07" + UpdateErrorHandlingTest.AS_PATH
            + UpdateErrorHandlingTest.NEXT_HOP, UpdateErrorHandlingTest.NLRI)};
    UpdateMessage first = null;
    for (String hex : updates) {
      ByteBuf b = Hex.buf(hex);
      try {
        UpdateMessage u = fly.decode(b, UpdateGoldenTest.IBGP);
        if (first == null) {
          first = u;
        }
        assertSame(first, u);
        UpdateMessage fresh = BgpMessageDecoder.decodeUpdate(b, UpdateGoldenTest.IBGP);
        assertEquals(Visit.all(fresh), Visit.all(u));
        assertEquals(fresh.errorAction(), u.errorAction());
        assertEquals(fresh.errors(), u.errors());
      } finally {
        b.release();
      }
    }
  }

  @Provide
  Arbitrary<byte[]> validMessages() {
    return new FuzzProperties().validMessages();
  }

  @Property(tries = 300)
  void mutated_sameOutcomeAsDecoder(@ForAll("validMessages") byte[] valid, @ForAll long seed) {
    byte[] bytes = FuzzProperties.mutate(valid, new Random(seed));
    if (bytes.length < 19 || bytes[18] != 2) {
      return;
    }
    UpdateFlyweight fly = new UpdateFlyweight();
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    try {
      String expected;
      try {
        BgpMessage m = BgpMessageDecoder.decode(b, FuzzProperties.CONTEXTS.get(1));
        if (!(m instanceof UpdateMessage)) {
          return;
        }
        expected = Visit.all(m) + " " + ((UpdateMessage) m).errors();
      } catch (BgpDecodeException e) {
        expected = e.code() + "/" + e.subcode();
      }
      String actual;
      try {
        UpdateMessage u = fly.decode(b, FuzzProperties.CONTEXTS.get(1));
        actual = Visit.all(u) + " " + u.errors();
      } catch (BgpDecodeException e) {
        actual = e.code() + "/" + e.subcode();
      }
      assertEquals(expected, actual);
    } finally {
      b.release();
    }
  }
}
