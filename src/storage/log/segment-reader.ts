/**
 * Reading whole batches out of one segment for a fetch.
 *
 * The reader starts at a known batch boundary at or before the wanted offset (from the
 * offset index, or exactly from a read hint), reads one window of about maxBytes (plus
 * the index interval when it must scan), walks batch headers in memory to find the
 * first batch holding `fromOffset`, and returns a slice of the window: usually one file
 * read per fetch, no copy, no per-record work.
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
  /** A batch boundary at or before the batch holding fromOffset. */
  startPosition: number;
  /** True when startPosition is exactly the batch holding fromOffset. */
  exact: boolean;
  /** How far past startPosition the wanted batch may be (index.interval.bytes). */
  scanSlack: number;
}

/** null when the segment has no batch with an offset >= fromOffset before `end`. */
export async function readSegment(segment: LogSegment, request: SegmentReadRequest): Promise<SegmentRead | null> {
  const { fromOffset, maxBytes, upTo, end } = request;
  const slack = request.exact ? 0 : request.scanSlack + OFFSETS_HEADER_BYTES;
  const window = new ReadWindow(segment, end, Math.max(MIN_WINDOW_BYTES, maxBytes + slack));

  let position = request.startPosition;
  for (;;) {
    const at = await window.ensure(position, OFFSETS_HEADER_BYTES);
    if (at < 0) return null;
    if (lastOffsetAt(window.buffer, at) >= fromOffset) break;
    position += batchSizeAt(window.buffer, at);
  }

  const start = position;
  let nextOffset = fromOffset;
  while (position < end) {
    const total = position - start;
    if (total > 0 && total >= maxBytes) break;
    const at = await window.ensure(position, OFFSETS_HEADER_BYTES);
    if (at < 0) break;
    const size = batchSizeAt(window.buffer, at);
    const lastOffset = lastOffsetAt(window.buffer, at);
    if (lastOffset >= upTo || position + size > end) break;
    if (total > 0 && total + size > maxBytes) break;
    position += size;
    nextOffset = lastOffset + 1;
  }
  return { records: await window.slice(start, position - start), nextOffset, endPosition: position };
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

  /** Index in `buffer` of file position `position` with `length` bytes after it, or -1. */
  async ensure(position: number, length: number): Promise<number> {
    if (position + length > this.#end) return -1;
    if (position >= this.#start && position + length <= this.#start + this.buffer.length) {
      return position - this.#start;
    }
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
