/**
 * Sparse time index (`.timeindex`): maps the largest timestamp seen so far in a segment
 * to the last offset of the batch that first carried it. Kafka's layout: per entry
 * timestamp int64 and relativeOffset int32, big-endian. An entry is added alongside each
 * offset-index entry, and once more when the segment closes, only when the timestamp
 * grows, so timestamps increase strictly and the last entry holds the segment's maximum.
 *
 * Every batch before an entry's offset has a smaller timestamp than the entry's, so the
 * first batch with maxTimestamp >= T lies at or after the offset of the last entry with
 * timestamp <= T.
 */
import { readInt32, readInt64, writeInt32, writeInt64 } from './batch-header.js';
import { SparseIndex } from './sparse-index.js';

const ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends SparseIndex {
  constructor(baseOffset: number, fileBytes?: Buffer) {
    super(baseOffset, ENTRY_SIZE, fileBytes);
  }

  /** The index as read from a file; offsets must not decrease or precede the base. */
  static load(baseOffset: number, fileBytes: Buffer): TimeIndex {
    const index = new TimeIndex(baseOffset, fileBytes);
    index.validate((i) => {
      if (index.#relativeAt(i) < 0) return 'offset below the segment base';
      if (i > 0 && index.#relativeAt(i) < index.#relativeAt(i - 1)) return 'offset decreases';
      return null;
    });
    return index;
  }

  /** Adds (timestamp, offset) when timestamp exceeds the last entry's. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.entryCount - 1;
    if (last >= 0 && (timestamp <= this.keyAt(last) || offset < this.#offsetAt(last))) return;
    const slot = this.appendSlot();
    writeInt64(this.bytes, timestamp, slot);
    writeInt32(this.bytes, offset - this.baseOffset, slot + 8);
  }

  /** The last entry with timestamp <= `timestamp`, or null. */
  lookup(timestamp: number): TimestampOffset | null {
    const i = this.floorIndex(timestamp);
    return i < 0 ? null : this.#entryAt(i);
  }

  lastEntry(): TimestampOffset | null {
    return this.entryCount === 0 ? null : this.#entryAt(this.entryCount - 1);
  }

  truncateToOffset(offset: number): void {
    let count = this.entryCount;
    while (count > 0 && this.#offsetAt(count - 1) >= offset) count--;
    this.keep(count);
  }

  protected keyAt(i: number): number {
    return readInt64(this.bytes, i * ENTRY_SIZE);
  }

  #entryAt(i: number): TimestampOffset {
    return { timestamp: this.keyAt(i), offset: this.#offsetAt(i) };
  }

  #offsetAt(i: number): number {
    return this.baseOffset + this.#relativeAt(i);
  }

  #relativeAt(i: number): number {
    return readInt32(this.bytes, i * ENTRY_SIZE + 8);
  }
}

/** The last entry of a time-index file's bytes (for a closed segment's max timestamp). */
export function lastTimeIndexEntry(baseOffset: number, tail: Buffer): TimestampOffset | null {
  if (tail.length < ENTRY_SIZE) return null;
  const at = tail.length - ENTRY_SIZE;
  return { timestamp: readInt64(tail, at), offset: baseOffset + tail.readInt32BE(at + 8) };
}

export const TIME_INDEX_ENTRY_SIZE = ENTRY_SIZE;
