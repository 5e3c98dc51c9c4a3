/**
 * Storage benchmark: PartitionLog append and sequential read throughput, each next to
 * the raw ceiling measured in the same run on the same disk (os.tmpdir()).
 *
 * Appends. The raw ceiling is a plain node:fs loop that writes `window` batches per
 * writev (one call in flight, positions increasing; plus one fdatasync per call in
 * fsync mode): the best a single writer does with that much data per system call.
 * PartitionLog gets the same batches from producers that keep 3 x `window` appends
 * outstanding (each resolved append is replaced at once, as a busy broker's connections
 * do): with one group being written, one queued behind it and one being acknowledged,
 * each of its writes carries about `window` batches too. The average is printed.
 *
 * Reads. The raw ceiling reads the log's own .log file front to back in `maxBytes`
 * chunks, each into a fresh buffer, as a fetch would. PartitionLog reads the same log
 * (opened once, as a broker keeps it open) with read(offset, maxBytes, logEnd), from
 * offset to offset like a consumer.
 *
 * Raw and Weir run back to back in pairs, alternating which goes first; the ratio is
 * the median of the per-pair ratios, so that background load hits both alike. A warm-up first writes and deletes 1 GiB, because the first
 * pass over fresh page-cache memory on this VM runs several times slower.
 *
 * Run: npx tsc -p . && node dist/bench/storage.bench.js [--quick]
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUncompressedRecordBatch } from '../src/records/index.js';
import {
  DEFAULT_LOG_CONFIG,
  PartitionLog,
  realFileSystem,
  type FileSystem,
} from '../src/storage/index.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 9;
const MiB = 1024 * 1024;

interface AppendCase {
  name: string;
  batchBytes: number;
  window: number;
  fsync: boolean;
  totalBytes: number;
}

const APPEND_CASES: AppendCase[] = [
  {
    name: 'append 1 KiB, page cache',
    batchBytes: 1024,
    window: 256,
    fsync: false,
    totalBytes: 128 * MiB,
  },
  {
    name: 'append 16 KiB, page cache',
    batchBytes: 16384,
    window: 64,
    fsync: false,
    totalBytes: 256 * MiB,
  },
  {
    name: 'append 1 KiB, fsync per append',
    batchBytes: 1024,
    window: 256,
    fsync: true,
    totalBytes: 32 * MiB,
  },
  {
    name: 'append 16 KiB, fsync per append',
    batchBytes: 16384,
    window: 64,
    fsync: true,
    totalBytes: 64 * MiB,
  },
];
const READ_MAX_BYTES = [MiB, 64 * 1024];

const root = mkdtempSync(join(tmpdir(), 'weir-bench-storage-'));

/** `count` distinct copies of a batch of about `bytes` bytes (appends patch them in place). */
function makeBatches(bytes: number, count: number): Buffer[] {
  const records = Math.max(1, Math.round(bytes / 1024));
  const valueBytes = Math.floor((bytes - 61) / records) - 10;
  const template = buildUncompressedRecordBatch(
    Array.from({ length: records }, (_, i) => ({
      value: Buffer.alloc(valueBytes, 97 + i),
      timestamp: 1_700_000_000_000,
    })),
  );
  return Array.from({ length: count }, () => Buffer.from(template));
}

const rate = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const writev = (fd: number, buffers: Buffer[], position: number): Promise<number> =>
  new Promise((resolve, reject) =>
    fs.writev(fd, buffers, position, (e, n) => (e ? reject(e) : resolve(n))),
  );
const fdatasync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
const read = (fd: number, buffer: Buffer, position: number): Promise<number> =>
  new Promise((resolve, reject) =>
    fs.read(fd, buffer, 0, buffer.length, position, (e, n) => (e ? reject(e) : resolve(n))),
  );

/** The real FileSystem, counting writev calls on .log files. */
function countingFileSystem(): { fs: FileSystem; writes: () => number } {
  const real = realFileSystem();
  let writes = 0;
  const counting: FileSystem = {
    open: async (path, mode) => {
      const handle = await real.open(path, mode);
      if (!path.endsWith('.log')) return handle;
      const inner = handle.writev.bind(handle);
      handle.writev = (buffers, position) => {
        writes++;
        return inner(buffers, position);
      };
      return handle;
    },
    readFile: (path) => real.readFile(path),
    writeFileAtomic: (path, data) => real.writeFileAtomic(path, data),
    readdir: (path) => real.readdir(path),
    stat: (path) => real.stat(path),
    mkdir: (path) => real.mkdir(path),
    rename: (from, to) => real.rename(from, to),
    unlink: (path) => real.unlink(path),
    rmdir: (path) => real.rmdir(path),
    syncDir: (path) => real.syncDir(path),
  };
  return { fs: counting, writes: () => writes };
}

/**
 * Touches 1 GiB of fresh page-cache memory (the first pass over it runs several times
 * slower on this VM) and runs the Weir code paths once so the JIT has compiled them
 * before anything is measured (the raw loops have nothing to warm up).
 */
