package io.speakerkit.bgp.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CollisionTest {

  private static final BgpIdentifier LOW = BgpIdentifier.parse("10.0.0.1");
  private static final BgpIdentifier HIGH = BgpIdentifier.parse("192.168.0.1");

  @Test
  void resolve_higherLocalId_keepsOurConnection() {
    assertEquals(Collision.Keep.LOCALLY_INITIATED, Collision.resolve(HIGH, 65001, LOW, 65002));
  }

  @Test
  void resolve_lowerLocalId_keepsPeersConnection() {
    assertEquals(Collision.Keep.REMOTELY_INITIATED, Collision.resolve(LOW, 65001, HIGH, 65002));
  }

  @Test
  void resolve_comparesIdentifiersUnsigned() {
    // 192.168.0.1 is negative as a signed int; it is still the higher identifier
    assertEquals(Collision.Keep.LOCALLY_INITIATED, Collision.resolve(HIGH, 1, LOW, 2));
  }

  @Test
  void resolve_equalIds_largerAsKeepsItsConnection() {
    assertEquals(Collision.Keep.LOCALLY_INITIATED, Collision.resolve(LOW, 65002, LOW, 65001));
    assertEquals(Collision.Keep.REMOTELY_INITIATED, Collision.resolve(LOW, 65001, LOW, 65002));
  }

  @Test
  void collides_onceTheOtherSentItsOpen() {
    assertTrue(Collision.collides(BgpState.OpenSent));
    assertTrue(Collision.collides(BgpState.OpenConfirm));
    assertTrue(Collision.collides(BgpState.Established));
    assertFalse(Collision.collides(BgpState.Active));
    assertFalse(Collision.collides(BgpState.Connect));
    assertFalse(Collision.collides(BgpState.Idle));
  }

  @Test
  void onOpen_establishedWins_otherwiseHigherIdKeepsItsConnection() {
    BgpIdentifier high = BgpIdentifier.parse("10.0.0.9");
    assertEquals(Collision.Close.ARRIVED, Collision.onOpen(BgpState.Established, true, high, 1, LOW, 2));
    assertEquals(Collision.Close.NONE, Collision.onOpen(BgpState.Active, true, high, 1, LOW, 2));
    // we are higher: keep what we initiated
    assertEquals(Collision.Close.OTHER, Collision.onOpen(BgpState.OpenSent, true, high, 1, LOW, 2));
    assertEquals(Collision.Close.ARRIVED, Collision.onOpen(BgpState.OpenConfirm, false, high, 1, LOW, 2));
    // we are lower: keep what the peer initiated
    assertEquals(Collision.Close.ARRIVED, Collision.onOpen(BgpState.OpenSent, true, LOW, 1, high, 2));
    assertEquals(Collision.Close.OTHER, Collision.onOpen(BgpState.OpenConfirm, false, LOW, 1, high, 2));
  }

  /** Both speakers run the same rule and must agree on which single connection survives. */
  @Property
  void resolve_bothSidesAgree(@ForAll int a, @ForAll int b, @ForAll @LongRange(min = 1, max = 4294967295L) long asA,
      @ForAll @LongRange(min = 1, max = 4294967295L) long asB) {
    if (a == b && asA == asB) {
      return;
    }
    Collision.Keep atA = Collision.resolve(new BgpIdentifier(a), asA, new BgpIdentifier(b), asB);
    Collision.Keep atB = Collision.resolve(new BgpIdentifier(b), asB, new BgpIdentifier(a), asA);
    // A keeping its own connection means B must keep the one A initiated, i.e. the remote one
    assertNotEquals(atA, atB);
  }
}
