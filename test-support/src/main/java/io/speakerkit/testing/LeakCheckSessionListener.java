package io.speakerkit.testing;

import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link LeakRecorder} when the test JVM's launcher session opens (before any test class loads), and as a
 * backstop halts the JVM with a non-zero status if a leak is still found when the session closes, so a leak that
 * escaped the per-test checks still fails the build. Registered through {@code META-INF/services}.
 */
public final class LeakCheckSessionListener implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    LeakRecorder.install();
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    List<String> leaks = LeakRecorder.collectLeaks();
    if (!leaks.isEmpty()) {
      System.err.println("FAIL: " + LeakRecorder.describe(leaks));
      System.err.flush();
      Runtime.getRuntime().halt(3);
    }
  }
}
