/**
 * The leader-epoch cache: epoch → start offset, ascending in both, as Kafka's
 * LeaderEpochFileCache. The log assigns an entry whenever it appends a batch stamped
 * with a new epoch, trims it on truncation and on log-start moves, and persists it to
 * `leader-epoch-checkpoint`.
 *
 * Durability: `assign` resolves after the checkpoint is written (atomically, fsynced).
 * The log's own updates happen in memory on its serial queue and are persisted before
 * the append that caused them resolves. After a crash, recovery re-derives entries from
 * the batches it scans, so the file may lag the log but never leads it past the end.
 *
 * Who may call: anyone on the event-loop thread; writes are serialized internally.
 */
import type { EpochEntry } from '../checkpoint/leader-epoch-checkpoint.js';
import { checkOffset, invalidArgument } from '../errors.js';

export type { EpochEntry };

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export class LeaderEpochCache {
  #entries: EpochEntry[];
  #dirty = false;
  readonly #persist: (entries: readonly EpochEntry[]) => Promise<void>;
  readonly #logEndOffset: () => number;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    entries: readonly EpochEntry[],
    persist: (entries: readonly EpochEntry[]) => Promise<void>,
    logEndOffset: () => number,
  ) {
    this.#entries = entries.map((e) => ({ ...e }));
    this.#persist = persist;
    this.#logEndOffset = logEndOffset;
  }

  /** True when memory holds changes not yet in the checkpoint file. */
  get isDirty(): boolean {
    return this.#dirty;
  }

  entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  /** The latest epoch, or -1. */
  latestEpoch(): number {
    return this.#entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /** Records that `epoch` starts at `startOffset`, then persists. */
  async assign(epoch: number, startOffset: number): Promise<void> {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw invalidArgument(`bad epoch ${epoch}`);
    checkOffset('startOffset', startOffset);
    if (this.assignInMemory(epoch, startOffset)) await this.flush();
  }

  /**
   * Kafka's rule: an entry is added when its epoch differs from the latest or moves the
   * latest epoch's start earlier; entries it contradicts (epoch or start offset at or
   * after it) are dropped. Returns whether anything changed.
   */
  assignInMemory(epoch: number, startOffset: number): boolean {
    const latest = this.#entries.at(-1);
    if (latest && latest.epoch === epoch && startOffset >= latest.startOffset) return false;
    this.#entries = this.#entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.#entries.push({ epoch, startOffset });
    this.#dirty = true;
    return true;
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch <= `epoch` and the offset where the next
   * epoch starts (the log end offset for the latest epoch). (-1, -1) when `epoch` is
   * above every known epoch or undefined.
   */
  endOffsetFor(epoch: number): { epoch: number; endOffset: number } {
    const undefinedResult = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (epoch === UNDEFINED_EPOCH || this.#entries.length === 0) return undefinedResult;
    if (epoch === this.latestEpoch()) return { epoch, endOffset: this.#logEndOffset() };
    const higher = this.#entries.findIndex((e) => e.epoch > epoch);
    if (higher < 0) return undefinedResult;
    const floor = higher - 1;
    const endOffset = this.#entries[higher].startOffset;
    return floor < 0 ? { epoch, endOffset } : { epoch: this.#entries[floor].epoch, endOffset };
  }

  /** The epoch that `offset` was written in, or -1. */
  epochForOffset(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const entry of this.#entries) {
      if (entry.startOffset > offset) break;
      epoch = entry.epoch;
    }
    return epoch;
  }

  /** After truncateTo(endOffset): drops entries starting at or after it. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.#entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.#entries.length) return;
    this.#entries = kept;
    this.#dirty = true;
  }

  /**
   * After the log start moved to `startOffset`: entries starting at or before it go, and
   * the last of them comes back starting at `startOffset` (Kafka's truncateFromStart).
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.#entries.length && this.#entries[removed].startOffset <= startOffset) {
      removed++;
    }
    if (removed === 0) return;
    const covering = this.#entries[removed - 1];
    if (removed === 1 && covering.startOffset === startOffset) return;
    this.#entries = [{ epoch: covering.epoch, startOffset }, ...this.#entries.slice(removed)];
    this.#dirty = true;
  }

  clear(): void {
    if (this.#entries.length === 0) return;
    this.#entries = [];
    this.#dirty = true;
  }

  /** Persists pending changes; writes are serialized. */
  flush(): Promise<void> {
    const run = this.#writing
      .catch(() => undefined)
      .then(async () => {
        if (!this.#dirty) return;
        this.#dirty = false;
        try {
          await this.#persist(this.#entries.slice());
        } catch (error) {
          this.#dirty = true;
          throw error;
        }
      });
    this.#writing = run;
    return run;
  }
}
