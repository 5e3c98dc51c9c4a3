/**
 * The place for producer-state snapshots: `<offset>.snapshot` files in the partition
 * directory, each the opaque bytes the producer-state owner (cluster/partition) handed
 * over, taken when the log ended at `offset`. Storage does not read them; it only keeps
 * them consistent with the log: truncation deletes snapshots past the new end, and the
 * log start moving deletes all but the newest at or before it.
 *
 * Durability: `write` resolves after an atomic, fsynced write. Who may call: the log,
 * on its serial queue.
 */
import { join } from 'node:path';
import type { FileSystem } from '../fs/file-system.js';
import { SNAPSHOT_SUFFIX, offsetName } from '../log/file-names.js';

/** How many snapshots to keep; older ones are deleted after each write. */
const KEEP = 2;

export class ProducerSnapshots {
  readonly #fs: FileSystem;
  readonly #dir: string;
  /** Offsets of the snapshot files, ascending. */
  #offsets: number[];

  constructor(fs: FileSystem, dir: string, offsets: readonly number[]) {
    this.#fs = fs;
    this.#dir = dir;
    this.#offsets = [...offsets].sort((a, b) => a - b);
  }

  get offsets(): readonly number[] {
    return this.#offsets;
  }

  async write(offset: number, data: Buffer): Promise<void> {
    await this.#fs.writeFileAtomic(this.#path(offset), data);
    if (!this.#offsets.includes(offset)) {
      this.#offsets.push(offset);
      this.#offsets.sort((a, b) => a - b);
    }
    while (this.#offsets.length > KEEP) await this.#delete(this.#offsets[0]);
  }

  /** The newest snapshot, or null. */
  async latest(): Promise<{ offset: number; data: Buffer } | null> {
    const offset = this.#offsets.at(-1);
    if (offset === undefined) return null;
    return { offset, data: await this.#fs.readFile(this.#path(offset)) };
  }

  /** Deletes snapshots taken past `offset` (after truncation to it). */
  async deleteAfter(offset: number): Promise<void> {
    for (const taken of [...this.#offsets]) if (taken > offset) await this.#delete(taken);
  }

  /** Deletes snapshots older than the newest one at or below `offset` (log start moved). */
  async deleteBefore(offset: number): Promise<void> {
    const keepFrom = this.#offsets.filter((taken) => taken <= offset).at(-1);
    if (keepFrom === undefined) return;
    for (const taken of [...this.#offsets]) if (taken < keepFrom) await this.#delete(taken);
  }

  async deleteAll(): Promise<void> {
    for (const taken of [...this.#offsets]) await this.#delete(taken);
  }

  async #delete(offset: number): Promise<void> {
    await this.#fs.unlink(this.#path(offset));
    this.#offsets = this.#offsets.filter((taken) => taken !== offset);
  }

  #path(offset: number): string {
    return join(this.#dir, offsetName(offset) + SNAPSHOT_SUFFIX);
  }
}
