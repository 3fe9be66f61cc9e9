package io.speakerkit.allocator;

/** A store could not record or read allocations; nothing the allocator reported as done was lost. */
public final class AllocationStoreException extends RuntimeException {
  public AllocationStoreException(String message) {
    super(message);
  }

  public AllocationStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
