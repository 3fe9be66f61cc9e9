package io.speakerkit.allocator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe store: an append-only journal, one CRC-protected record per change, forced to disk ({@code fsync})
 * before {@link #put}/{@link #remove} return, with group commit for concurrent callers ({@link #awaitDurable}).
 *
 * <pre>
 * file    = magic "SKAJ" version:u32=2 record*
 * record  = length:u32 crc32c:u32 payload[length]      crc over payload
 * payload = synced:u32 change
 * change  = 1 key pool addrCount:u8 (len:u8 bytes)* sharing backend portCount:u16 (proto:u8 port:u16)*   (put)
 *         | 2 key                                                                                       (remove)
 * string  = len:u16 utf8[len]; sharing = 0 | 1 string
 * </pre>
 *
 * <p>{@code synced} is the length of the journal that an fsync had covered when the record was written: every byte
 * before it was on disk then. (Records a compaction writes carry their own offset: the whole file is forced before it
 * becomes the journal.) Version 1 journals, whose payload is the change alone, are read and rewritten as version 2 by
 * the allocator's compaction at start.
 *
 * <p>Recovery on open: a bad record (cut short, impossible length, or failing its CRC) is a write the process did not
 * finish when no intact record after it says that an fsync had covered it. That is the tail a crash leaves: one record
 * cut short, or, after a power loss, a batch of records written between two fsyncs of which the disk kept some pages
 * and not others. No change in it was acknowledged (acknowledging waits for the fsync), so it is cut off from the
 * first bad record, logged, and described by {@link #recovery()}. A bad record that a later record says was synced is
 * corruption: opening fails with {@link AllocationStoreException} naming both offsets, and nothing is truncated, so no
 * acknowledged allocation is dropped silently. (Version 1 records carry no {@code synced}: there any intact record
 * after a bad one means corruption.) What recovery cannot tell apart from a torn write is damage, after the fact, to
 * the records of the last batch when nothing was written after it.
 *
 * <p>{@link #compact} rewrites the live allocations to a temporary file, forces it, renames it over the journal and
 * forces the directory, so a crash leaves either the old or the new journal.
 */
public final class FileAllocationStore implements AllocationStore {
  private static final Logger log = LoggerFactory.getLogger(FileAllocationStore.class);
  private static final int MAGIC = 0x534b414a; // "SKAJ"
  private static final int VERSION = 2;
  /** The first format: no {@code synced} field; read, appended to in kind, and compacted into {@link #VERSION}. */
  private static final int VERSION_1 = 1;
  private static final int HEADER = 8;
  private static final int MAX_RECORD = 1 << 20;
  private static final int COMPACTION_BATCH = 1 << 20;
  private static final byte PUT = 1;
  private static final byte REMOVE = 2;
  private static final Protocol[] PROTOCOLS = Protocol.values();

  /**
   * What recovery found at the end of the journal.
   *
   * @param validBytes length of the journal kept
   * @param discardedBytes length of the torn tail cut off (0 if none)
   * @param records records replayed
   * @param detail what was wrong with the tail, empty if nothing
   */
  public record Recovery(long validBytes, long discardedBytes, long records, String detail) {}

  private final Path path;
  private FileChannel channel;
  private long end;
  /**
   * Added to {@link #end} to make a group-commit ticket. Compaction shortens the file; raising the base there keeps
   * tickets growing, so one handed out before it is never taken for work still to sync (which made every later call
   * fsync until the file grew back).
   */
  private long ticketBase;
  private boolean failed;
  /** The file's format, {@link #VERSION} or {@link #VERSION_1}; records appended to it are written in kind. */
  private int version = VERSION;
  /** Journal length an fsync has covered, written into each record (file offsets, not tickets). */
  private long syncedEnd;
  /** Guards {@link #durable} and {@link #forces}; taken before {@code this}, never after. */
  private final Object syncLock = new Object();
  private long durable;
  private long forces;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buf = ByteBuffer.allocate(512);
  private Recovery recovery = new Recovery(0, 0, 0, "");
  private long records;
  /** After a compaction could not be written, the next is tried only once the journal has grown as much again. */
  private long compactionBackoff;
  private boolean replayed;
  private boolean closed;

  private final FileChannel lockChannel;
  /** The lock file's path in {@link #LOCKED_IN_THIS_JVM} while this store is open. */
  private final Path lockKey;
  /** Lock files held by stores of this JVM (a second open must be refused without touching the file). */
  private static final Set<Path> LOCKED_IN_THIS_JVM = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private FileAllocationStore(Path path, FileChannel channel, FileChannel lockChannel, Path lockKey) {
    this.lockKey = lockKey;
    this.path = path;
    this.channel = channel;
    this.lockChannel = lockChannel;
  }

  /**
   * Opens (creating if absent) the journal at {@code path}; replay happens when an allocator is built on it. The store
   * holds an exclusive lock on {@code path + ".lock"} until {@link #close()} (or the process dies), so two speakers
   * can never append to one journal.
   *
   * @throws AllocationStoreException if the journal cannot be opened or another store holds it
   */
  public static FileAllocationStore open(Path path) {
    Objects.requireNonNull(path, "path");
    Path given = path;
    Path lockPath;
    // A lock this JVM holds must be refused before any channel is opened on its file: on Linux closing any descriptor
    // of a file drops all of the process's locks on it (FileLock's javadoc), the first store's included.
    Path lockKey;
    try {
      // The journal itself is resolved first (a symlinked file or directory included): the lock file, the compaction's
      // temporary file and its rename must sit beside the real journal, or two spellings of one journal take two
      // different locks, and a compaction replaces the symlink with a regular file beside it, leaving the target
      // (say, on a persistent volume) behind.
      path = realJournalPath(path);
      lockPath = path.resolveSibling(path.getFileName() + ".lock");
      // the same key whether the lock file exists yet or not
      lockKey = Files.exists(lockPath) ? lockPath.toRealPath() : lockPath;
    } catch (IOException e) {
      throw new AllocationStoreException("journal " + given + ": cannot open: " + e.getMessage(), e);
    }
    if (!LOCKED_IN_THIS_JVM.add(lockKey)) {
      throw new AllocationStoreException("journal " + path + " is in use by another store in this process (lock "
          + lockPath + "; expected: one speaker per journal, and close() before reopening)");
    }
    FileChannel lock = null;
    FileChannel ch = null;
    try {
      lock = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      boolean locked;
      try {
        locked = lock.tryLock() != null;
      } catch (OverlappingFileLockException e) {
        locked = false;
      }
      if (!locked) {
        throw new AllocationStoreException("journal " + path + " is in use by another store (lock " + lockPath
            + " is held; expected: one speaker per journal, and close() before reopening)");
      }
      ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (ch.size() < HEADER || ch.size() == HEADER && headerZeroed(ch)) {
        // new, or torn during creation (short, or the header's blocks never reached the disk): nothing was ever
        // acknowledged
        ch.truncate(0);
        ByteBuffer h = ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip();
        while (h.hasRemaining()) {
          ch.write(h, HEADER - h.remaining());
        }
        ch.force(true);
        forceDirectory(path);
      }
      return new FileAllocationStore(path, ch, lock, lockKey);
    } catch (IOException | RuntimeException e) {
      LOCKED_IN_THIS_JVM.remove(lockKey);
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (lock != null) {
        try {
          lock.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof AllocationStoreException ase) {
        throw ase;
      }
      throw new AllocationStoreException("journal " + path + ": cannot open: " + e.getMessage(), e);
    }
  }

  /** {@code path} with every symlink resolved, whether the journal exists yet or not. */
  private static Path realJournalPath(Path path) throws IOException {
    for (int links = 0; !Files.exists(path) && Files.isSymbolicLink(path); links++) {
      // a dangling link: the journal is created at its target
      if (links == 40) {
        throw new IOException(path + ": too many levels of symbolic links");
      }
      path = path.toAbsolutePath().getParent().resolve(Files.readSymbolicLink(path));
    }
    if (Files.exists(path)) {
      return path.toRealPath();
    }
    Path absolute = path.toAbsolutePath();
    return absolute.getParent().toRealPath().resolve(absolute.getFileName());
  }

  /** The journal file (symlinks resolved). */
  public Path path() {
    return path;
  }

  /** What the last replay found at the end of the journal. */
  public synchronized Recovery recovery() {
    return recovery;
  }

  /** Records in the journal (live and superseded). */
  public synchronized long records() {
    return records;
  }

  @Override
  public void replay(Replay sink) {
    synchronized (syncLock) {
      synchronized (this) {
        replayLocked(sink);
      }
    }
  }

  private void replayLocked(Replay sink) {
    try {
      // What the previous run wrote but had not forced yet may still be only in the page cache: force it now, before
      // this run serves it as durable and counts it as synced in its own records.
      channel.force(true);
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new AllocationStoreException("journal " + path + ": " + size + " bytes (expected: < 2 GiB; compact it)");
      }
      MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      if (m.getInt(0) != MAGIC || (m.getInt(4) != VERSION && m.getInt(4) != VERSION_1)) {
        throw new AllocationStoreException(String.format(
            "journal %s: header %08x/%d (expected: magic %08x, version %d or %d)", path, m.getInt(0), m.getInt(4), MAGIC,
            VERSION_1, VERSION));
      }
      version = m.getInt(4);
      int changeAt = version == VERSION ? 4 : 0;
      int p = HEADER;
      long n = 0;
      String tail = "";
      byte[] scratch = new byte[256];
      while (p < size) {
        int remaining = (int) size - p;
        String bad = null;
        int len = 0;
        if (remaining < 8) {
          bad = "record header cut short (" + remaining + " of 8 bytes)";
        } else {
          len = m.getInt(p);
          int want = m.getInt(p + 4);
          if (len <= changeAt || len > MAX_RECORD) {
            bad = "length " + len + " (expected: 1.." + MAX_RECORD + ")";
          } else if (remaining - 8 < len) {
            bad = "record cut short (" + (remaining - 8) + " of " + len + " payload bytes)";
          } else {
            if (scratch.length < len) {
              scratch = new byte[Math.max(len, scratch.length * 2)];
            }
            m.get(p + 8, scratch, 0, len);
            crc.reset();
            crc.update(scratch, 0, len);
            int got = (int) crc.getValue();
            if (got != want) {
              bad = String.format("CRC stored %08x, computed %08x", want, got);
            }
          }
        }
        if (bad != null) {
          tail = bad + unsyncedAfter(m, p, (int) size, bad);
          break;
        }
        if (changeAt > 0 && m.getInt(p + 8) > p) {
          throw new AllocationStoreException("journal " + path + ": record at offset " + p + " passes its CRC but says "
              + m.getInt(p + 8) + " bytes were synced before it (expected: at most its offset)");
        }
        decode(ByteBuffer.wrap(scratch, changeAt, len - changeAt), sink, p);
        n++;
        p += 8 + len;
      }
      records = n;
      if (p < size) {
        log.warn("journal {}: {} at offset {}; discarding {} bytes of an unacknowledged write", path, tail, p, size - p);
        channel.truncate(p);
        channel.force(true);
      }
      end = p;
      syncedEnd = p; // forced: the truncation above, or an earlier run's fsyncs (a replay reads what is on disk)
      durable = ticketBase + p; // both locks are held
      recovery = new Recovery(p, size - p, n, tail);
      replayed = true;
    } catch (IOException e) {
      throw new AllocationStoreException("journal " + path + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * After a bad record at {@code bad}: the rest of the recovery detail if every intact record after it was written
   * before an fsync covered {@code bad} (the unsynced batch a crash cut into), else throws: the bad record had been
   * synced, so it is corruption. Version 1 records carry no synced length, so any intact record after it is.
   */
  private String unsyncedAfter(MappedByteBuffer m, int bad, int size, String what) {
    int changeAt = version == VERSION ? 4 : 0;
    int intact = 0;
    for (int q = nextIntactRecord(m, bad + 1, size, changeAt); q >= 0; q = nextIntactRecord(m, q + 8 + m.getInt(q), size, changeAt)) {
      if (changeAt == 0) {
        throw corrupt(bad, what + "; an intact record follows at offset " + q, size);
      }
      int synced = m.getInt(q + 8);
      if (synced > q) {
        continue; // no record says more was synced than comes before it: record-shaped bytes inside the torn record
      }
      if (synced > bad) {
        throw corrupt(bad, what + "; the intact record at offset " + q + " was written after an fsync had covered the first "
            + synced + " bytes", size);
      }
      intact++;
    }
    return intact == 0 ? "" : "; " + intact + " intact records after it belong to the same unsynced batch";
  }

  /**
   * Offset of the first well-formed record (sane length, known type, matching CRC) at or after {@code from}, or -1;
   * {@code changeAt} is where the change starts in the payload (4 past the synced length, 0 in version 1).
   */
  private int nextIntactRecord(ByteBuffer m, int from, int size, int changeAt) {
    byte[] buf = new byte[256];
    for (int q = from; q + 11 + changeAt <= size; q++) {
      int len = m.getInt(q);
      if (len < 3 + changeAt || len > MAX_RECORD || q + 8L + len > size) {
        continue;
      }
      byte type = m.get(q + 8 + changeAt);
      int keyLen = m.getShort(q + 9 + changeAt) & 0xffff;
      if ((type != PUT && type != REMOVE) || keyLen + 3 + changeAt > len) {
        continue;
      }
      if (buf.length < len) {
        buf = new byte[len];
      }
      m.get(q + 8, buf, 0, len);
      crc.reset();
      crc.update(buf, 0, len);
      if ((int) crc.getValue() == m.getInt(q + 4)) {
        return q;
      }
    }
    return -1;
  }

  private AllocationStoreException corrupt(long offset, String what, long size) {
    return new AllocationStoreException("journal " + path + ": record at offset " + offset + " is corrupt: " + what + "; "
        + (size - offset) + " bytes from there on, so this is not a write cut short by a crash; refusing to start rather"
        + " than lose allocations (expected: bad records only after the last fsync; restore the file from a backup or"
        + " remove it knowingly)");
  }

  private void decode(ByteBuffer b, Replay sink, long offset) {
    try {
      byte type = b.get();
      String key = string(b);
      if (type == REMOVE) {
        sink.remove(key);
        return;
      }
      if (type != PUT) {
        throw new AllocationStoreException("journal " + path + ": record at offset " + offset + " has type " + type + " (expected: 1 or 2)");
      }
      String pool = string(b);
      int count = b.get() & 0xff;
      List<InetAddress> addrs = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] a = new byte[b.get() & 0xff];
        b.get(a);
        addrs.add(InetAddress.getByAddress(a));
      }
      Optional<String> sharing = b.get() == 0 ? Optional.empty() : Optional.of(string(b));
      String backend = string(b);
      int ports = b.getShort() & 0xffff;
      Set<ServicePort> ps = ports == 0 ? Set.of() : new TreeSet<>();
      for (int i = 0; i < ports; i++) {
        ps.add(new ServicePort(PROTOCOLS[b.get()], b.getShort() & 0xffff));
      }
      sink.put(new Allocation(key, addrs, pool, sharing, backend, ps));
    } catch (RuntimeException | UnknownHostException e) {
      if (e instanceof AllocationStoreException ase) {
        throw ase;
      }
      throw new AllocationStoreException("journal " + path + ": record at offset " + offset + " passes its CRC but cannot be decoded: " + e, e);
    }
  }

  private static String string(ByteBuffer b) {
    int len = b.getShort() & 0xffff;
    String s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
    b.position(b.position() + len);
    return s;
  }

  @Override
  public void put(Allocation a) {
    awaitDurable(putDeferred(a));
  }

  @Override
  public synchronized long putDeferred(Allocation a) {
    checkWritable();
    encodePut(a, syncedEnd);
    append();
    return ticketBase + end;
  }

  @Override
  public long removeDeferred(String serviceKey) {
    synchronized (this) {
      checkWritable();
      begin().put(REMOVE);
      putString(serviceKey);
      sealRecord();
      append();
      return ticketBase + end;
    }
  }

  /**
   * Group commit: the first caller whose change is not yet durable forces the file, covering every record written
   * so far; callers arriving meanwhile wait for that force and return at once if it covered them, so N concurrent
   * callers need far fewer than N fsyncs.
   */
  @Override
  public void awaitDurable(long ticket) {
    synchronized (syncLock) {
      if (durable >= ticket) {
        return;
      }
      FileChannel ch;
      long target;
      synchronized (this) {
        checkWritable();
        ch = channel;
        target = ticketBase + end;
      }
      try {
        ch.force(false);
      } catch (IOException e) {
        synchronized (this) {
          failed = true;
        }
        throw new AllocationStoreException("journal " + path + ": fsync failed: " + e.getMessage(), e);
      }
      forces++;
      durable = target;
      synchronized (this) {
        syncedEnd = target - ticketBase; // no compaction meanwhile: it takes syncLock
      }
    }
  }

  /** Number of fsyncs of the journal so far (group commit makes this smaller than the number of changes). */
  public long forces() {
    synchronized (syncLock) {
      return forces;
    }
  }

  private void encodePut(Allocation a, long synced) {
    begin(synced).put(PUT);
    putString(a.serviceKey());
    putString(a.pool());
    buf.put((byte) a.addresses().size());
    for (InetAddress addr : a.addresses()) {
      byte[] raw = addr.getAddress();
      buf.put((byte) raw.length).put(raw);
    }
    if (a.sharingKey().isPresent()) {
      buf.put((byte) 1);
      putString(a.sharingKey().get());
    } else {
      buf.put((byte) 0);
    }
    putString(a.backendKey());
    ensure(2 + 3 * a.ports().size());
    buf.putShort((short) a.ports().size());
    for (ServicePort p : a.ports()) {
      buf.put((byte) p.protocol().ordinal()).putShort((short) p.port());
    }
    sealRecord();
  }

  @Override
  public void remove(String serviceKey) {
    awaitDurable(removeDeferred(serviceKey));
  }

  @Override
  public void removeAll(Collection<String> serviceKeys) {
    long ticket;
    synchronized (this) {
      checkWritable();
      for (String k : serviceKeys) {
        begin().put(REMOVE);
        putString(k);
        sealRecord();
        append();
      }
      ticket = ticketBase + end;
    }
    awaitDurable(ticket);
  }

  /** Wanted when the history outweighs the live records, or to rewrite a version 1 journal in the current format. */
  @Override
  public synchronized boolean wantsCompaction(long liveCount) {
    return records > 2 * Math.max(liveCount, compactionBackoff) + 1024 || version != VERSION && compactionBackoff == 0;
  }

  /**
   * Rewrites the journal to hold only {@code live} (one put each), atomically: temporary file, fsync, rename,
   * fsync of the directory. A crash at any point leaves either the old or the new journal, both complete.
   */
  @Override
  public void compact(Collection<Allocation> live) {
    synchronized (syncLock) {
      synchronized (this) {
        compactLocked(live);
      }
    }
  }

  private void compactLocked(Collection<Allocation> live) {
    checkWritable();
    Path tmp = path.resolveSibling(path.getFileName() + ".compact");
    int oldVersion = version;
    try {
      try (FileChannel t = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        long pos = writeFully(t, ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip(), 0);
        version = VERSION;
        // Records go out in batches of up to COMPACTION_BATCH bytes: one write per record took ~2 s at a million.
        ByteBuffer batch = ByteBuffer.allocate(COMPACTION_BATCH);
        long written = pos;
        for (Allocation a : live) {
          encodePut(a, pos); // all of the file is forced before it becomes the journal
          int size = buf.remaining();
          if (size > batch.remaining()) {
            written = writeFully(t, batch.flip(), written);
            batch.clear();
          }
          if (size > batch.capacity()) {
            written = writeFully(t, buf, written);
          } else {
            batch.put(buf);
          }
          pos += size;
        }
        writeFully(t, batch.flip(), written);
        t.force(true);
      } catch (IOException e) {
        // nothing has touched the journal: it is intact and still appendable, so this is not a store failure
        version = oldVersion;
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        compactionBackoff = records;
        log.warn("journal {}: compaction skipped, the journal is kept as it is: {}", path, e.toString());
        return;
      }
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(path);
      channel.close();
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      ticketBase += end; // every ticket of the old file is at most this
      end = channel.size();
      syncedEnd = end;
      durable = ticketBase + end;
      records = live.size();
      compactionBackoff = 0;
    } catch (IOException e) {
      failed = true;
      throw new AllocationStoreException("journal " + path + ": compaction failed: " + e.getMessage(), e);
    }
  }

  private void checkWritable() {
    if (closed) {
      throw new AllocationStoreException("journal " + path + ": store closed");
    }
    checkReplayed();
    if (failed) {
      throw new AllocationStoreException("journal " + path + ": an earlier write or fsync failed (expected: reopen the store)");
    }
  }

  private void checkReplayed() {
    if (!replayed) {
      throw new IllegalStateException("journal " + path + ": written before replay (expected: build an Allocator on the store first)");
    }
  }

  /** Starts a record whose {@code synced} field is {@link #syncedEnd} (version 2 only). */
  private ByteBuffer begin() {
    return begin(syncedEnd);
  }

  private ByteBuffer begin(long synced) {
    buf.clear();
    buf.position(8);
    if (version == VERSION) {
      buf.putInt((int) synced); // < 2 GiB: replay refuses longer journals
    }
    return buf;
  }

  private void putString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xffff) {
      throw new IllegalArgumentException("string of " + b.length + " bytes (expected: <= 65535)");
    }
    ensure(2 + b.length);
    buf.putShort((short) b.length).put(b);
  }

  private void ensure(int more) {
    if (buf.remaining() < more + 64) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64));
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
  }

  private void sealRecord() {
    int len = buf.position() - 8;
    crc.reset();
    crc.update(buf.array(), 8, len);
    buf.putInt(0, len).putInt(4, (int) crc.getValue());
    buf.flip();
  }

  private long writeRecord(FileChannel ch, long pos) throws IOException {
    return writeFully(ch, buf, pos);
  }

  private static long writeFully(FileChannel ch, ByteBuffer bytes, long pos) throws IOException {
    while (bytes.hasRemaining()) {
      pos += ch.write(bytes, pos);
    }
    return pos;
  }

  private void append() {
    try {
      end = writeRecord(channel, end);
    } catch (IOException e) {
      failed = true;
      throw new AllocationStoreException("journal " + path + ": write failed: " + e.getMessage(), e);
    }
    records++;
  }

  private static boolean headerZeroed(FileChannel ch) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(HEADER);
    while (h.hasRemaining() && ch.read(h, h.position()) >= 0) {
      // read the whole header
    }
    return h.position() == HEADER && h.getLong(0) == 0;
  }

  private static void forceDirectory(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open directories; the rename itself is still atomic
      log.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  @Override
  @SuppressWarnings("try") // the lock channel is closed by the try, after the journal
  public void close() {
    synchronized (syncLock) {
      synchronized (this) {
        if (closed) {
          return; // a second close must not release a lock a newer store on the same journal now holds
        }
        closed = true;
        try (FileChannel l = lockChannel) {
          // Records already written belong to callers still waiting (outside the allocator's lock) in awaitDurable:
          // make them durable now so those callers succeed, rather than fail on a closed channel while the
          // change is in the file after all.
          if (replayed && !failed && durable < ticketBase + end) {
            channel.force(false);
            forces++;
            durable = ticketBase + end;
            syncedEnd = end;
          }
          channel.close();
        } catch (IOException e) {
          throw new AllocationStoreException("journal " + path + ": close failed: " + e.getMessage(), e);
        } finally {
          LOCKED_IN_THIS_JVM.remove(lockKey);
        }
      }
    }
  }
}
