package io.speakerkit.testing;

import java.util.List;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fails a jqwik property when Netty reports a leak during it (all its tries). Registered globally through
 * {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class LeakCheckPropertyHook implements AroundPropertyHook {

  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    LeakRecorder.install();
    PropertyExecutionResult result = property.execute();
    List<String> leaks = LeakRecorder.collectLeaks();
    if (!leaks.isEmpty() && result.status() == PropertyExecutionResult.Status.SUCCESSFUL) {
      return result.mapToFailed(new AssertionError(LeakRecorder.describe(leaks)));
    }
    return result;
  }
}
