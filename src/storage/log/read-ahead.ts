/**
 * Sequential read-ahead for one partition's Fetch reads.
 *
 * When a leased read followed on from an earlier one (a read hint named its offset), the
 * reader starts reading the next window of the same segment at once, into a buffer
 * borrowed from the ReadBufferPool, so the consumer's next Fetch finds its bytes read
 * while this one was being written to the socket. One window per partition; all
 * partitions' read-ahead together stays within the pool's maxReadAheadBytes.
 *
 * Validity: the bytes of a segment below its visible size change only by truncation or
 * segment deletion, and both bump the log's layout version. Read-ahead taken under
 * another layout version, at another segment or position, or after close is dropped.
 * A dropped buffer goes back to the pool only once its read has settled.
 *
 * Who may call: the partition's LogReader, on the event-loop thread.
 */
import type { ReadBufferPool, ReadLease } from './read-buffer-pool.js';
import type { LogSegment } from './segment.js';

interface Pending {
  pool: ReadBufferPool;
  segment: LogSegment;
  position: number;
  layoutVersion: number;
  buffer: Buffer;
  /** The bytes read (a slice of `buffer`), or null when the read failed. */
  bytes: Promise<Buffer | null>;
}

export class ReadAhead {
  #pending: Pending | null = null;

  /** Starts reading `length` bytes at `position` of `segment`, dropping any earlier read. */
  start(
    pool: ReadBufferPool,
    segment: LogSegment,
    position: number,
    length: number,
    layoutVersion: number,
  ): void {
    this.drop();
    const buffer = pool.takeReadAhead(length);
    if (buffer === null) return;
    const bytes = segment.read(position, length, buffer).catch(() => null);
    this.#pending = { pool, segment, position, layoutVersion, buffer, bytes };
  }

  /**
   * The bytes read ahead at `position` of `segment`, adopted by `lease`, when they were
   * read under `layoutVersion`; otherwise null (and the read-ahead is dropped).
   */
  async take(
    segment: LogSegment,
    position: number,
    layoutVersion: number,
    lease: ReadLease,
  ): Promise<Buffer | null> {
    const pending = this.#pending;
    if (pending === null) return null;
    const valid =
      pending.segment === segment &&
      pending.position === position &&
      pending.layoutVersion === layoutVersion &&
      pending.pool === lease.pool;
    if (!valid) {
      this.drop();
      return null;
    }
    this.#pending = null;
    lease.adopt(pending.buffer);
    return pending.bytes;
  }

  /** Forgets the read-ahead; its buffer returns to the pool once the read settles. */
  drop(): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    void pending.bytes.then(() => pending.pool.dropReadAhead(pending.buffer));
  }
}
