/**
 * Splits a TCP byte stream into Kafka frames (`int32 size` + body).
 *
 * Contract: a frame whose declared size exceeds `maxFrameBytes` (socket.request.max.bytes)
 * is reported as soon as its 4-byte size arrives, before any of its body is buffered, so a
 * hostile size costs nothing. Bodies are returned as Buffers that the caller owns.
 */
export type FrameEvent =
  | { kind: 'frame'; frame: Buffer }
  | { kind: 'oversized'; size: number }
  | { kind: 'invalid-size'; size: number };

export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private expected = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes from the socket; returns the frames (or the fatal event) they complete. */
  push(chunk: Buffer): FrameEvent[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const events: FrameEvent[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.pendingBytes < 4) return events;
        const size = this.take(4).readInt32BE(0);
        if (size < 8) return [...events, { kind: 'invalid-size', size }];
        if (size > this.maxFrameBytes) return [...events, { kind: 'oversized', size }];
        this.expected = size;
      }
      if (this.pendingBytes < this.expected) return events;
      events.push({ kind: 'frame', frame: this.take(this.expected) });
      this.expected = -1;
    }
  }

  /** Removes and returns the next `size` bytes (copies only when they span chunks). */
  private take(size: number): Buffer {
    const first = this.pending[0]!;
    let out: Buffer;
    if (first.length >= size) {
      out = first.subarray(0, size);
      if (first.length === size) this.pending.shift();
      else this.pending[0] = first.subarray(size);
    } else {
      out = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const chunk = this.pending[0]!;
        const n = Math.min(chunk.length, size - filled);
        chunk.copy(out, filled, 0, n);
        filled += n;
        if (n === chunk.length) this.pending.shift();
        else this.pending[0] = chunk.subarray(n);
      }
    }
    this.pendingBytes -= size;
    return out;
  }
}
