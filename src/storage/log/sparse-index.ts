/**
 * The in-memory form of an index file: fixed-size entries in a growable buffer laid out
 * exactly as on disk, so persisting is one write of a slice. Entries are sorted by key;
 * lookups binary-search for the last entry whose key is <= the target.
 *
 * Who may call: the owning segment, on its log's serial queue (mutations) or from reads
 * (lookups), all on one thread. Not durable by itself: `persist` writes and fsyncs the
 * file; until then a crash loses entries, which recovery rebuilds from the log.
 */
import { writeFully, type FileSystem } from '../fs/file-system.js';

export class CorruptIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptIndexError';
  }
}

export abstract class SparseIndex {
  readonly baseOffset: number;
  readonly entrySize: number;
  #bytes: Buffer;
  #count = 0;
  /** True when the file may differ from memory. */
  #dirty: boolean;

  protected constructor(baseOffset: number, entrySize: number, bytes?: Buffer) {
    this.baseOffset = baseOffset;
    this.entrySize = entrySize;
    if (bytes && bytes.length % entrySize !== 0) {
      throw new CorruptIndexError(`index size ${bytes.length} is not a multiple of ${entrySize}`);
    }
    this.#bytes = bytes ? Buffer.from(bytes) : Buffer.alloc(entrySize * 64);
    this.#count = bytes ? bytes.length / entrySize : 0;
    this.#dirty = !bytes;
  }

  get entryCount(): number {
    return this.#count;
  }

  get isDirty(): boolean {
    return this.#dirty;
  }

  /** The sort key of entry `i` (an offset or a timestamp). */
  protected abstract keyAt(i: number): number;

  protected get bytes(): Buffer {
    return this.#bytes;
  }

  /**
   * Index of the last entry with key <= `target`, or -1. `key` may be any other field
   * that grows with the entries (an offset index's file positions do too).
   */
  protected floorIndex(target: number, key?: (i: number) => number): number {
    let low = 0;
    let high = this.#count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if ((key === undefined ? this.keyAt(mid) : key(mid)) <= target) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /** Reserves room for one entry and returns its byte position. */
  protected appendSlot(): number {
    const position = this.#count * this.entrySize;
    if (position + this.entrySize > this.#bytes.length) {
      const grown = Buffer.alloc(this.#bytes.length * 2);
      this.#bytes.copy(grown, 0, 0, position);
      this.#bytes = grown;
    }
    this.#count++;
    this.#dirty = true;
    return position;
  }

  /** Keeps the first `count` entries. */
  protected keep(count: number): void {
    if (count >= this.#count) return;
    this.#count = Math.max(0, count);
    this.#dirty = true;
  }

  /** Drops entries whose offset is >= `offset`. */
  abstract truncateToOffset(offset: number): void;

  /** Writes the whole index to `path` and fsyncs it. No-op when nothing changed. */
  async persist(fs: FileSystem, path: string): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    try {
      const handle = await fs.open(path, 'w+');
      try {
        await writeFully(handle, [this.#bytes.subarray(0, this.#count * this.entrySize)], 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      this.#dirty = true;
      throw error;
    }
  }

  /** Throws CorruptIndexError unless keys increase strictly and `check` accepts each entry. */
  protected validate(check: (i: number) => string | null): void {
    for (let i = 0; i < this.#count; i++) {
      if (i > 0 && this.keyAt(i) <= this.keyAt(i - 1)) {
        throw new CorruptIndexError(`entry ${i} does not increase`);
      }
      const problem = check(i);
      if (problem) throw new CorruptIndexError(`entry ${i}: ${problem}`);
    }
  }
}
