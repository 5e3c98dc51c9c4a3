/**
 * Splits a broker's byte stream into response frames (int32 size, then that many bytes),
 * reading straight into the frame's own buffer where it can.
 *
 * Used with `net.connect({ onread })`: the socket asks `buffer()` where to put the next
 * read and reports it with `read(n)`. Small frames land in a 16 KiB scratch buffer and are
 * copied out whole (the scratch is reused). A frame that does not fit in what one read
 * brought gets a buffer of its exact size, and every later read goes into the rest of that
 * buffer, so a 1 MiB Fetch response is copied once, by the kernel, instead of twice. A read
 * into a frame's buffer never passes the frame's end, so the next frame's header always
 * arrives in the scratch.
 *
 * Frame buffers come from `allocateFrame`, which learns the frame's correlation id first
 * (so a request may bring its own, recycled buffer); the reader therefore waits for the
 * size and the correlation id (8 bytes) before it places a frame.
 *
 * Contract: each frame handed to `onFrame` is the caller's (nothing here writes to it
 * again). `onFrame` returns false to stop (the connection failed); nothing is read after.
 */

/** Small responses (produce acks) share reads; larger ones are read in place (see above). */
const SCRATCH_BYTES = 16 * 1024;

export interface FrameReaderEvents {
  /** A buffer of exactly `size` bytes for the frame answering `correlationId`. */
  allocateFrame(size: number, correlationId: number): Buffer;
  /** A whole frame, without its size prefix. Return false to stop reading. */
  onFrame(frame: Buffer): boolean;
  /** The size prefix is outside 4..maxFrameBytes; nothing more is read. */
  onInvalidSize(size: number): void;
}

export class FrameReader {
  readonly #maxFrameBytes: number;
  #events: FrameReaderEvents | null = null;
  readonly #scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  /** Bytes at the start of the scratch left from the last read (< 8: a partial header). */
  #carried = 0;
  /** The frame being filled by reads, or null when reads go to the scratch. */
  #frame: Buffer | null = null;
  #filled = 0;
  #stopped = false;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Who gets the frames; set once, before the first request goes out. */
  listen(events: FrameReaderEvents): void {
    this.#events = events;
  }

  /** Where the next read goes. */
  buffer(): Buffer {
    if (this.#frame !== null) return this.#frame.subarray(this.#filled);
    return this.#scratch.subarray(this.#carried);
  }

  /** `bytes` were read into the last `buffer()`. */
  read(bytes: number): void {
    if (this.#stopped) return;
    if (this.#events === null) throw new Error('FrameReader.read before listen');
    const frame = this.#frame;
    if (frame !== null) {
      this.#filled += bytes;
      if (this.#filled < frame.length) return;
      this.#frame = null;
      this.#filled = 0;
      if (!this.#events!.onFrame(frame)) this.#stopped = true;
      return;
    }
    this.#splitScratch(this.#carried + bytes);
  }

  /** Hands out the whole frames in scratch[0, end) and keeps the partial one. */
  #splitScratch(end: number): void {
    const scratch = this.#scratch;
    let position = 0;
    while (end - position >= 4) {
      const size = scratch.readInt32BE(position);
      if (size < 4 || size > this.#maxFrameBytes) {
        this.#stopped = true;
        this.#events!.onInvalidSize(size);
        return;
      }
      if (end - position < 8) break;
      const start = position + 4;
      const have = Math.min(end - start, size);
      const frame = this.#events!.allocateFrame(size, scratch.readInt32BE(start));
      scratch.copy(frame, 0, start, start + have);
      position = start + have;
      if (have < size) {
        this.#frame = frame;
        this.#filled = have;
        this.#carried = 0;
        return;
      }
      if (!this.#events!.onFrame(frame)) {
        this.#stopped = true;
        return;
      }
    }
    scratch.copyWithin(0, position, end);
    this.#carried = end - position;
  }
}
