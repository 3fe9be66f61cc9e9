package io.speakerkit.allocator;

import java.nio.file.Path;

/** A child JVM that tries to open the journal given as its argument and prints OPENED or REFUSED. */
public final class StoreLockProbe {

  private StoreLockProbe() {}

  @SuppressWarnings("try") // a resource held open for its side effect (a lock, a connection), not read
  public static void main(String[] args) {
    try (FileAllocationStore store = FileAllocationStore.open(Path.of(args[0]))) {
      System.out.println("OPENED");
    } catch (AllocationStoreException e) {
      System.out.println("REFUSED");
    }
  }
}
