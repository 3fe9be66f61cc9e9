package io.speakerkit.examples.manifest;

/**
 * MetalLB {@code BFDProfile} (metallb.io/v1beta1), field for field; null means unset (the bfd module applies
 * MetalLB's defaults and range checks).
 */
public record BfdProfileSpec(
    ObjectRef ref,
    Integer receiveInterval,
    Integer transmitInterval,
    Integer detectMultiplier,
    Integer echoInterval,
    boolean echoMode,
    boolean passiveMode,
    Integer minimumTtl) {

  static BfdProfileSpec read(ObjectRef ref, Node spec) {
    return new BfdProfileSpec(
        ref,
        asInt(spec.integer("receiveInterval", Integer.MIN_VALUE, Integer.MAX_VALUE)),
        asInt(spec.integer("transmitInterval", Integer.MIN_VALUE, Integer.MAX_VALUE)),
        asInt(spec.integer("detectMultiplier", Integer.MIN_VALUE, Integer.MAX_VALUE)),
        asInt(spec.integer("echoInterval", Integer.MIN_VALUE, Integer.MAX_VALUE)),
        spec.bool("echoMode", false),
        spec.bool("passiveMode", false),
        asInt(spec.integer("minimumTtl", Integer.MIN_VALUE, Integer.MAX_VALUE)));
  }

  private static Integer asInt(Long v) {
    return v == null ? null : v.intValue();
  }
}
