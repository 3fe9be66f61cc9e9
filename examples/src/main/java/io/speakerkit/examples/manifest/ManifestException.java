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

  public ManifestException(ObjectRef object, String field, String reason) {
    super((object == null ? "" : object + ": ") + (field == null || field.isEmpty() ? "" : field + ": ") + reason);
    this.object = object;
    this.field = field;
    this.reason = reason;
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
