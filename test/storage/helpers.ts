/** Shared helpers for test/storage: batches, file systems to run suites on, log walkers. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { buildUncompressedRecordBatch, type BatchOptions } from '../../src/records/index.js';
import {
  DEFAULT_LOG_CONFIG,
  FaultInjectingFileSystem,
  PartitionLog,
  realFileSystem,
  type FileSystem,
  type LogConfig,
  type StorageErrorCode,
} from '../../src/storage/index.js';

/** A batch of `count` records with values `${tag}-${i}` padded to `valueBytes`, all at `timestamp`. */
export function makeBatch(
  count = 1,
  options: {
    tag?: string;
    valueBytes?: number;
    timestamp?: number;
    timestamps?: number[];
  } & BatchOptions = {},
): Buffer {
  const { tag = 'v', valueBytes = 16, timestamp = 1_000, timestamps, ...batchOptions } = options;
  const records = Array.from({ length: count }, (_, i) => ({
    value: Buffer.from(`${tag}-${i}`.padEnd(valueBytes, '.')),
    timestamp: timestamps?.[i] ?? timestamp,
  }));
  return buildUncompressedRecordBatch(records, batchOptions);
}

/** One decoded batch header, for assertions. */
export interface BatchSummary {
  baseOffset: number;
  lastOffset: number;
  size: number;
  maxTimestamp: number;
  leaderEpoch: number;
}

/** The headers of the whole batches in `records`; fails on trailing bytes. */
export function summarize(records: Buffer): BatchSummary[] {
  const out: BatchSummary[] = [];
  let at = 0;
  while (at < records.length) {
    const size = 12 + records.readInt32BE(at + 8);
    assert.ok(at + size <= records.length, `partial batch at ${at}`);
    const baseOffset = Number(records.readBigInt64BE(at));
    out.push({
      baseOffset,
      lastOffset: baseOffset + records.readInt32BE(at + 23),
      size,
      maxTimestamp: Number(records.readBigInt64BE(at + 35)),
      leaderEpoch: records.readInt32BE(at + 12),
    });
    at += size;
  }
  return out;
}

/** Every batch from `from` to the log end, read `maxBytes` at a time. */
export async function readAll(
  log: PartitionLog,
  from = log.logStartOffset,
  maxBytes = 64 * 1024,
): Promise<Buffer[]> {
  const batches: Buffer[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, maxBytes, log.logEndOffset);
    assert.ok(records.length > 0, `empty read at ${offset} below the log end ${log.logEndOffset}`);
    let at = 0;
    for (const batch of summarize(records)) {
      batches.push(records.subarray(at, at + batch.size));
      at += batch.size;
      offset = batch.lastOffset + 1;
    }
  }
  return batches;
}

/** A small-segment config so tests roll often. */
export function smallConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, segmentBytes: 4096, indexIntervalBytes: 256, ...overrides };
}

export interface FsUnderTest {
  name: string;
  /** A fresh file system and an empty directory on it. */
  make(): { fs: FileSystem; dir: string };
}

const tempRoots: string[] = [];
after(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** A fresh directory under os.tmpdir(), removed when the test file ends. */
export function tempDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'weir-storage-test-'));
  tempRoots.push(root);
  return join(root, 'topic-0');
}

/** Both FileSystems: suites written once run against each. */
export const FILE_SYSTEMS: FsUnderTest[] = [
  { name: 'real', make: () => ({ fs: realFileSystem(), dir: tempDir() }) },
  { name: 'memory', make: () => ({ fs: new FaultInjectingFileSystem(), dir: '/data/topic-0' }) },
];

export async function assertRejectsCode(
  promise: Promise<unknown>,
  code: StorageErrorCode | string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: string }).code, code, String(error));
    return true;
  });
}

/** Flips one byte of `path` at `position` (real or fake file system). */
export async function flipByte(fs: FileSystem, path: string, position: number): Promise<void> {
  const handle = await fs.open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    byte[0] ^= 0xff;
    await handle.writev([byte], position);
  } finally {
    await handle.close();
  }
}

/** Opens a log on `made` with smallConfig(overrides). */
export function openLog(
  made: { fs: FileSystem; dir: string },
  overrides: Partial<LogConfig> = {},
  now?: () => number,
): Promise<PartitionLog> {
  return PartitionLog.open({ fs: made.fs, dir: made.dir, config: smallConfig(overrides), now });
}

/** Appends `count` single-record batches one call each (same tick) and waits for all. */
export async function appendMany(
  log: PartitionLog,
  count: number,
  options: Parameters<typeof makeBatch>[1] = {},
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => log.append(makeBatch(1, { tag: `m${i}`, ...options }))),
  );
}

/** A FileSystem wrapper counting writev, sync and read calls on `.log` files. */
export function countingWrites(inner: FileSystem): {
  fs: FileSystem;
  /** `.log` writes of either kind (writev and writeNow). */
  writes: () => number;
  /** ... of which ran on the calling thread (writeNow). */
  writesNow: () => number;
  syncs: () => number;
  /** `.log` reads: all of them, their bytes, and how many ran on the calling thread. */
  reads: () => { calls: number; bytes: number; now: number };
} {
  let writes = 0;
  let writesNow = 0;
  let syncs = 0;
  const reads = { calls: 0, bytes: 0, now: 0 };
  const fs: FileSystem = {
    open: async (path, mode) => {
      const handle = await inner.open(path, mode);
      const isLog = path.endsWith('.log');
      return {
        path: handle.path,
        read: (b, o, l, p) => {
          if (isLog) {
            reads.calls++;
            reads.bytes += l;
          }
          return handle.read(b, o, l, p);
        },
        readNow:
          handle.readNow &&
          ((b, o, l, p) => {
            if (isLog) {
              reads.calls++;
              reads.now++;
              reads.bytes += l;
            }
            return handle.readNow!(b, o, l, p);
          }),
        writev: (buffers, position) => {
          if (isLog) writes++;
          return handle.writev(buffers, position);
        },
        writeNow:
          handle.writeNow &&
          ((buffers, position) => {
            if (isLog) {
              writes++;
              writesNow++;
            }
            return handle.writeNow!(buffers, position);
          }),
        sync: () => {
          if (isLog) syncs++;
          return handle.sync();
        },
        truncate: (l) => handle.truncate(l),
        size: () => handle.size(),
        close: () => handle.close(),
      };
    },
    readFile: (p) => inner.readFile(p),
    writeFileAtomic: (p, d) => inner.writeFileAtomic(p, d),
    readdir: (p) => inner.readdir(p),
    stat: (p) => inner.stat(p),
    mkdir: (p) => inner.mkdir(p),
    rename: (a, b) => inner.rename(a, b),
    unlink: (p) => inner.unlink(p),
    rmdir: (p) => inner.rmdir(p),
    syncDir: (p) => inner.syncDir(p),
  };
  return {
    fs,
    writes: () => writes,
    writesNow: () => writesNow,
    syncs: () => syncs,
    reads: () => ({ ...reads }),
  };
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A fault-injecting file system with directory /d and /d/f open for reading and writing. */
export async function withFakeFile(): Promise<{
  fs: FaultInjectingFileSystem;
  handle: Awaited<ReturnType<FaultInjectingFileSystem['open']>>;
}> {
  const fs = new FaultInjectingFileSystem();
  await fs.mkdir('/d');
  return { fs, handle: await fs.open('/d/f', 'w+') };
}
