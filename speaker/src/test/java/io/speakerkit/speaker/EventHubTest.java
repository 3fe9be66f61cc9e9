package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    // Overflows at event 3 (Resync of 4), queues 4, 5, overflows at 6 (Resync of 7), queues 7, 8, overflows at 9.
    assertEquals(List.of(new EventHub.Resync<>(10, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))), slow.drain());
    hub.publish(10);
    assertEquals(List.of(10), slow.drain(), "after a resync, delivery resumes in order");
    assertEquals(11, fast.drain().size());
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
    assertEquals(true, rest.size() <= capacity);
    for (Object o : rest) {
      seen += o instanceof EventHub.Resync<?> r ? r.droppedEvents() : 1;
    }
    assertEquals(events, seen);
  }
}