async function warmUp(): Promise<void> {
  const path = join(root, 'warm-up');
  const fd = fs.openSync(path, 'w');
  const chunk = Buffer.alloc(MiB, 1);
  for (let i = 0; i < 1024; i++) await writev(fd, [chunk], i * MiB);
  fs.closeSync(fd);
  rmSync(path);
  for (const c of APPEND_CASES.filter((c) => !c.fsync)) {
    const dir = join(root, 'warm-up-log');
    await weirAppend({ ...c, totalBytes: 64 * MiB }, makeBatches(c.batchBytes, 4 * c.window), dir);
    const log = await openForReading(dir);
    await weirRead(log, MiB);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawAppend(c: AppendCase, batches: Buffer[]): Promise<number> {
  const path = join(root, 'raw.log');
  const fd = fs.openSync(path, 'w+');
  const perCall = batches.slice(0, c.window);
  const started = performance.now();
  let position = 0;
  while (position < c.totalBytes) {
    position += await writev(fd, perCall, position);
    if (c.fsync) await fdatasync(fd);
  }
  const elapsed = performance.now() - started;
  fs.closeSync(fd);
  rmSync(path);
  return rate(position, elapsed);
}

/** Producers keep 3 x window appends outstanding until totalBytes are appended. */
async function weirAppend(
  c: AppendCase,
  batches: Buffer[],
  dir: string,
): Promise<{ rate: number; perWrite: number }> {
  rmSync(dir, { recursive: true, force: true });
  const counting = countingFileSystem();
  const log = await PartitionLog.open({
    fs: counting.fs,
    dir,
    config: { ...DEFAULT_LOG_CONFIG, fsyncOnAppend: c.fsync },
  });
  const appends = Math.ceil(c.totalBytes / batches[0].length);
  const outstanding = 3 * c.window;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let issued = 0;
    let done = 0;
    const issue = (): void => {
      // batches has 4 x window copies: a copy is reused only after its append settled.
      const batch = batches[issued++ % batches.length];
      log.append(batch).then(() => {
        if (++done === appends) resolve();
        else if (issued < appends) issue();
      }, reject);
    };
    for (let i = 0; i < outstanding && issued < appends; i++) issue();
  });
  const elapsed = performance.now() - started;
  const bytes = log.sizeInBytes();
  await log.close();
  return { rate: rate(bytes, elapsed), perWrite: appends / counting.writes() };
}

async function rawRead(path: string, maxBytes: number): Promise<number> {
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  const started = performance.now();
  let position = 0;
  while (position < size) {
    position += await read(fd, Buffer.allocUnsafe(Math.min(maxBytes, size - position)), position);
  }
  const elapsed = performance.now() - started;
  fs.closeSync(fd);
  return rate(position, elapsed);
}

/** Reads all of `log` front to back, as a consumer fetching from offset 0 would. */
async function weirRead(log: PartitionLog, maxBytes: number): Promise<number> {
  const end = log.logEndOffset;
  let bytes = 0;
  const started = performance.now();
  for (let offset = 0; offset < end;) {
    const { records, nextOffset } = await log.read(offset, maxBytes, end);
    bytes += records.length;
    offset = nextOffset;
  }
  return rate(bytes, performance.now() - started);
}

function openForReading(dir: string): Promise<PartitionLog> {
  return PartitionLog.open({ fs: realFileSystem(), dir, config: DEFAULT_LOG_CONFIG });
}

/**
 * Runs raw and Weir ROUNDS times each, back to back, alternating which goes first, and
 * reports the medians and the median of the per-round ratios (a paired comparison: load
 * from other processes on this shared machine drifts, and each pair sees about the same).
 */
async function compare(
  name: string,
  raw: () => Promise<number>,
  weir: () => Promise<number>,
  note: () => string = () => '',
): Promise<void> {
  const raws: number[] = [];
  const weirs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let r: number;
    let w: number;
    if (round % 2 === 0) {
      r = await raw();
      w = await weir();
    } else {
      w = await weir();
      r = await raw();
    }
    raws.push(r);
    weirs.push(w);
    ratios.push(w / r);
  }
  const fmt = (value: number): string => value.toFixed(0).padStart(5);
  const ratio = `${(100 * median(ratios)).toFixed(0)}%`.padStart(5);
  process.stdout.write(
    `${name.padEnd(44)} weir ${fmt(median(weirs))} MB/s  raw ${fmt(median(raws))} MB/s  ${ratio}${note()}\n`,
  );
}

async function main(): Promise<void> {
  process.stdout.write(
    `storage bench: node ${process.version}, ${root}, ${ROUNDS} paired rounds, MB = MiB\n`,
  );
  await warmUp();
  const readLogs: Array<{ name: string; dir: string }> = [];
  for (const c of APPEND_CASES) {
    const batches = makeBatches(c.batchBytes, 4 * c.window);
    const dir = join(root, `log-${c.batchBytes}-${c.fsync ? 'fsync' : 'cache'}`);
    let perWrite = 0;
    await compare(
      `${c.name} (raw: ${c.window}/writev)`,
      () => rawAppend(c, batches),
      async () => {
        const result = await weirAppend(c, batches, dir);
        perWrite += result.perWrite / ROUNDS;
        return result.rate;
      },
      () => `  weir: ${perWrite.toFixed(0)} appends/write`,
    );
    if (!c.fsync) readLogs.push({ name: `${c.batchBytes / 1024} KiB batches`, dir });
    else rmSync(dir, { recursive: true, force: true });
  }
  for (const { name, dir } of readLogs) {
    // One open log serves every round, as a broker keeps its logs open.
    const log = await openForReading(dir);
    for (const maxBytes of READ_MAX_BYTES) {
      await compare(
        `read ${name}, maxBytes ${maxBytes / 1024} KiB`,
        () => rawRead(join(dir, '00000000000000000000.log'), maxBytes),
        () => weirRead(log, maxBytes),
      );
    }
    await log.close();
  }
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
