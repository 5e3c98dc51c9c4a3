/**
 * The log's read side: fetch reads and ListOffsets lookups. Reads run concurrently with
 * the writer and see only committed state (segment sizes and the log end offset move
 * after a write completes). A read that overlaps a truncation or a segment deletion
 * (the layout version changed) is retried from scratch, so it returns either the old or
 * the new log, never a mix.
 *
 * Read hints: for each of the last few reads, where the next batch starts (offset →
 * segment and position). A sequential consumer's next fetch starts exactly there,
 * without an index lookup or a scan.
 *
 * Read-ahead (read-ahead.ts): a leased read that continues an earlier one (a read hint
 * named its offset) starts reading the next window of its segment, which the next read
 * from there takes over.
 *
 * Who may call: PartitionLog, on the event-loop thread.
 */
import { StorageError, checkOffset } from '../errors.js';
import type { LogState } from './log-state.js';
import { ReadAhead } from './read-ahead.js';
import type { ReadLease } from './read-buffer-pool.js';
import type { LogSegment } from './segment.js';
import { readSegment } from './segment-reader.js';
import {
  maxTimestampOffset,
  offsetForTimestamp,
  type TimestampAndOffset,
} from './timestamp-lookup.js';

export interface ReadResult {
  /** Whole batches, possibly none. */
  records: Buffer;
  /** The offset after the last batch in `records`; fromOffset when it is empty. */
  nextOffset: number;
}

interface ReadHint {
  offset: number;
  segment: LogSegment;
  position: number;
}

const READ_RETRIES = 5;
const READ_HINTS = 8;
const EMPTY = Buffer.alloc(0);

export class LogReader {
  readonly #state: LogState;
  #hints: ReadHint[] = [];
  #nextHint = 0;
  #hintsVersion = 0;
  readonly #readAhead = new ReadAhead();

  constructor(state: LogState) {
    this.#state = state;
  }

  /** See PartitionLog.read. */
  async read(
    fromOffset: number,
    maxBytes: number,
    upTo: number,
    buffers?: ReadLease,
  ): Promise<ReadResult> {
    checkOffset('fromOffset', fromOffset);
    const state = this.#state;
    for (let attempt = 0; ; attempt++) {
      const version = state.layoutVersion;
      this.#checkReadable(fromOffset);
      const limit = Math.min(upTo, state.logEndOffset);
      if (fromOffset >= limit) return { records: EMPTY, nextOffset: fromOffset };
      try {
        const result = await this.#readOnce(fromOffset, maxBytes, limit, buffers);
        if (version === state.layoutVersion) return result;
      } catch (error) {
        if (version === state.layoutVersion || attempt >= READ_RETRIES) throw error;
      }
      if (attempt >= READ_RETRIES) {
        throw new StorageError('KAFKA_STORAGE_ERROR', 'the log kept changing during a read');
      }
    }
  }

  /** The log is closing: drops the read-ahead. */
  close(): void {
    this.#readAhead.drop();
  }

  offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    const state = this.#state;
    return this.#retryOnLayoutChange(() =>
      offsetForTimestamp(state.segments.slice(), timestamp, state.logStartOffset),
    );
  }

  maxTimestampOffset(): Promise<TimestampAndOffset | null> {
    const state = this.#state;
    return this.#retryOnLayoutChange(() =>
      maxTimestampOffset(state.segments.slice(), state.logStartOffset),
    );
  }

  async #readOnce(
    fromOffset: number,
    maxBytes: number,
    upTo: number,
    buffers: ReadLease | undefined,
  ): Promise<ReadResult> {
    const state = this.#state;
    const hint = this.#hintFor(fromOffset);
    for (let i = state.segmentIndexFor(fromOffset); i < state.segments.length; i++) {
      const segment = state.segments[i];
      const exact = hint !== undefined && hint.segment === segment;
      const startPosition = exact
        ? hint.position
        : (await segment.offsetIndex()).lookup(fromOffset);
      const version = state.layoutVersion;
      const prefetched =
        buffers === undefined
          ? null
          : await this.#readAhead.take(segment, startPosition, version, buffers);
      const read = await readSegment(segment, {
        fromOffset,
        maxBytes,
        upTo,
        end: segment.size,
        endOffset: segment.nextOffset,
        startPosition,
        exact,
        scanSlack: state.config.indexIntervalBytes,
        buffers,
        prefetched,
      });
      if (read === null) continue;
      if (read.records.length === 0) return { records: read.records, nextOffset: read.nextOffset };
      this.#rememberHint(read.nextOffset, segment, read.endPosition);
      const ahead = Math.min(maxBytes, segment.size - read.endPosition);
      // A read that continues an earlier one (there was a hint for it) reads ahead.
      if (hint !== undefined && buffers !== undefined && ahead > 0 && !state.closed) {
        this.#readAhead.start(buffers.pool, segment, read.endPosition, ahead, version);
      }
      return { records: read.records, nextOffset: read.nextOffset };
    }
    return { records: EMPTY, nextOffset: fromOffset };
  }

  #hintFor(offset: number): ReadHint | undefined {
    if (this.#hintsVersion !== this.#state.layoutVersion) {
      this.#hints = [];
      this.#nextHint = 0;
      this.#hintsVersion = this.#state.layoutVersion;
    }
    return this.#hints.find((h) => h.offset === offset);
  }

  #rememberHint(offset: number, segment: LogSegment, position: number): void {
    const existing = this.#hints.find((h) => h.offset === offset);
    if (existing) {
      existing.segment = segment;
      existing.position = position;
      return;
    }
    this.#hints[this.#nextHint] = { offset, segment, position };
    this.#nextHint = (this.#nextHint + 1) % READ_HINTS;
  }

  #checkReadable(offset: number): void {
    const state = this.#state;
    if (state.closed) throw state.closedError();
    if (offset < state.logStartOffset || offset > state.logEndOffset) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is outside [${state.logStartOffset}, ${state.logEndOffset}] in ${state.dir}`,
      );
    }
  }

  async #retryOnLayoutChange<T>(run: () => Promise<T>): Promise<T> {
    const state = this.#state;
    for (let attempt = 0; ; attempt++) {
      if (state.closed) throw state.closedError();
      const version = state.layoutVersion;
      try {
        const result = await run();
        if (version === state.layoutVersion || attempt >= READ_RETRIES) return result;
      } catch (error) {
        if (version === state.layoutVersion || attempt >= READ_RETRIES) throw error;
      }
    }
  }
}
