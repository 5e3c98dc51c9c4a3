/**
 * Recycled buffers for large Produce request frames.
 *
 * Why: a 1 MiB request assembled in a fresh buffer each time costs page faults and cache
 * misses while it is filled, and V8 counts every such buffer as new external memory, which
 * starts a full garbage collection every few dozen requests (18% of the broker's time at
 * 1 MiB batches, bench/RESULTS.md). A few recycled buffers cost neither.
 *
 * Contract (who may pool what): only Produce frames, because the Produce handler keeps no
 * reference to its request bytes once it has settled: it settles after its appends, and
 * the log writer lets go of a batch once it is written (the producer state keeps numbers
 * only). The FrameSplitter takes a buffer for a frame; the connection gives it back when
 * the request's response is written or dropped (the response-written contract, which
 * waits for the handler to settle), or at once when the frame is refused. A request kind
 * whose handler keeps request bytes (group metadata, assignments) must never be pooled.
 * Who may call: the event-loop thread.
 */
import { ApiKey } from '../../protocol/kafka/index.js';

/** Frames below this are cheap to allocate, and usually arrive whole in one chunk. */
const MIN_POOLED_BYTES = 128 * 1024;
/** Buffers come in these steps, so requests of slightly different sizes share them. */
const SIZE_STEP = 128 * 1024;

export class RequestBufferPool {
  readonly #free = new Map<number, Buffer[]>();
  readonly #maxRetainedBytes: number;
  #retainedBytes = 0;

  /** Keeps at most `maxRetainedBytes` of free buffers; more are left to the GC. */
  constructor(maxRetainedBytes = 64 * 1024 * 1024) {
    this.#maxRetainedBytes = maxRetainedBytes;
  }

  /**
   * A buffer of at least `size` bytes for a frame of `apiKey`, or null when such frames
   * are not pooled (the caller allocates). Give it back with `release`.
   */
  take(size: number, apiKey: number): Buffer | null {
    if (apiKey !== ApiKey.Produce || size < MIN_POOLED_BYTES) return null;
    const bytes = Math.ceil(size / SIZE_STEP) * SIZE_STEP;
    const buffer = this.#free.get(bytes)?.pop();
    if (buffer === undefined) return Buffer.allocUnsafeSlow(bytes);
    this.#retainedBytes -= bytes;
    return buffer;
  }

  /** Takes back a buffer from `take` that nothing refers to any more. */
  release(buffer: Buffer): void {
    if (this.#retainedBytes + buffer.length > this.#maxRetainedBytes) return;
    let list = this.#free.get(buffer.length);
    if (list === undefined) this.#free.set(buffer.length, (list = []));
    list.push(buffer);
    this.#retainedBytes += buffer.length;
  }

  /** Bytes held in free buffers. */
  get retainedBytes(): number {
    return this.#retainedBytes;
  }
}
