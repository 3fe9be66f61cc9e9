package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class EventHubTest {

  @Test
  void subscribe_snapshotThenEventsInOrder() throws Exception {
    List<String> state = new ArrayList<>(List.of("peer r1 Established"));
    EventHub<String> hub = new EventHub<>(() -> state);
    EventHub.Subscription<String> s = hub.subscribe(10);
    hub.publish("a");
    hub.publish("b");
    assertEquals(List.of("peer r1 Established"), s.snapshot());
    assertEquals("a", s.poll(0, TimeUnit.SECONDS));
    assertEquals("b", s.poll(0, TimeUnit.SECONDS));
    assertNull(s.poll(0, TimeUnit.SECONDS));
  }

  @Test
  void slowSubscriber_getsOneResyncCountingEveryDroppedEvent_otherSubscribersUnaffected() {
    List<Integer> state = new ArrayList<>();
    EventHub<Integer> hub = new EventHub<>(() -> state);
    EventHub.Subscription<Integer> slow = hub.subscribe(3);
    EventHub.Subscription<Integer> fast = hub.subscribe(100);
    for (int i = 0; i < 10; i++) {
      state.add(i);
      hub.publish(i);
    }
    // Overflows at event 3 (Resync of 4, snapshot of 4 entries, so 4 may queue now), queues 4, 5, 6, overflows at 7
    // (Resync of 8, snapshot of 8), queues 8, 9.
    assertEquals(List.of(new EventHub.Resync<>(8, List.of(0, 1, 2, 3, 4, 5, 6, 7)), 8, 9), slow.drain());
    hub.publish(10);
    assertEquals(List.of(10), slow.drain(), "after a resync, delivery resumes in order");
    assertEquals(11, fast.drain().size());
  }

  /**
   * A subscriber that stays behind while the state is large: a snapshot per capacity's worth of events would cost
   * O(state) each time (a flood of routes with 50,000 services took minutes); at least a snapshot's size of events
   * passes between two.
   */
  @Test
  void slowSubscriber_largeState_oneSnapshotPerStateSizeOfEvents() {
    List<Integer> state = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      state.add(i);
    }
    int[] snapshots = new int[1];
    EventHub<Integer> hub = new EventHub<>(() -> {
      snapshots[0]++;
      return state;
    });
    EventHub.Subscription<Integer> slow = hub.subscribe(10);
    snapshots[0] = 0;
    for (int i = 0; i < 100_000; i++) {
      hub.publish(i);
    }
    assertTrue(snapshots[0] <= 100, snapshots[0] + " snapshots for 100,000 events (capacity 10, state 1,000)");
    long accounted = 0;
    for (Object o : slow.drain()) {
      accounted += o instanceof EventHub.Resync<?> r ? r.droppedEvents() : 1;
    }
    assertEquals(100_000, accounted);
  }

  @Test
  void close_stopsDeliveryAndUnsubscribes() throws Exception {
    EventHub<Integer> hub = new EventHub<>(List::of);
    EventHub.Subscription<Integer> s = hub.subscribe(3);
    s.close();
    s.close();
    hub.publish(1);
    assertEquals(0, hub.subscriberCount());
    assertNull(s.poll(0, TimeUnit.SECONDS));
  }

  /** Never unbounded, never silent: a subscriber sees every event or a Resync accounting for the missing ones. */
  @Property(tries = 200)
  void everyEventDeliveredOrAccountedFor(@ForAll @IntRange(min = 1, max = 8) int capacity,
      @ForAll @IntRange(min = 0, max = 40) int events, @ForAll @IntRange(min = 1, max = 5) int drainEvery) {
    EventHub<Integer> hub = new EventHub<>(List::of);
    EventHub.Subscription<Integer> s = hub.subscribe(capacity);
    long seen = 0;
    for (int i = 0; i < events; i++) {
      hub.publish(i);
      if (i % drainEvery == 0) {
        for (Object o : s.drain()) {
          seen += o instanceof EventHub.Resync<?> r ? r.droppedEvents() : 1;
        }
      }
    }
    List<Object> rest = s.drain();
    assertEquals(true, rest.size() <= capacity); // the snapshot is empty: nothing more may queue
    for (Object o : rest) {
      seen += o instanceof EventHub.Resync<?> r ? r.droppedEvents() : 1;
    }
    assertEquals(events, seen);
  }

  @Test
  void subscribe_capacityZero_rejected() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new EventHub<Integer>(List::of).subscribe(0));
  }

  /** The snapshot is the state when subscribing, not a view of it that later changes show through. */
  @Test
  void snapshot_copiedWhenSubscribing() {
    List<String> state = new ArrayList<>(List.of("a"));
    EventHub.Subscription<String> s = new EventHub<>(() -> state).subscribe(4);
    state.add("b");
    assertEquals(List.of("a"), s.snapshot());
  }

  /**
   * After a resync with a large snapshot, a subscriber that caught up (by drain or by poll) is back to its own
   * capacity: one more event than that resyncs again instead of queueing up to the snapshot's size.
   */
  @Test
  void caughtUp_limitBackToCapacity() throws Exception {
    List<Integer> state = List.of(0, 1, 2, 3, 4, 5, 6, 7);
    for (boolean byPoll : new boolean[] {false, true}) {
      EventHub<Integer> hub = new EventHub<>(() -> state);
      EventHub.Subscription<Integer> s = hub.subscribe(2);
      for (int i = 0; i < 3; i++) {
        hub.publish(i); // the third overflows: a Resync with 8 entries, so up to 8 may queue
      }
      if (byPoll) {
        assertTrue(s.poll(0, TimeUnit.SECONDS) instanceof EventHub.Resync<?>);
      } else {
        assertEquals(1, s.drain().size());
      }
      for (int i = 0; i < 3; i++) {
        hub.publish(10 + i);
      }
      List<Object> queued = s.drain();
      assertEquals(1, queued.size(), () -> "by poll: " + byPoll + ", " + queued);
      assertEquals(3L, ((EventHub.Resync<?>) queued.get(0)).droppedEvents());
    }
  }
}
