/**
 * The FileSystem seam: every file storage touches goes through this interface, so the
 * log can run on the real disk (realFileSystem) or on the in-memory, fault-injecting
 * FaultInjectingFileSystem, and one contract suite (test/storage/fs) holds both to the
 * same behaviour.
 *
 * Semantics are POSIX's, narrowed to what a log needs:
 * - Paths are absolute. Errors carry POSIX codes in `code` ('ENOENT', 'EEXIST', 'EIO',
 *   'ENOSPC', ...).
 * - Data written through a handle is visible to every reader once the call resolves and
 *   survives a process crash (it is in the OS page cache). It survives power loss only
 *   after `sync()` on that handle resolves.
 * - Metadata changes (create, rename, unlink) are durable after `syncDir` of the parent.
 * - An unlinked file stays readable and writable through handles opened before.
 *
 * Concurrency: calls may overlap; overlapping writes to the same bytes have no defined
 * order (storage never issues them).
 */

/** 'r': read only. 'r+': read/write an existing file. 'w+': read/write, created or emptied. */
export type OpenMode = 'r' | 'r+' | 'w+';

export interface FileStat {
  size: number;
  /** Last modification, epoch ms. */
  mtimeMs: number;
  isDirectory: boolean;
}

export interface FileHandle {
  readonly path: string;
  /**
   * Reads up to `length` bytes at file `position` into `buffer` at `offset`. Resolves
   * with the count read, which is short only at end of file.
   */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /**
   * Optional: `read` on the calling thread, returning the count. For small reads of bytes
   * just written, which the page cache holds: there a trip to the I/O thread pool and
   * back costs more than the copy, and on busy cores each of the two thread switches can
   * wait for a CPU. It blocks the event loop for the whole system call, so callers keep
   * such reads small and recent. Handles without it are read with `read`.
   */
  readNow?(buffer: Buffer, offset: number, length: number, position: number): number;
  /**
   * Writes `buffers` back to back at file `position` in one system call where possible.
   * May write fewer bytes than given (a short write) and resolves with the count; use
   * writeFully to loop.
   */
  writev(buffers: readonly Buffer[], position: number): Promise<number>;
  /**
   * Optional: `writev` on the calling thread, returning the count (short as `writev` may
   * be). For small appends: copying them into the page cache costs less than a trip to
   * the I/O thread pool and back, whose two thread switches each wait for a CPU on busy
   * cores. It blocks the event loop for the whole system call, so callers keep such
   * writes small. Failures throw (with the same codes `writev` rejects with). Handles
   * without it are written with `writev`.
   */
  writeNow?(buffers: readonly Buffer[], position: number): number;
  /** Flushes this file's data (fdatasync) so it survives power loss. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  open(path: string, mode: OpenMode): Promise<FileHandle>;
  /** The whole file; rejects with ENOENT when missing. */
  readFile(path: string): Promise<Buffer>;
  /**
   * Replaces `path` with `data` atomically: write a temporary sibling, fsync it, rename
   * over `path`, fsync the directory. A crash leaves either the old or the new content.
   */
  writeFileAtomic(path: string, data: Buffer): Promise<void>;
  /** Entry names in `path` (not sorted). */
  readdir(path: string): Promise<string[]>;
  /** null when `path` does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /** Creates `path` and missing parents; no error when it exists. */
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  unlink(path: string): Promise<void>;
  /** Removes a directory and everything below; no error when it is already gone. */
  rmdir(path: string): Promise<void>;
  /** Makes creates, renames and unlinks in directory `path` durable. */
  syncDir(path: string): Promise<void>;
}

/**
 * Bytes per write system call at most, and how many such calls of one writeFully run at
 * once (at disjoint positions, each on a thread-pool thread). Why: Linux sizes the
 * page-cache folios of a buffered write by the write's length (ext4 has large folios
 * since 6.16), and allocating folios of 1 MiB and more is slow where memory is short of
 * free high-order blocks: on this project's VMs, whose balloon hands freed 2 MiB blocks
 * back to the hypervisor, `dd` wrote new page cache at 3 GB/s in 64-512 KiB writes and at
 * 0.3-1.6 GB/s in 1-2 MiB writes (bench/RESULTS.md). Elsewhere 512 KiB per call costs
 * nothing measurable either.
 */
export const MAX_WRITE_CALL_BYTES = 512 * 1024;
const MAX_WRITE_CALLS_IN_FLIGHT = 4;

/**
 * Writes every byte of `buffers` at `position`, looping over short writes, in calls of
 * at most MAX_WRITE_CALL_BYTES. The calls may complete in any order; the promise settles
 * when all have, and rejects if any failed (what was written then is undefined).
 */
