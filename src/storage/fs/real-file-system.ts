/**
 * The FileSystem on the real disk, over node:fs. Handles are raw descriptors driven
 * through the callback API (one libuv request per call, no FileHandle bookkeeping),
 * because the append and read paths issue one of these calls per event-loop turn and
 * their overhead counts against the raw-disk ceiling.
 */
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  errorCode,
  ioError,
  type FileHandle,
  type FileStat,
  type FileSystem,
  type OpenMode,
} from './file-system.js';

class RealFileHandle implements FileHandle {
  readonly path: string;
  /** -1 once closed: a stale descriptor number could name a file opened since. */
  #fd: number;

  constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#fd < 0) return reject(closedHandle(this.path));
      fs.read(this.#fd, buffer, offset, length, position, (error, count) =>
        error ? reject(error) : resolve(count),
      );
    });
  }

  readNow(buffer: Buffer, offset: number, length: number, position: number): number {
    if (this.#fd < 0) throw closedHandle(this.path);
    return fs.readSync(this.#fd, buffer, offset, length, position);
  }

  writev(buffers: readonly Buffer[], position: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#fd < 0) return reject(closedHandle(this.path));
      fs.writev(this.#fd, buffers as Buffer[], position, (error, count) =>
        error ? reject(error) : resolve(count),
      );
    });
  }

  writeNow(buffers: readonly Buffer[], position: number): number {
    if (this.#fd < 0) throw closedHandle(this.path);
    return fs.writevSync(this.#fd, buffers as Buffer[], position);
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#fd < 0) return reject(closedHandle(this.path));
      fs.fdatasync(this.#fd, (error) => (error ? reject(error) : resolve()));
    });
  }

  truncate(length: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#fd < 0) return reject(closedHandle(this.path));
      fs.ftruncate(this.#fd, length, (error) => (error ? reject(error) : resolve()));
    });
  }

  size(): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#fd < 0) return reject(closedHandle(this.path));
      fs.fstat(this.#fd, (error, stats) => (error ? reject(error) : resolve(stats.size)));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      const fd = this.#fd;
      if (fd < 0) return reject(closedHandle(this.path));
      this.#fd = -1;
      fs.close(fd, (error) => (error ? reject(error) : resolve()));
    });
  }
}

function closedHandle(path: string): Error {
  return ioError('EBADF', `handle closed: ${path}`);
}

class RealFileSystem implements FileSystem {
  #tmpCounter = 0;

  open(path: string, mode: OpenMode): Promise<FileHandle> {
    return new Promise((resolve, reject) => {
      fs.open(path, mode, 0o644, (error, fd) =>
        error ? reject(error) : resolve(new RealFileHandle(path, fd)),
      );
    });
  }

  readFile(path: string): Promise<Buffer> {
    return fs.promises.readFile(path);
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    const tmp = join(dirname(path), `${basename(path)}.${process.pid}.${++this.#tmpCounter}.tmp`);
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, path);
    await this.syncDir(dirname(path));
  }

  readdir(path: string): Promise<string[]> {
    return fs.promises.readdir(path);
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      const stats = await fs.promises.stat(path);
      return { size: stats.size, mtimeMs: stats.mtimeMs, isDirectory: stats.isDirectory() };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  async mkdir(path: string): Promise<void> {
    await fs.promises.mkdir(path, { recursive: true });
  }

  rename(from: string, to: string): Promise<void> {
    return fs.promises.rename(from, to);
  }

  async unlink(path: string): Promise<void> {
    try {
      await fs.promises.unlink(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }

  rmdir(path: string): Promise<void> {
    return fs.promises.rm(path, { recursive: true, force: true });
  }

  async syncDir(path: string): Promise<void> {
    const handle = await fs.promises.open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** The FileSystem on the real disk. Stateless: one instance may serve every log. */
export function realFileSystem(): FileSystem {
  return new RealFileSystem();
}
