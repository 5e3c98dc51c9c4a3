/**
 * A file of the in-memory FileSystem: its bytes as written (the page cache) and as of its
 * last sync (what survives power loss). A synced file shares its buffer with its durable
 * copy until something overwrites synced bytes (copy-on-write), so syncing appended data
 * costs no copy.
 */
export interface Inode {
  data: Buffer;
  length: number;
  /** Content at the last sync: `durable.subarray(0, durableLength)`. May share `data`. */
  durable: Buffer;
  durableLength: number;
  mtimeMs: number;
}

const EMPTY = Buffer.alloc(0);

export function newInode(mtimeMs: number): Inode {
  return { data: EMPTY, length: 0, durable: EMPTY, durableLength: 0, mtimeMs };
}

/** The first `count` bytes of `buffers`, as one Buffer (zero-copy when it is one slice). */
export function concatPrefix(buffers: readonly Buffer[], count: number): Buffer {
  if (buffers.length === 1) return buffers[0].subarray(0, count);
  const out = Buffer.allocUnsafe(count);
  let filled = 0;
  for (const buffer of buffers) {
    if (filled >= count) break;
    filled += buffer.copy(out, filled, 0, Math.min(buffer.length, count - filled));
  }
  return out;
}

/** Writes `bytes` at `position`, zero-filling any gap; copies first if it would touch synced bytes. */
export function applyWrite(inode: Inode, bytes: Buffer, position: number): void {
  const end = position + bytes.length;
  const touchedFrom = Math.min(position, inode.length);
  if (end > inode.data.length) {
    const grown = Buffer.alloc(Math.max(end, inode.data.length * 2, 4096));
    inode.data.copy(grown, 0, 0, inode.length);
    inode.data = grown;
  } else if (inode.data === inode.durable && touchedFrom < inode.durableLength) {
    inode.data = Buffer.from(inode.data);
  }
  if (position > inode.length) inode.data.fill(0, inode.length, position);
  bytes.copy(inode.data, position);
  inode.length = Math.max(inode.length, end);
}

export function truncateInode(inode: Inode, length: number): void {
  if (length > inode.length) {
    applyWrite(inode, Buffer.alloc(length - inode.length), inode.length);
  } else {
    inode.length = length;
  }
}

export function syncInode(inode: Inode): void {
  inode.durable = inode.data;
  inode.durableLength = inode.length;
}

export function revertToDurable(inode: Inode): void {
  inode.data = Buffer.from(inode.durable.subarray(0, inode.durableLength));
  inode.length = inode.durableLength;
  inode.durable = inode.data;
}
