/**
 * Reading whole batches out of one segment for a fetch.
 *
 * The reader starts at a known batch boundary at or before the wanted offset (from the
 * offset index, or exactly from a read hint), reads one window of about maxBytes (plus
 * the index interval when it must scan), walks batch headers in memory to find the
 * first batch holding `fromOffset`, and returns a slice of the window: usually one file
 * read per fetch, no copy, no per-record work. When every offset of the segment is
 * below `upTo`, the walk reads only each batch's length.
 *
 * Rules (Kafka's): the first batch is returned whole even when larger than maxBytes
 * (KIP-74); later ones only while the total stays within maxBytes; a batch is returned
 * only when all of its offsets are below `upTo` (never bytes past the high watermark or
 * LSO); nothing past `end`, the segment's visible size.
 */
import { OFFSETS_HEADER_BYTES, batchSizeAt, lastOffsetAt } from './batch-header.js';
import type { LogSegment } from './segment.js';

const MIN_WINDOW_BYTES = 4096;

export interface SegmentRead {
  /** Whole batches; may be empty when the first batch reaches `upTo`. */
  records: Buffer;
  /** Offset after the last batch returned (fromOffset when none). */
  nextOffset: number;
  /** File position after the last batch returned. */
  endPosition: number;
}

export interface SegmentReadRequest {
  fromOffset: number;
  maxBytes: number;
  upTo: number;
  /** Visible size of the segment when the read started. */
  end: number;
  /** An upper bound of the offsets in [0, end): the offset after the last batch. */
  endOffset: number;
  /** A batch boundary at or before the batch holding fromOffset. */
  startPosition: number;
  /** True when startPosition is exactly the batch holding fromOffset. */
  exact: boolean;
  /** How far past startPosition the wanted batch may be (index.interval.bytes). */
  scanSlack: number;
}

/** null when the segment has no batch with an offset >= fromOffset before `end`. */
export async function readSegment(
  segment: LogSegment,
  request: SegmentReadRequest,
): Promise<SegmentRead | null> {
  const slack = request.exact ? 0 : request.scanSlack + OFFSETS_HEADER_BYTES;
  const window = new ReadWindow(
    segment,
    request.end,
    Math.max(MIN_WINDOW_BYTES, request.maxBytes + slack),
  );
  const start = await findStart(window, request.startPosition, request.fromOffset);
  if (start < 0) return null;
  return collect(window, start, request);
}

/** Position of the first batch whose last offset is >= fromOffset, or -1. */
async function findStart(
  window: ReadWindow,
  position: number,
  fromOffset: number,
): Promise<number> {
  for (;;) {
    let at = window.indexOf(position, OFFSETS_HEADER_BYTES);
    if (at < 0) at = await window.fill(position, OFFSETS_HEADER_BYTES);
    if (at < 0) return -1;
    if (lastOffsetAt(window.buffer, at) >= fromOffset) return position;
    position += batchSizeAt(window.buffer, at);
  }
}

/** Takes whole batches from `start` under the maxBytes and upTo rules. */
async function collect(
  window: ReadWindow,
  start: number,
  request: SegmentReadRequest,
): Promise<SegmentRead> {
  const { maxBytes, upTo, end } = request;
  const checkUpTo = request.endOffset > upTo;
  let position = start;
  let lastBuffer: Buffer | null = null;
  let lastAt = 0;
  while (position < end) {
    const total = position - start;
    if (total > 0 && total >= maxBytes) break;
    // Headers are almost always in the window already: no await (a microtask) per batch.
    let at = window.indexOf(position, OFFSETS_HEADER_BYTES);
    if (at < 0) {
      // Past a window that holds maxBytes from the start, no further batch can fit.
      if (total > 0 && window.end - start >= maxBytes) break;
      at = await window.fill(position, OFFSETS_HEADER_BYTES);
    }
    if (at < 0) break;
    const buffer = window.buffer;
    const size = batchSizeAt(buffer, at);
    if (position + size > end || (total > 0 && total + size > maxBytes)) break;
    if (checkUpTo && lastOffsetAt(buffer, at) >= upTo) break;
    lastBuffer = buffer;
    lastAt = at;
    position += size;
  }
  return {
    records: await window.slice(start, position - start),
    nextOffset: lastBuffer ? lastOffsetAt(lastBuffer, lastAt) + 1 : request.fromOffset,
    endPosition: position,
  };
}

/** A buffer holding file bytes [start, start + buffer.length), refilled on demand. */
class ReadWindow {
  buffer: Buffer = Buffer.alloc(0);
  #start = 0;
  readonly #segment: LogSegment;
  readonly #end: number;
  readonly #size: number;

  constructor(segment: LogSegment, end: number, size: number) {
    this.#segment = segment;
    this.#end = end;
    this.#size = size;
  }

  /** File position just past the window. */
  get end(): number {
    return this.#start + this.buffer.length;
  }

  /** Index in `buffer` of file position `position` with `length` bytes after it, or -1. */
  indexOf(position: number, length: number): number {
    const at = position - this.#start;
    return at >= 0 && at + length <= this.buffer.length ? at : -1;
  }

  /** Reads a window at `position`; the index of `position` in it (0), or -1 past the end. */
  async fill(position: number, length: number): Promise<number> {
    if (position + length > this.#end) return -1;
    const size = Math.min(this.#end - position, Math.max(length, this.#size));
    this.buffer = await this.#segment.read(position, size);
    this.#start = position;
    return this.buffer.length >= length ? 0 : -1;
  }

  /** File bytes [position, position + length), zero-copy when already in the window. */
  async slice(position: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const at = position - this.#start;
    if (at >= 0 && at + length <= this.buffer.length) return this.buffer.subarray(at, at + length);
    return this.#segment.read(position, length);
  }
}
