package io.speakerkit.examples.manifest;

/**
 * An invalid manifest: names the object, the field (as a path such as {@code spec.holdTime}) and the reason, e.g.
 * {@code BGPPeer metallb-system/peer1: spec.holdTime: "2s" (expected: 0 or at least 3s)}.
 */
public final class ManifestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ObjectRef object;
  private final String field;
  private final String reason;
  private final boolean objectOnly;

  public ManifestException(ObjectRef object, String field, String reason) {
    this(object, field, reason, false);
  }

  private ManifestException(ObjectRef object, String field, String reason, boolean objectOnly) {
    super((object == null ? "" : object + ": ") + (field == null || field.isEmpty() ? "" : field + ": ") + reason);
    this.object = object;
    this.field = field;
    this.reason = reason;
    this.objectOnly = objectOnly;
  }

  /**
   * An error MetalLB fails the object alone for, not the whole configuration: a Service's MetalLB annotations, which
   * the API server does not check (so a cluster can hold such a Service beside working ones).
   */
  static ManifestException objectOnly(ObjectRef object, String field, String reason) {
    return new ManifestException(object, field, reason, true);
  }

  /** Whether only the object at fault is left out (see {@link #objectOnly(ObjectRef, String, String)}). */
  public boolean isObjectOnly() {
    return objectOnly;
  }

  /** The object at fault, or {@code null} when the document itself could not be read. */
  public ObjectRef object() {
    return object;
  }

  /** The field path at fault, e.g. {@code spec.addresses[1]}; empty for object-level errors. */
  public String field() {
    return field;
  }

  /** Why the value was refused. */
  public String reason() {
    return reason;
  }
}
