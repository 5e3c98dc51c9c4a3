/**
 * Reading whole batches out of one segment for a fetch.
 *
 * The reader starts at a known batch boundary at or before the wanted offset (from the
 * offset index, or exactly from a read hint), reads one window, walks batch headers in
 * memory to find the first batch holding `fromOffset`, and returns a slice of the window:
 * usually one file read per fetch, no copy, no per-record work. When every offset of the
 * segment is below `upTo`, the walk reads only each batch's length.
 *
 * Sizing the window: the bytes read are allocated and then collected as garbage (or, for
 * Fetch, borrowed from the ReadBufferPool and held until the response is written), so the
 * window covers what the answer can hold and little more. The offset index helps: an
 * entry is written at a batch start whenever more than index.interval.bytes were
 * appended since the previous entry, so between two entries every batch start lies
 * within index.interval.bytes of the first. With `target` = start + maxBytes, the last
 * whole batch that fits ends either at the last entry at or before `target` or within
 * index.interval.bytes after it; the window stops there (plus one batch header, to see
 * that the next batch does not fit) rather than at `target`. With large batches, where
 * the tail past the last fitting batch used to be read and thrown away on every fetch,
 * that saves up to a batch per fetch. The rule only sizes reads: if an index breaks it
 * (written with another interval), the walk refills the window and the answer is the
 * same.
 *
 * Rules (Kafka's): the first batch is returned whole even when larger than maxBytes
 * (KIP-74); later ones only while the total stays within maxBytes; a batch is returned
 * only when all of its offsets are below `upTo` (never bytes past the high watermark or
 * LSO); nothing past `end`, the segment's visible size.
 */
import { OFFSETS_HEADER_BYTES, batchSizeAt, lastOffsetAt } from './batch-header.js';
import type { OffsetIndex } from './offset-index.js';
import type { ReadLease } from './read-buffer-pool.js';
import type { LogSegment } from './segment.js';

const MIN_WINDOW_BYTES = 4096;
const EMPTY = Buffer.alloc(0);

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
  /**
   * Where windows come from: the lease's buffers (the records returned are then a slice
   * of one, valid until the lease is released), or new buffers when absent.
   */
  buffers?: ReadLease;
  /** Bytes of the segment from startPosition already read (read-ahead), or null. */
  prefetched?: Buffer | null;
}

/** null when the segment has no batch with an offset >= fromOffset before `end`. */
export async function readSegment(
  segment: LogSegment,
  request: SegmentReadRequest,
): Promise<SegmentRead | null> {
  const window = new ReadWindow(
    segment,
    new WindowPlan(request.end, segment.offsetIndexIfLoaded, segment.context.indexIntervalBytes),
    request.buffers,
  );
  if (request.prefetched) window.seed(request.startPosition, request.prefetched);
  const slack = request.exact ? 0 : request.scanSlack + OFFSETS_HEADER_BYTES;
  const start = await findStart(window, request, slack);
  if (start < 0) return null;
  return collect(window, start, request);
}

/** Position of the first batch whose last offset is >= fromOffset, or -1. */
async function findStart(
  window: ReadWindow,
  request: SegmentReadRequest,
  slack: number,
): Promise<number> {
  let position = request.startPosition;
  for (;;) {
    let at = window.indexOf(position, OFFSETS_HEADER_BYTES);
    if (at < 0) {
      // The wanted batch starts within `slack` of here: the window covers the scan too.
      const from = position + slack;
      at = await window.fill(position, OFFSETS_HEADER_BYTES, from, from + request.maxBytes);
    }
    if (at < 0) return -1;
    if (lastOffsetAt(window.buffer, at) >= request.fromOffset) return position;
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
  let nextOffset = request.fromOffset;
  while (position < end) {
    const total = position - start;
    if (total > 0 && total >= maxBytes) break;
    // Headers are almost always in the window already: no await (a microtask) per batch.
    let at = window.indexOf(position, OFFSETS_HEADER_BYTES);
    if (at < 0) {
      // Past a window that holds maxBytes from the start, no further batch can fit.
      if (total > 0 && window.end - start >= maxBytes) break;
      at = await window.fill(position, OFFSETS_HEADER_BYTES, position, start + maxBytes);
    }
    if (at < 0) break;
    const buffer = window.buffer;
    const size = batchSizeAt(buffer, at);
    if (position + size > end || (total > 0 && total + size > maxBytes)) break;
    const lastOffset = lastOffsetAt(buffer, at);
    if (checkUpTo && lastOffset >= upTo) break;
    nextOffset = lastOffset + 1;
    position += size;
  }
  return {
    records: await window.slice(start, position - start),
    nextOffset,
    endPosition: position,
  };
}

/**
 * Where a window should stop: see "Sizing the window" above. Without the offset index in
 * memory (a closed segment whose index was dropped), the window runs to `target`.
 */
class WindowPlan {
  readonly end: number;
  readonly #index: OffsetIndex | null;
  readonly #interval: number;

  constructor(end: number, index: OffsetIndex | null, interval: number) {
    this.end = end;
    this.#index = index;
    this.#interval = interval;
  }

  /**
   * The file position a read needs to reach to hold every whole batch within
   * [from, target), and the header of the batch after them. `from` is a batch boundary,
   * or an upper bound of the boundary the batches start from.
   */
  stopFor(from: number, target: number): number {
    if (target >= this.end) return this.end;
    if (this.#index === null) return target;
    const boundary = Math.max(from, this.#index.floorPosition(target));
    const stop = Math.min(target, boundary + this.#interval + OFFSETS_HEADER_BYTES);
    return Math.max(stop, Math.min(this.end, from + MIN_WINDOW_BYTES));
  }
}

/**
 * A buffer holding file bytes [start, start + buffer.length), refilled on demand. With a
 * lease, each fill reads into a buffer the lease takes; a replaced window stays with the
 * lease until it is released (refills are rare: windows are sized for the answer).
 */
class ReadWindow {
  buffer: Buffer = EMPTY;
  #start = 0;
  readonly #segment: LogSegment;
  readonly #plan: WindowPlan;
  readonly #lease: ReadLease | undefined;

  constructor(segment: LogSegment, plan: WindowPlan, lease: ReadLease | undefined) {
    this.#segment = segment;
    this.#plan = plan;
    this.#lease = lease;
  }

  /** Starts with `buffer` holding file bytes from `position`. */
  seed(position: number, buffer: Buffer): void {
    this.buffer = buffer;
    this.#start = position;
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

  /**
   * Reads a window at batch boundary `position` (at least `length` bytes) that holds the
   * whole batches from a boundary at or before `from` up to `target` (WindowPlan.stopFor);
   * the index of `position` in it (0), or -1 past the end.
   */
  async fill(position: number, length: number, from: number, target: number): Promise<number> {
    const end = this.#plan.end;
    if (position + length > end) return -1;
    const stop = Math.max(position + length, this.#plan.stopFor(from, target));
    const size = Math.min(end, stop) - position;
    const into = this.#lease?.take(size) ?? undefined;
    this.buffer = await this.#segment.read(position, size, into);
    this.#start = position;
    return this.buffer.length >= length ? 0 : -1;
  }

  /** File bytes [position, position + length), zero-copy when already in the window. */
  async slice(position: number, length: number): Promise<Buffer> {
    if (length === 0) return EMPTY;
    const at = position - this.#start;
    if (at >= 0 && at + length <= this.buffer.length) return this.buffer.subarray(at, at + length);
    return this.#segment.read(position, length);
  }
}
