package io.speakerkit.bfd.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Sessions get their own connected receive socket only where the kernel routes reuseport groups right. */
class KernelVersionTest {

  @Test
  void kernelPrefersConnected_fromFiveFourOn() {
    assertTrue(BfdEngine.kernelPrefersConnected("6.18.44-fc-v669"));
    assertTrue(BfdEngine.kernelPrefersConnected("5.4.0-150-generic"));
    assertTrue(BfdEngine.kernelPrefersConnected("5.10"));
    assertFalse(BfdEngine.kernelPrefersConnected("5.3.18-lp152"));
    assertFalse(BfdEngine.kernelPrefersConnected("4.19.0-26-amd64"));
    assertFalse(BfdEngine.kernelPrefersConnected(""));
    assertFalse(BfdEngine.kernelPrefersConnected("unknown"));
  }
}
