/**
 * Sparse offset index (`.index`): maps a batch's last offset to the file position where
 * the batch starts, one entry per index.interval.bytes of log. Kafka's layout: per entry
 * relativeOffset int32 (lastOffset - baseOffset) and position int32, big-endian.
 *
 * A lookup for offset T gives the position of the last indexed batch whose last offset
 * is <= T: T is in that batch or after it, so a reader scans forward from there (at most
 * about index.interval.bytes). With no such entry, the scan starts at position 0.
 */
import { readInt32, writeInt32 } from './batch-header.js';
import { CorruptIndexError, SparseIndex } from './sparse-index.js';

const ENTRY_SIZE = 8;

export class OffsetIndex extends SparseIndex {
  constructor(baseOffset: number, fileBytes?: Buffer) {
    super(baseOffset, ENTRY_SIZE, fileBytes);
  }

  /**
   * The index as read from a file, checked against the segment: keys and positions must
   * increase and positions must lie inside a log of `logSize` bytes.
   */
  static load(baseOffset: number, fileBytes: Buffer, logSize: number): OffsetIndex {
    const index = new OffsetIndex(baseOffset, fileBytes);
    index.validate((i) => {
      const position = index.#positionAt(i);
      if (index.#relativeAt(i) < 0) return 'offset below the segment base';
      if (position >= logSize) return `position ${position} past the log end ${logSize}`;
      if (i > 0 && position <= index.#positionAt(i - 1)) return 'position does not increase';
      return null;
    });
    return index;
  }

  /** Adds an entry; offsets and positions must increase. */
  append(lastOffset: number, position: number): void {
    const count = this.entryCount;
    if (
      count > 0 &&
      (lastOffset <= this.keyAt(count - 1) || position <= this.#positionAt(count - 1))
    ) {
      throw new CorruptIndexError(`entry (${lastOffset}, ${position}) out of order`);
    }
    const slot = this.appendSlot();
    writeInt32(this.bytes, lastOffset - this.baseOffset, slot);
    writeInt32(this.bytes, position, slot + 4);
  }

  /** Where to start scanning for `offset`: a batch boundary at or before it. */
  lookup(offset: number): number {
    const i = this.floorIndex(offset);
    return i < 0 ? 0 : this.#positionAt(i);
  }

  /**
   * The position of the last entry at or before file `position`, or -1. Entries are
   * batch starts, so this is the last batch boundary the index knows up to there.
   */
  floorPosition(position: number): number {
    const i = this.floorIndex(position, (entry) => this.#positionAt(entry));
    return i < 0 ? -1 : this.#positionAt(i);
  }

  /** The last entry, or null. */
  lastEntry(): { offset: number; position: number } | null {
    const i = this.entryCount - 1;
    return i < 0 ? null : { offset: this.keyAt(i), position: this.#positionAt(i) };
  }

  truncateToOffset(offset: number): void {
    this.keep(this.floorIndex(offset - 1) + 1);
  }

  /** Drops entries at or after file `position`. */
  truncateToPosition(position: number): void {
    let count = this.entryCount;
    while (count > 0 && this.#positionAt(count - 1) >= position) count--;
    this.keep(count);
  }

  protected keyAt(i: number): number {
    return this.baseOffset + this.#relativeAt(i);
  }

  #relativeAt(i: number): number {
    return readInt32(this.bytes, i * ENTRY_SIZE);
  }

  #positionAt(i: number): number {
    return readInt32(this.bytes, i * ENTRY_SIZE + 4);
  }
}
