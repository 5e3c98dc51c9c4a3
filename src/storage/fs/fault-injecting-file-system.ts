/**
 * An in-memory FileSystem that can fail on purpose and can "crash".
 *
 * It models two layers, as a kernel does: what has been written (the page cache, which
 * survives a process crash) and what has been synced (which survives power loss).
 * - `crash()` is kill -9: writes still in flight are dropped, or torn to a prefix with
 *   `{ tornWrites: true }`; everything already written stays. Handles opened before the
 *   crash fail with FS_CRASHED from then on, as if their process had died.
 * - `powerLoss()` is a crash that also rolls every file back to its content at its last
 *   `sync()`, and every directory back to its entries at its last `syncDir()`.
 * - `injectFault(rule)` makes matching calls fail with an errno code, write a prefix and
 *   then fail, or write short.
 *
 * Every operation completes asynchronously (after a microtask by default), so a crash
 * called synchronously after an append finds that append's write in flight. The one
 * exception is a handle's `writeNow`, which applies at once (fault rules for 'writev'
 * hit it too); `{ writeNow: false }` leaves it out, so every write can be torn.
 *
 * It doubles as fast 'memory' storage for embedded brokers and tests: files are growable
 * buffers and a synced file keeps sharing its bytes with its durable copy until the next
 * overwrite (copy-on-write), so syncing appended data costs no copy.
 *
 * Simplifications: mkdir is durable at once; permissions and links do not exist.
 */
import { posix } from 'node:path';
import {
  ioError,
  type FileHandle,
  type FileStat,
  type FileSystem,
  type OpenMode,
} from './file-system.js';
import { MemoryFileHandle, type HandleOperation, type MemoryHost } from './memory-file-handle.js';
import {
  applyWrite,
  concatPrefix,
  newInode,
  revertToDurable,
  syncInode,
  truncateInode,
  type Inode,
} from './memory-inode.js';

export type FsOperation =
  | 'open'
  | 'read'
  | 'writev'
  | 'sync'
  | 'truncate'
  | 'size'
  | 'close'
  | 'readFile'
  | 'writeFileAtomic'
  | 'readdir'
  | 'stat'
  | 'mkdir'
  | 'rename'
  | 'unlink'
  | 'rmdir'
  | 'syncDir';

export interface FaultRule {
  op: FsOperation;
  /** Only calls on this path (or matching it). For rename, the source path. */
  path?: string | RegExp;
  /** The errno code to fail with; default 'EIO'. */
  error?: string;
  /** writev: this many bytes reach the file before the call fails (default 0). */
  bytes?: number;
  /** writev: instead of failing, write only `bytes` bytes and report that count. */
  short?: boolean;
  /** Let this many matching calls through first (default 0). */
  after?: number;
  /** How many matching calls the rule hits (default 1; Infinity until cleared). */
  times?: number;
}

export interface FaultInjectingOptions {
  /** How an operation completes: after a microtask (default) or a macrotask. */
  latency?: 'microtask' | 'macrotask';
  /** Clock for mtimes; default Date.now. */
  now?: () => number;
  /** Seed for the lengths of torn writes. */
  seed?: number;
  /** Whether handles offer `writeNow` (default true). */
  writeNow?: boolean;
}

interface PendingWrite {
  inode: Inode;
  buffers: readonly Buffer[];
  position: number;
}

export class FaultInjectingFileSystem implements FileSystem, MemoryHost {
  readonly #files = new Map<string, Inode>();
  /** Directory path → names of its entries (files and directories). */
  readonly #dirs = new Map<string, Set<string>>([['/', new Set()]]);
  /** Directory path → file entries as of its last syncDir (for powerLoss). */
  readonly #durableEntries = new Map<string, Map<string, Inode>>();
  readonly #rules: Array<FaultRule & { seen: number; hits: number }> = [];
  readonly #pending = new Set<PendingWrite>();
  readonly #latency: 'microtask' | 'macrotask';
  readonly #now: () => number;
  readonly #writeNow: boolean;
  #random: number;
  #generation = 0;
  #openHandles = 0;
  #tmpCounter = 0;

  constructor(options: FaultInjectingOptions = {}) {
    this.#latency = options.latency ?? 'microtask';
    this.#now = options.now ?? Date.now;
    this.#writeNow = options.writeNow ?? true;
    this.#random = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
  }

  // ---- fault injection and crashes ----------------------------------------------------

  injectFault(rule: FaultRule): void {
    this.#rules.push({ ...rule, seen: 0, hits: 0 });
  }

  clearFaults(): void {
    this.#rules.length = 0;
  }

