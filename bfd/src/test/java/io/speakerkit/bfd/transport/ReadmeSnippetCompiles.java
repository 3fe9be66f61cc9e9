package io.speakerkit.bfd.transport;

import io.speakerkit.bfd.AuthType;
import io.speakerkit.bfd.BfdAuthentication;
import io.speakerkit.bfd.BfdProfile;
import io.speakerkit.bfd.BfdSession;
import io.speakerkit.bfd.BfdSessionConfig;
import java.net.InetAddress;

/** bfd/README.md "Using it", kept compiling (not run: it needs the peer at 10.0.0.2). */
final class ReadmeSnippetCompiles {
  private ReadmeSnippetCompiles() {}

  static void readme(BfdProfile newProfile) throws Exception {
    try (BfdEngine engine = BfdEngine.builder().build()) {
      BfdSession session = engine.createSession(BfdSessionConfig.builder()
          .localAddress(InetAddress.getByName("10.0.0.1"))
          .remoteAddress(InetAddress.getByName("10.0.0.2"))
          .multihop(false)
          .profile(BfdProfile.builder()
              .receiveIntervalMillis(50).transmitIntervalMillis(50).detectMultiplier(3).build())
          .authentication(BfdAuthentication.of(AuthType.METICULOUS_KEYED_SHA1, 1, "secret"))
          .build());
      BfdSession.Subscription sub = session.subscribe(change -> {
        if (change.isUpToDown()) { /* take the BGP session down */ }
      });
      session.updateProfile(newProfile);
      session.state(); session.remoteState(); session.counters(); session.adminDown(); session.enable(); session.close();
      session.adminDownThenClose();
    }
  }
}
