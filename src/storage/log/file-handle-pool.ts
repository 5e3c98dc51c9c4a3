/**
 * A bound on open segment files, shared by many logs, so 10,000 partitions do not hold
 * 10,000+ descriptors. Each segment's `.log` is a PooledFile: it is opened on first use,
 * kept open while used and afterwards, and closed when the pool is over its limit and
 * the file is the least recently used one nobody is using. Reopening is transparent.
 *
 * The limit is soft: files in use are never closed, so it can be exceeded while more
 * files than the limit are busy at once.
 *
 * Who may call: any log sharing the pool, from the one event-loop thread. A file is "in
 * use" between acquire (or tryAcquire) and the matching release; callers must release in
 * a finally block.
 */
import type { Logger } from '../../common/logger.js';
import type { FileHandle, FileSystem } from '../fs/file-system.js';
import { StorageError } from '../errors.js';

export class PooledFile {
  readonly path: string;
  /** Called after the pool closes this file for being idle (drop caches tied to it). */
  onEvict: (() => void) | null = null;
  handle: FileHandle | null = null;
  opening: Promise<FileHandle> | null = null;
  users = 0;
  retired = false;

  constructor(path: string) {
    this.path = path;
  }
}

export class FileHandlePool {
  readonly maxOpen: number;
  readonly #fs: FileSystem;
  readonly #logger: Logger | undefined;
  /** Open files, least recently used first (Map keeps insertion order). */
  readonly #open = new Map<PooledFile, true>();

  constructor(fs: FileSystem, maxOpen: number, logger?: Logger) {
    this.#fs = fs;
    this.maxOpen = maxOpen;
    this.#logger = logger;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** A file of this pool, not opened yet. */
  file(path: string): PooledFile {
    return new PooledFile(path);
  }

  /** Registers a handle the caller just opened (a new segment) as `file`'s. */
  adopt(file: PooledFile, handle: FileHandle): void {
    file.handle = handle;
    this.#touch(file);
    this.#evictIdle();
  }

  /** The open handle, marked in use; null when the file must be opened (use acquire). */
  tryAcquire(file: PooledFile): FileHandle | null {
    if (!file.handle || file.retired) return null;
    file.users++;
    this.#touch(file);
    return file.handle;
  }

  /** Opens the file when needed and marks it in use. */
  async acquire(file: PooledFile): Promise<FileHandle> {
    const ready = this.tryAcquire(file);
    if (ready) return ready;
    if (file.retired)
      throw new StorageError('STORAGE_CLOSED', `segment file retired: ${file.path}`);
    file.users++;
    try {
      file.opening ??= this.#openFile(file);
      return await file.opening;
    } catch (error) {
      file.users--;
      throw error;
    }
  }

  release(file: PooledFile): void {
    file.users--;
    if (file.users === 0 && file.retired) void this.#closeQuietly(file);
    else if (file.users === 0) this.#evictIdle();
  }

  /**
   * Closes the file for good (segment closed or deleted): now if idle, else when its last
   * user releases it. Later acquires fail with STORAGE_CLOSED.
   */
  async retire(file: PooledFile): Promise<void> {
    file.retired = true;
    if (file.opening) await file.opening.catch(() => undefined);
    if (file.users === 0) await this.#closeQuietly(file);
  }

  async #openFile(file: PooledFile): Promise<FileHandle> {
    try {
      // A file retired while this open ran is still handed to its caller; release closes it.
      const handle = await this.#fs.open(file.path, 'r+');
      file.handle = handle;
      this.#touch(file);
      this.#evictIdle();
      return handle;
    } finally {
      file.opening = null;
    }
  }

  #touch(file: PooledFile): void {
    this.#open.delete(file);
    this.#open.set(file, true);
  }

  #evictIdle(): void {
    if (this.#open.size <= this.maxOpen) return;
    for (const file of this.#open.keys()) {
      if (this.#open.size <= this.maxOpen) break;
      if (file.users > 0 || file.opening) continue;
      void this.#closeQuietly(file);
      file.onEvict?.();
    }
  }

  async #closeQuietly(file: PooledFile): Promise<void> {
    const handle = file.handle;
    file.handle = null;
    this.#open.delete(file);
    if (!handle) return;
    try {
      await handle.close();
    } catch (error) {
      this.#logger?.warn('closing a segment file failed', {
        path: file.path,
        error: String(error),
      });
    }
  }
}
