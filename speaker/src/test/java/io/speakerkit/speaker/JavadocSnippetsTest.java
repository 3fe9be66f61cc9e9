package io.speakerkit.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.speakerkit.allocator.AllocationResult;
import io.speakerkit.allocator.Allocator;
import io.speakerkit.allocator.FileAllocationStore;
import io.speakerkit.allocator.IpAddressPool;
import io.speakerkit.allocator.ServiceRequest;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snippets of the Speaker Javadoc and the allocator package Javadoc, as written but for addresses. */
class JavadocSnippetsTest {

  @Test
  void speakerJavadoc(@TempDir Path dir) throws Exception {
    SpeakerConfig config = SpeakerConfig.builder()
        .pool(IpAddressPool.builder().name("p").addresses("10.0.0.10-10.0.0.20").build())
        .peer(PeerConfig.builder().name("r").myAsn(64512).peerAsn(64512).peerAddress("127.0.5.40").peerPort(14340)
            .sourceAddress(InetAddress.getByName("127.0.0.1")).build())
        .advertisement(AdvertisementConfig.builder("all").build())
        .build();
    // ---- Speaker's Javadoc (allowLocalPeers: the loopback peer stands for the router) ----
    Speaker speaker = Speaker.builder().config(config).node(new NodeIdentity("node-a", Map.of()))
        .allowLocalPeers(true).build();
    speaker.start();
    AllocationResult r = speaker.announce(ServiceRequest.builder("default/web").build());
    assertEquals(List.of(InetAddress.getByName("10.0.0.10")),
        assertInstanceOf(AllocationResult.Allocated.class, r).allocation().addresses());
    assertEquals(Map.of("default/web", List.of(InetAddress.getByName("10.0.0.10"))), speaker.announced());
    assertEquals(1, speaker.status().get(0).routesSent());
    speaker.close();
  }

  @Test
  void allocatorPackageJavadoc(@TempDir Path dir) throws Exception {
    FileAllocationStore store = FileAllocationStore.open(dir.resolve("allocations.journal"));
    Allocator allocator = Allocator.builder()
        .pools(IpAddressPool.builder().name("default").addresses("192.0.2.0/24", "2001:db8::/64").build())
        .store(store)
        .build();
    AllocationResult r = allocator.allocate(ServiceRequest.builder("web/frontend").build());
    if (r instanceof AllocationResult.Allocated a) {
      // "192.0.2.0/24": MetalLB hands out .0 unless avoidBuggyIPs
      assertEquals(List.of(InetAddress.getByName("192.0.2.0")), a.allocation().addresses());
    } else if (r instanceof AllocationResult.Refused f) {
      throw new AssertionError(f.reason() + ": " + f.message());
    }
    store.close();
    // durable: a new allocator on the same journal restores it
    Allocator again = Allocator.builder()
        .pools(IpAddressPool.builder().name("default").addresses("192.0.2.0/24", "2001:db8::/64").build())
        .store(FileAllocationStore.open(dir.resolve("allocations.journal")))
        .build();
    assertEquals(List.of(InetAddress.getByName("192.0.2.0")),
        again.allocation("web/frontend").orElseThrow().addresses());
  }
}