export async function writeFully(
  handle: FileHandle,
  buffers: readonly Buffer[],
  position: number,
): Promise<void> {
  let total = 0;
  for (const buffer of buffers) total += buffer.length;
  // Most writes (small groups) fit one call: no pieces to build for them.
  if (total <= MAX_WRITE_CALL_BYTES) return writePiece(handle, buffers, position, total);
  const pieces = splitWrite(buffers, MAX_WRITE_CALL_BYTES);
  let next = 0;
  const writeNext = async (): Promise<void> => {
    while (next < pieces.length) {
      const piece = pieces[next++]!;
      await writePiece(handle, piece.buffers, position + piece.offset, piece.bytes);
    }
  };
  const calls = Math.min(MAX_WRITE_CALLS_IN_FLIGHT, pieces.length);
  await Promise.all(Array.from({ length: calls }, writeNext));
}

/** Writes `total` bytes of `buffers` at `position`, looping over short writes. */
async function writePiece(
  handle: FileHandle,
  buffers: readonly Buffer[],
  position: number,
  total: number,
): Promise<void> {
  let written = await handle.writev(buffers, position);
  while (written < total) {
    if (written <= 0) throw ioError('EIO', `write to ${handle.path} made no progress`);
    const rest = remainder(buffers, written);
    written += await handle.writev(rest, position + written);
  }
}

/** A run of consecutive bytes of a write: where it starts, its buffers, their length. */
export interface WritePiece {
  offset: number;
  buffers: Buffer[];
  bytes: number;
}

/** `buffers` cut into consecutive pieces of at most `maxBytes`. */
export function splitWrite(buffers: readonly Buffer[], maxBytes: number): WritePiece[] {
  const pieces: WritePiece[] = [];
  let piece: WritePiece = { offset: 0, buffers: [], bytes: 0 };
  for (const buffer of buffers) {
    for (let at = 0; at < buffer.length;) {
      if (piece.bytes === maxBytes) {
        pieces.push(piece);
        piece = { offset: piece.offset + piece.bytes, buffers: [], bytes: 0 };
      }
      const take = Math.min(buffer.length - at, maxBytes - piece.bytes);
      piece.buffers.push(take === buffer.length ? buffer : buffer.subarray(at, at + take));
      piece.bytes += take;
      at += take;
    }
  }
  pieces.push(piece);
  return pieces;
}

/** writeFully on the calling thread, with `handle.writeNow` (which it must have). */
export function writeFullyNow(
  handle: FileHandle,
  buffers: readonly Buffer[],
  position: number,
): void {
  let total = 0;
  for (const buffer of buffers) total += buffer.length;
  let written = handle.writeNow!(buffers, position);
  while (written < total) {
    if (written <= 0) throw ioError('EIO', `write to ${handle.path} made no progress`);
    written += handle.writeNow!(remainder(buffers, written), position + written);
  }
}

/**
 * Reads exactly `length` bytes at `position`, or fewer only at end of file, into the
 * start of `buffer` (at least `length` bytes; a new one by default). Returns the bytes
 * read: a slice of `buffer`.
 */
export async function readFully(
  handle: FileHandle,
  position: number,
  length: number,
  buffer: Buffer = Buffer.allocUnsafe(length),
): Promise<Buffer> {
  let filled = 0;
  while (filled < length) {
    const count = await handle.read(buffer, filled, length - filled, position + filled);
    if (count === 0) break;
    filled += count;
  }
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

/** readFully on the calling thread, with `handle.readNow` (which it must have). */
export function readFullyNow(
  handle: FileHandle,
  position: number,
  length: number,
  buffer: Buffer = Buffer.allocUnsafe(length),
): Buffer {
  let filled = 0;
  while (filled < length) {
    const count = handle.readNow!(buffer, filled, length - filled, position + filled);
    if (count === 0) break;
    filled += count;
  }
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

/** `buffers` without their first `skip` bytes (zero-copy). */
function remainder(buffers: readonly Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  let left = skip;
  for (const buffer of buffers) {
    if (left >= buffer.length) {
      left -= buffer.length;
      continue;
    }
    rest.push(left > 0 ? buffer.subarray(left) : buffer);
    left = 0;
  }
  return rest;
}

/** An Error with a POSIX-style `code`, as both FileSystems raise them. */
export function ioError(code: string, message: string): Error & { code: string } {
  const error = new Error(`${code}: ${message}`) as Error & { code: string };
  error.code = code;
  return error;
}

/** The POSIX code of a file-system error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