  /** kill -9: in-flight writes are dropped (or torn), open handles die, written data stays. */
  crash(options: { tornWrites?: boolean } = {}): void {
    for (const write of this.#pending) {
      if (!options.tornWrites) continue;
      const total = write.buffers.reduce((sum, b) => sum + b.length, 0);
      applyWrite(
        write.inode,
        concatPrefix(write.buffers, this.#nextRandom() % (total + 1)),
        write.position,
      );
    }
    this.#pending.clear();
    this.#generation++;
    this.#openHandles = 0;
  }

  /** A crash that also loses everything not synced. */
  powerLoss(): void {
    this.crash();
    for (const inode of this.#files.values()) revertToDurable(inode);
    for (const [dir, names] of this.#dirs) {
      const durable = this.#durableEntries.get(dir) ?? new Map<string, Inode>();
      for (const name of [...names]) {
        const path = join(dir, name);
        if (this.#files.has(path) && !durable.has(name)) {
          names.delete(name);
          this.#files.delete(path);
        }
      }
      for (const [name, inode] of durable) {
        names.add(name);
        this.#files.set(join(dir, name), inode);
        revertToDurable(inode);
      }
    }
  }

  /** Handles currently open (and not invalidated by a crash). */
  get openFileCount(): number {
    return this.#openHandles;
  }

  // ---- FileSystem ---------------------------------------------------------------------

  async open(path: string, mode: OpenMode): Promise<FileHandle> {
    path = normalize(path);
    await this.#enter('open', path);
    let inode = this.#files.get(path);
    if (!inode) {
      if (mode !== 'w+') throw ioError('ENOENT', `no such file: ${path}`);
      inode = this.#createFile(path);
    } else if (mode === 'w+') {
      truncateInode(inode, 0);
    }
    this.#openHandles++;
    const writable = mode !== 'r';
    return new MemoryFileHandle(this, path, inode, this.#generation, writable, this.#writeNow);
  }

  async readFile(path: string): Promise<Buffer> {
    path = normalize(path);
    await this.#enter('readFile', path);
    const inode = this.#files.get(path);
    if (!inode) throw ioError('ENOENT', `no such file: ${path}`);
    return Buffer.from(inode.data.subarray(0, inode.length));
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    path = normalize(path);
    await this.#enter('writeFileAtomic', path);
    const tmp = `${path}.${++this.#tmpCounter}.tmp`;
    const inode = this.#createFile(tmp);
    applyWrite(inode, data, 0);
    syncInode(inode);
    this.#renameNow(tmp, path);
    this.#syncDirNow(posix.dirname(path));
  }

  async readdir(path: string): Promise<string[]> {
    path = normalize(path);
    await this.#enter('readdir', path);
    const names = this.#dirs.get(path);
    if (!names) throw ioError(this.#files.has(path) ? 'ENOTDIR' : 'ENOENT', path);
    return [...names];
  }

  async stat(path: string): Promise<FileStat | null> {
    path = normalize(path);
    await this.#enter('stat', path);
    const inode = this.#files.get(path);
    if (inode) return { size: inode.length, mtimeMs: inode.mtimeMs, isDirectory: false };
    return this.#dirs.has(path) ? { size: 0, mtimeMs: 0, isDirectory: true } : null;
  }

  async mkdir(path: string): Promise<void> {
    path = normalize(path);
    await this.#enter('mkdir', path);
    for (let dir = path; !this.#dirs.has(dir); dir = posix.dirname(dir)) {
      if (this.#files.has(dir)) throw ioError('EEXIST', `a file is in the way: ${dir}`);
      this.#dirs.set(dir, new Set());
      this.#dirs.get(posix.dirname(dir))?.add(posix.basename(dir));
    }
    this.#linkParents(path);
  }

  async rename(from: string, to: string): Promise<void> {
    from = normalize(from);
    to = normalize(to);
    await this.#enter('rename', from);
    this.#renameNow(from, to);
  }

  async unlink(path: string): Promise<void> {
    path = normalize(path);
    await this.#enter('unlink', path);
    if (this.#files.delete(path)) this.#dirs.get(posix.dirname(path))?.delete(posix.basename(path));
  }

  async rmdir(path: string): Promise<void> {
    path = normalize(path);
    await this.#enter('rmdir', path);
    const prefix = path + '/';
    for (const file of [...this.#files.keys()]) {
      if (file.startsWith(prefix)) this.#files.delete(file);
    }
    for (const dir of [...this.#dirs.keys()]) {
      if (dir === path || dir.startsWith(prefix)) {
        this.#dirs.delete(dir);
        this.#durableEntries.delete(dir);
      }
    }
    this.#dirs.get(posix.dirname(path))?.delete(posix.basename(path));
  }

  async syncDir(path: string): Promise<void> {
    path = normalize(path);
    await this.#enter('syncDir', path);
    if (!this.#dirs.has(path)) throw ioError('ENOENT', path);
    this.#syncDirNow(path);
  }

  // ---- internals shared with handles --------------------------------------------------

  /** Waits for the operation's turn and applies fault rules (throws for a failing one). */
  async #enter(op: FsOperation, path: string): Promise<FaultRule | undefined> {
    const generation = this.#generation;
    await this.#delay();
    if (generation !== this.#generation) throw ioError('FS_CRASHED', `${op} ${path}: crashed`);
    return this.#enterNow(op, path);
  }

  /** The fault rule for a call whose turn it is (throws for a failing one). */
  #enterNow(op: FsOperation, path: string): FaultRule | undefined {
    const rule = this.#match(op, path);
    if (rule && !(op === 'writev' && (rule.short || rule.bytes))) {
      throw ioError(rule.error ?? 'EIO', `injected fault: ${op} ${path}`);
    }
    return rule;
  }

  /** For handles: the checks of #enter plus "this handle died in a crash". */
  async enterHandle(
    op: HandleOperation,
    path: string,
    generation: number,
  ): Promise<FaultRule | undefined> {
    if (generation !== this.#generation) throw ioError('FS_CRASHED', `${op} ${path}: crashed`);
    return this.#enter(op, path);
  }

  isCurrent(generation: number): boolean {
    return generation === this.#generation;
  }

  handleClosed(generation: number): void {
    if (generation === this.#generation) this.#openHandles--;
  }

  /** Applies a write now unless a crash intervenes before its turn. */
  async write(
    handle: MemoryFileHandle,
    buffers: readonly Buffer[],
    position: number,
  ): Promise<number> {
    const pending: PendingWrite = { inode: handle.inode, buffers, position };
    this.#pending.add(pending);
    let rule: FaultRule | undefined;
    try {
      rule = await this.enterHandle('writev', handle.path, handle.generation);
    } finally {
      this.#pending.delete(pending);
    }
    return this.#applyWrite(handle, buffers, position, rule);
  }

  /** `write` at once: nothing is in flight for a crash to drop or tear. */
  writeNow(handle: MemoryFileHandle, buffers: readonly Buffer[], position: number): number {
    if (!this.isCurrent(handle.generation)) {
      throw ioError('FS_CRASHED', `writev ${handle.path}: crashed`);
    }
    const rule = this.#enterNow('writev', handle.path);
    return this.#applyWrite(handle, buffers, position, rule);
  }

  /** Writes all of `buffers`, or the prefix `rule` lets through (then fails unless short). */
  #applyWrite(
    handle: MemoryFileHandle,
    buffers: readonly Buffer[],
    position: number,
    rule: FaultRule | undefined,
  ): number {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    const count = rule ? Math.min(rule.bytes ?? 0, total) : total;
    applyWrite(handle.inode, concatPrefix(buffers, count), position);
    handle.inode.mtimeMs = this.#now();
    if (rule && !rule.short)
      throw ioError(
        rule.error ?? 'EIO',
        `injected fault after ${count} bytes: writev ${handle.path}`,
      );
    return count;
  }

  #match(op: FsOperation, path: string): FaultRule | undefined {
    for (const rule of this.#rules) {
      if (rule.op !== op) continue;
      if (rule.path !== undefined) {
        const hit = typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
        if (!hit) continue;
      }
      rule.seen++;
      if (rule.seen <= (rule.after ?? 0) || rule.hits >= (rule.times ?? 1)) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }

  #delay(): Promise<void> {
    return this.#latency === 'macrotask'
      ? new Promise((resolve) => setImmediate(resolve))
      : Promise.resolve();
  }

  #createFile(path: string): Inode {
    const dir = posix.dirname(path);
    const names = this.#dirs.get(dir);
    if (!names) throw ioError('ENOENT', `no such directory: ${dir}`);
    const inode = newInode(this.#now());
    this.#files.set(path, inode);
    names.add(posix.basename(path));
    return inode;
  }

  #renameNow(from: string, to: string): void {
    const inode = this.#files.get(from);
    if (!inode) throw ioError('ENOENT', `no such file: ${from}`);
    const target = this.#dirs.get(posix.dirname(to));
    if (!target) throw ioError('ENOENT', `no such directory: ${posix.dirname(to)}`);
    this.#files.delete(from);
    this.#dirs.get(posix.dirname(from))?.delete(posix.basename(from));
    this.#files.set(to, inode);
    target.add(posix.basename(to));
  }

  #syncDirNow(dir: string): void {
    const durable = new Map<string, Inode>();
    for (const name of this.#dirs.get(dir) ?? []) {
      const inode = this.#files.get(join(dir, name));
      if (inode) durable.set(name, inode);
    }
    this.#durableEntries.set(dir, durable);
  }

  #linkParents(path: string): void {
    for (let dir = path; dir !== '/'; dir = posix.dirname(dir)) {
      this.#dirs.get(posix.dirname(dir))?.add(posix.basename(dir));
    }
  }

  #nextRandom(): number {
    let x = this.#random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#random = x >>> 0;
    return this.#random;
  }
}

function normalize(path: string): string {
  if (!path.startsWith('/')) throw ioError('EINVAL', `path must be absolute: ${path}`);
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
