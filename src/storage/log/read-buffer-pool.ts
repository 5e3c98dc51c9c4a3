/**
 * Recycled buffers for Fetch reads.
 *
 * Why: a fetch reads up to a partition's max bytes (1 MiB by default) from a segment
 * into a new Buffer, sends a slice of it and drops it. Each such Buffer is external
 * memory, and V8 answers external-memory growth with full mark-compacts (one every
 * 30-40 ms under a consumer reading a backlog). Reading into a buffer that earlier
 * fetches already used allocates nothing.
 *
 * Size classes: powers of two from 64 KiB to 8 MiB; a read takes the smallest class
 * that holds it. Reads under MIN_POOLED_BYTES are cheap to allocate and larger ones rare:
 * both get fresh buffers. The pool keeps at most `maxRetainedBytes` of free buffers;
 * a buffer given back beyond that is dropped for the garbage collector. Buffers in use
 * are not counted or limited: the pool only ever lends what it would otherwise allocate.
 *
 * Ownership contract: a buffer a ReadLease took belongs to that lease's holder until
 * the holder calls release(); from then on the pool may lend it to another read, so
 * nothing may read it, or hold a slice of it, after release(). Only the Fetch response
 * path, whose bytes are last read by the socket write, uses leases; every other reader
 * gets buffers of its own.
 *
 * Read-ahead (read-ahead.ts) borrows buffers too, outside any lease, up to
 * `maxReadAheadBytes` in all partitions together; a Fetch that uses the bytes adopts the
 * buffer into its lease.
 *
 * Who may call: any code on the event-loop thread (no locking).
 */

/** Reads below this are allocated fresh: small buffers cost the collector little. */
const MIN_POOLED_BYTES = 16 * 1024;
/** The smallest size class (64 KiB). */
const MIN_CLASS_BITS = 16;
/** Reads above this are allocated fresh: bigger than any default fetch window. */
const MAX_CLASS_BITS = 23;

export interface ReadBufferPoolStats {
  /** Bytes of free buffers kept for reuse. */
  retainedBytes: number;
  /** Buffers handed out (to leases or read-ahead) and not yet given back. */
  lent: number;
  /** Bytes of buffers holding read-ahead no Fetch has adopted yet. */
  readAheadBytes: number;
  /** Read-ahead buffers a Fetch adopted / dropped unused. */
  readAheadUsed: number;
  readAheadDropped: number;
  /** Takes served from a free buffer / by allocating a poolable one. */
  reused: number;
  allocated: number;
}

export class ReadBufferPool {
  readonly maxRetainedBytes: number;
  readonly maxReadAheadBytes: number;
  /** Free buffers per size class (index: class bits - MIN_CLASS_BITS). */
  readonly #free: Buffer[][] = [];
  #retainedBytes = 0;
  #readAheadBytes = 0;
  #readAheadUsed = 0;
  #readAheadDropped = 0;
  #lent = 0;
  #reused = 0;
  #allocated = 0;

  /** `maxReadAheadBytes` 0 turns read-ahead off. */
  constructor(maxRetainedBytes: number, maxReadAheadBytes = 0) {
    this.maxRetainedBytes = maxRetainedBytes;
    this.maxReadAheadBytes = maxReadAheadBytes;
    for (let bits = MIN_CLASS_BITS; bits <= MAX_CLASS_BITS; bits++) this.#free.push([]);
  }

  /** A lease to read one Fetch response's records into; see the ownership contract. */
  lease(): ReadLease {
    return new ReadLease(this);
  }

  get stats(): ReadBufferPoolStats {
    return {
      retainedBytes: this.#retainedBytes,
      lent: this.#lent,
      readAheadBytes: this.#readAheadBytes,
      readAheadUsed: this.#readAheadUsed,
      readAheadDropped: this.#readAheadDropped,
      reused: this.#reused,
      allocated: this.#allocated,
    };
  }

  /** A buffer of at least `length` bytes from its size class, or null (not poolable). */
  take(length: number): Buffer | null {
    const bits = classBits(length);
    if (bits < 0) return null;
    this.#lent++;
    const free = this.#free[bits - MIN_CLASS_BITS]!;
    const buffer = free.pop();
    if (buffer !== undefined) {
      this.#retainedBytes -= buffer.length;
      this.#reused++;
      return buffer;
    }
    this.#allocated++;
    return Buffer.allocUnsafeSlow(1 << bits);
  }

  /** A buffer for read-ahead, or null when that would exceed maxReadAheadBytes. */
  takeReadAhead(length: number): Buffer | null {
    const bits = classBits(length);
    if (bits < 0 || this.#readAheadBytes + (1 << bits) > this.maxReadAheadBytes) return null;
    const buffer = this.take(length)!;
    this.#readAheadBytes += buffer.length;
    return buffer;
  }

  /** A read-ahead buffer passes to a lease (ReadLease.adopt). */
  adoptReadAhead(buffer: Buffer): void {
    this.#readAheadBytes -= buffer.length;
    this.#readAheadUsed++;
  }

  /** Gives back a read-ahead buffer no Fetch used; its read must have settled. */
  dropReadAhead(buffer: Buffer): void {
    this.#readAheadBytes -= buffer.length;
    this.#readAheadDropped++;
    this.give(buffer);
  }

  /** Gives back a buffer take() returned; the caller must not use it any more. */
  give(buffer: Buffer): void {
    this.#lent--;
    if (this.#retainedBytes + buffer.length > this.maxRetainedBytes) return;
    this.#free[Math.log2(buffer.length) - MIN_CLASS_BITS]!.push(buffer);
    this.#retainedBytes += buffer.length;
  }
}

/**
 * The buffers one Fetch response reads into. The response's records are slices of them,
 * so the lease is released once the response is written (or can no longer be), and
 * never while a read into one of its buffers is still running. release() gives every
 * buffer back and leaves the lease empty and usable again; a second release() with no
 * take() in between does nothing.
 */
export class ReadLease {
  readonly #pool: ReadBufferPool;
  #taken: Buffer[] = [];

  constructor(pool: ReadBufferPool) {
    this.#pool = pool;
  }

  get pool(): ReadBufferPool {
    return this.#pool;
  }

  /** Takes over a read-ahead buffer of the same pool: released with the others. */
  adopt(buffer: Buffer): void {
    this.#pool.adoptReadAhead(buffer);
    this.#taken.push(buffer);
  }

  /** A buffer of at least `length` bytes owned by this lease, or null (read fresh). */
  take(length: number): Buffer | null {
    const buffer = this.#pool.take(length);
    if (buffer !== null) this.#taken.push(buffer);
    return buffer;
  }

  release(): void {
    const taken = this.#taken;
    if (taken.length === 0) return;
    this.#taken = [];
    for (const buffer of taken) this.#pool.give(buffer);
  }
}

/** log2 of the size class holding `length` bytes, or -1 outside the pooled range. */
function classBits(length: number): number {
  if (length < MIN_POOLED_BYTES || length > 1 << MAX_CLASS_BITS) return -1;
  return Math.max(MIN_CLASS_BITS, Math.ceil(Math.log2(length)));
}
