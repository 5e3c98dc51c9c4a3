/**
 * Recycled buffers for Fetch responses (ConsumerOptions.reuseBuffers).
 *
 * Why: a fresh 1 MiB buffer per Fetch response means the kernel copies each response into
 * memory that is not in any cache (and zeroes new pages first); reading into one of a few
 * recycled buffers roughly doubles the socket's receive speed on loopback (see
 * bench/RESULTS.md). The price is a lifetime contract: records decoded from a recycled
 * buffer are slices of it, so they are valid only until the consumer recycles it.
 *
 * Tracking: each response buffer has one holder per partition that buffered records from
 * it; a holder lets go when that partition's polled-record count passes the last record it
 * buffered from the response, and the buffer is recycled when the last holder lets go.
 * Who may call: the owning Consumer, on the event-loop thread.
 */

/** Buffers are sized in these steps, so responses of slightly different sizes share them. */
const SIZE_STEP = 256 * 1024;

export class FetchBufferPool {
  readonly #free: Buffer[] = [];
  readonly #maxFree: number;

  constructor(maxFree = 4) {
    this.#maxFree = maxFree;
  }

  /** A buffer of at least `size` bytes, recycled when one is free. */
  take(size: number): Buffer {
    for (let i = this.#free.length - 1; i >= 0; i--) {
      const buffer = this.#free[i]!;
      if (buffer.length >= size) {
        this.#free.splice(i, 1);
        return buffer;
      }
    }
    return Buffer.allocUnsafeSlow(Math.ceil(size / SIZE_STEP) * SIZE_STEP);
  }

  /** Takes back a buffer nothing refers to any more. */
  recycle(buffer: Buffer): void {
    if (this.#free.length < this.#maxFree) this.#free.push(buffer);
  }
}

/** One response buffer and how many partitions still hold records in it. */
export interface ResponseBufferUse {
  buffer: Buffer;
  holders: number;
}

/** A partition's hold on a response buffer: released once `end` records were polled. */
export interface ResponseBufferHold {
  use: ResponseBufferUse;
  end: number;
}

/**
 * Releases `holds` (in order) whose records were all polled (`polled` records so far),
 * recycling buffers that no partition holds any more.
 */
export function releasePolled(
  holds: ResponseBufferHold[],
  polled: number,
  pool: FetchBufferPool,
): void {
  while (holds.length > 0 && holds[0]!.end <= polled) {
    const { use } = holds.shift()!;
    if (--use.holders === 0) pool.recycle(use.buffer);
  }
}
