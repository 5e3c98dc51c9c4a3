/**
 * A handle of the in-memory FileSystem. It points at the file itself (an inode), so it
 * keeps working after the path is unlinked or renamed, as on POSIX; after a crash of its
 * FileSystem it fails with FS_CRASHED, as if its process had died.
 */
import { ioError, type FileHandle } from './file-system.js';
import { syncInode, truncateInode, type Inode } from './memory-inode.js';

export type HandleOperation = 'read' | 'writev' | 'sync' | 'truncate' | 'size' | 'close';

/** What a handle needs from its FileSystem (which owns fault rules and crashes). */
export interface MemoryHost {
  /** Waits for the operation's turn; throws for an injected fault or a crash. */
  enterHandle(op: HandleOperation, path: string, generation: number): Promise<unknown>;
  /** Applies a write (or an injected partial/short one) unless a crash intervenes. */
  write(handle: MemoryFileHandle, buffers: readonly Buffer[], position: number): Promise<number>;
  /** `write` applied at once (throws instead of rejecting). */
  writeNow(handle: MemoryFileHandle, buffers: readonly Buffer[], position: number): number;
  handleClosed(generation: number): void;
  isCurrent(generation: number): boolean;
}

export class MemoryFileHandle implements FileHandle {
  readonly path: string;
  readonly inode: Inode;
  /** The FileSystem's crash generation when this handle was opened. */
  readonly generation: number;
  readonly #host: MemoryHost;
  readonly #writable: boolean;
  /** FileHandle's optional writeNow: present unless the FileSystem turned it off. */
  readonly writeNow?: (buffers: readonly Buffer[], position: number) => number;
  #closed = false;

  constructor(
    host: MemoryHost,
    path: string,
    inode: Inode,
    generation: number,
    writable: boolean,
    writeNow: boolean,
  ) {
    this.#host = host;
    this.path = path;
    this.inode = inode;
    this.generation = generation;
    this.#writable = writable;
    if (writeNow) this.writeNow = (buffers, position) => this.#writeNow(buffers, position);
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    await this.#enter('read');
    const end = Math.min(this.inode.length, position + length);
    if (end <= position) return 0;
    return this.inode.data.copy(buffer, offset, position, end);
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<number> {
    this.#checkWritable();
    return this.#host.write(this, buffers, position);
  }

  #writeNow(buffers: readonly Buffer[], position: number): number {
    this.#checkWritable();
    return this.#host.writeNow(this, buffers, position);
  }

  async sync(): Promise<void> {
    await this.#enter('sync');
    syncInode(this.inode);
  }

  async truncate(length: number): Promise<void> {
    this.#checkWritable();
    await this.#enter('truncate');
    truncateInode(this.inode, length);
  }

  async size(): Promise<number> {
    await this.#enter('size');
    return this.inode.length;
  }

  async close(): Promise<void> {
    this.#checkOpen();
    this.#closed = true;
    this.#host.handleClosed(this.generation);
    if (this.#host.isCurrent(this.generation)) {
      await this.#host.enterHandle('close', this.path, this.generation);
    }
  }

  async #enter(op: HandleOperation): Promise<void> {
    this.#checkOpen();
    await this.#host.enterHandle(op, this.path, this.generation);
  }

  #checkOpen(): void {
    if (this.#closed) throw ioError('EBADF', `handle closed: ${this.path}`);
  }

  #checkWritable(): void {
    this.#checkOpen();
    if (!this.#writable) throw ioError('EBADF', `opened read-only: ${this.path}`);
  }
}
