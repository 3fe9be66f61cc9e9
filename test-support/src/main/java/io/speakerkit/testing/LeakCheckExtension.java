package io.speakerkit.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a JUnit Jupiter test when Netty reports a leak during it. Registered for every test through Jupiter's
 * extension auto-detection ({@code junit-platform.properties} in this jar).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterEachCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    LeakRecorder.install();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> leaks = LeakRecorder.collectLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(LeakRecorder.describe(leaks));
    }
  }
}
