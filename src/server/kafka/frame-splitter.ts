/**
 * Splits a TCP byte stream into Kafka frames (`int32 size` + body).
 *
 * Use: `push(chunk)` each socket chunk, then call `next()` until it returns null; after
 * that, `failure` says whether the stream is broken (the connection must close) or only
 * waits for more bytes. Nothing is allocated per frame except the frame itself.
 *
 * Contracts:
 * - A frame whose declared size exceeds `maxFrameBytes` (socket.request.max.bytes) or is
 *   too small to hold a request header is reported as soon as its 4-byte size arrives,
 *   before any of its body is buffered, so a hostile size costs nothing.
 * - Copies are avoided: a frame that lies whole in one chunk is returned as a subarray of
 *   that chunk (zero copy; it keeps the chunk alive as long as the frame is). A frame that
 *   spans chunks gets one buffer of exactly its size, allocated when its first body bytes
 *   arrive, and each chunk's piece is copied into it once, as the chunk arrives (while it
 *   is still in cache, and so the chunk can be freed at once). As in Kafka's
 *   NetworkReceive, a size within the limit is trusted: its buffer exists before the body
 *   has arrived (uninitialised, so pages not yet written cost no RAM, though V8 counts the
 *   whole size as external memory).
 * - Frames are returned as Buffers the caller owns; the splitter never writes to them
 *   again.
 * - With a RequestBufferPool, a spanning frame the pool accepts (by size and API key, read
 *   from the frame's first two body bytes) is assembled in a pooled buffer instead;
 *   `takePooled()` right after `next()` hands that buffer to the caller, who returns it
 *   to the pool under the pool's contract.
 */
import type { RequestBufferPool } from './request-buffer-pool.js';

/** Why the stream cannot be split further. */
export interface FrameFailure {
  kind: 'oversized' | 'invalid-size';
  size: number;
}

/** The smallest request frame: api key, api version, correlation id, client id length. */
const MIN_FRAME_BYTES = 8;
const EMPTY = Buffer.alloc(0);

export class FrameSplitter {
  /** The chunk being split and how far into it `next()` has got. */
  private chunk: Buffer = EMPTY;
  private offset = 0;
  /** A size prefix split across chunks is gathered here (at most 3 bytes wait). */
  private readonly sizePrefix = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Body size of the frame being read, or -1 while its size prefix is. */
  private expected = -1;
  /** The frame being assembled when it spans chunks, and how much of it has arrived. */
  private partial: Buffer | null = null;
  private partialFilled = 0;
  /** The pooled buffer behind `partial`, then behind the frame last returned. */
  private partialPooled: Buffer | null = null;
  private returnedPooled: Buffer | null = null;
  /** Set once a bad size has been read; the splitter then returns no more frames. */
  failure: FrameFailure | null = null;

  /**
   * `chunksReused`: each chunk is overwritten after `next()` has returned null (a socket
   * reading in place, common/read-in-place.ts), so no frame may be a view of one; frames
   * are then always copied out (into the pool's buffers where it takes them).
   */
  constructor(
    private readonly maxFrameBytes: number,
    private readonly pool: RequestBufferPool | null = null,
    private readonly chunksReused = false,
  ) {}

  /**
   * The pooled buffer the frame `next()` just returned lies in (null if none): the caller
   * now owns it and gives it back to the pool once the frame is no longer needed.
   */
  takePooled(): Buffer | null {
    const pooled = this.returnedPooled;
    this.returnedPooled = null;
    return pooled;
  }

  /** Feeds the next socket chunk. Call only once `next()` has returned null. */
  push(chunk: Buffer): void {
    if (this.offset < this.chunk.length) {
      throw new Error('FrameSplitter.push before the previous chunk was split');
    }
    this.chunk = chunk;
    this.offset = 0;
  }

  /** The next whole frame body, or null when more bytes are needed (or `failure` is set). */
  next(): Buffer | null {
    this.returnedPooled = null;
    if (this.failure !== null) return null;
    if (this.expected < 0 && !this.readSize()) return this.exhausted();
    return this.readBody() ?? this.exhausted();
  }

  /** Drops the consumed chunk, so a frame being assembled does not keep it alive. */
  private exhausted(): null {
    if (this.offset >= this.chunk.length) {
      this.chunk = EMPTY;
      this.offset = 0;
    }
    return null;
  }

  /** Reads the size prefix; false when it is incomplete or bad (then `failure` is set). */
  private readSize(): boolean {
    const chunk = this.chunk;
    const available = chunk.length - this.offset;
    if (available === 0) return false;
    let size: number;
    if (this.sizeFilled === 0 && available >= 4) {
      size = chunk.readInt32BE(this.offset);
      this.offset += 4;
    } else {
      const n = Math.min(4 - this.sizeFilled, available);
      chunk.copy(this.sizePrefix, this.sizeFilled, this.offset, this.offset + n);
      this.sizeFilled += n;
      this.offset += n;
      if (this.sizeFilled < 4) return false;
      this.sizeFilled = 0;
      size = this.sizePrefix.readInt32BE(0);
    }
    if (size < MIN_FRAME_BYTES) this.failure = { kind: 'invalid-size', size };
    else if (size > this.maxFrameBytes) this.failure = { kind: 'oversized', size };
    else this.expected = size;
    return this.failure === null;
  }

  /** Reads body bytes of the current frame; the frame once it is complete, else null. */
  private readBody(): Buffer | null {
    const chunk = this.chunk;
    const start = this.offset;
    const available = chunk.length - start;
    if (this.partial === null) {
      if (available >= this.expected && !this.chunksReused) {
        const end = start + this.expected;
        this.offset = end;
        this.expected = -1;
        return chunk.subarray(start, end);
      }
      // Nothing of the body yet: it may still arrive whole in the next chunk.
      if (available === 0) return null;
      // From here the frame is copied out: it spans chunks, or the chunk is reused.
      const pooled =
        this.pool !== null && available >= 2
          ? this.pool.take(this.expected, chunk.readInt16BE(start))
          : null;
      this.partialPooled = pooled;
      this.partial = pooled ? pooled.subarray(0, this.expected) : Buffer.allocUnsafe(this.expected);
      this.partialFilled = 0;
    }
    const n = Math.min(available, this.expected - this.partialFilled);
    chunk.copy(this.partial, this.partialFilled, start, start + n);
    this.partialFilled += n;
    this.offset = start + n;
    if (this.partialFilled < this.expected) return null;
    const frame = this.partial;
    this.partial = null;
    this.returnedPooled = this.partialPooled;
    this.partialPooled = null;
    this.expected = -1;
    return frame;
  }
}
