/**
 * How much a fetch read takes from the file: whole batches within maxBytes, read in one
 * window sized from the offset index rather than to maxBytes, with the same answers as
 * Kafka's rules (a model of them is checked against random logs and reads).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OFFSETS_HEADER_BYTES } from '../../../src/storage/log/batch-header.js';
import { realFileSystem, type PartitionLog } from '../../../src/storage/index.js';
import {
  FILE_SYSTEMS,
  countingWrites,
  makeBatch,
  openLog,
  readAll,
  summarize,
  tempDir,
  type BatchSummary,
} from '../helpers.js';

const INTERVAL = 4096;

/** Appends one single-record batch per value size; returns the batch sizes. */
async function appendSizes(log: PartitionLog, valueBytes: number[]): Promise<number[]> {
  const sizes = [];
  for (const bytes of valueBytes) {
    const batch = makeBatch(1, { valueBytes: bytes });
    sizes.push(batch.length);
    await log.append(batch);
  }
  return sizes;
}

/** Bytes and calls of `.log` reads made by `run`. */
async function measured<T>(
  counting: ReturnType<typeof countingWrites>,
  run: () => Promise<T>,
): Promise<{ result: T; calls: number; bytes: number }> {
  const before = counting.reads();
  const result = await run();
  const after = counting.reads();
  return { result, calls: after.calls - before.calls, bytes: after.bytes - before.bytes };
}

/** Kafka's answer to read(from, maxBytes, upTo), from the list of every batch by segment. */
function expected(
  batches: (BatchSummary & { segment: number })[],
  from: number,
  maxBytes: number,
  upTo: number,
): number[] {
  const first = batches.findIndex((b) => b.lastOffset >= from);
  if (first < 0) return [];
  const taken: number[] = [];
  let total = 0;
  for (const batch of batches.slice(first)) {
    if (batch.segment !== batches[first]!.segment || batch.lastOffset >= upTo) break;
    if (taken.length > 0 && total + batch.size > maxBytes) break;
    taken.push(batch.baseOffset);
    total += batch.size;
  }
  return taken;
}

for (const { name, make } of FILE_SYSTEMS) {
  describe(`PartitionLog read sizing: ${name}`, () => {
    it('stops the read after the batches that fit when the next one spans maxBytes', async () => {
      const made = make();
      const counting = countingWrites(made.fs);
      const log = await openLog(
        { fs: counting.fs, dir: made.dir },
        { segmentBytes: 1 << 20, indexIntervalBytes: INTERVAL },
      );
      const sizes = await appendSizes(log, [10_000, 10_000, 30_000, 10_000]);
      const maxBytes = 35_000;
      const first = await measured(counting, () => log.read(0, maxBytes, log.logEndOffset));
      assert.deepEqual(
        summarize(first.result.records).map((b) => b.baseOffset),
        [0, 1],
      );
      assert.equal(first.calls, 1);
      assert.ok(
        first.bytes <= sizes[0]! + sizes[1]! + INTERVAL + OFFSETS_HEADER_BYTES,
        `read ${first.bytes} bytes for ${first.result.records.length}`,
      );
      // The next read starts exactly there (read hint) and takes the spanning batch.
      const next = await measured(counting, () => log.read(2, maxBytes, log.logEndOffset));
      assert.deepEqual(
        summarize(next.result.records).map((b) => b.baseOffset),
        [2],
      );
      assert.equal(next.calls, 1);
      assert.ok(next.bytes <= sizes[2]! + INTERVAL + OFFSETS_HEADER_BYTES);
      await log.close();
    });

    it('reads a first batch larger than maxBytes whole, without reading maxBytes first (KIP-74)', async () => {
      const made = make();
      const counting = countingWrites(made.fs);
      const log = await openLog(
        { fs: counting.fs, dir: made.dir },
        { segmentBytes: 1 << 20, indexIntervalBytes: INTERVAL },
      );
      const sizes = await appendSizes(log, [100, 200_000, 100]);
      const big = await measured(counting, () => log.read(1, 64 * 1024, log.logEndOffset));
      assert.deepEqual(
        summarize(big.result.records).map((b) => b.baseOffset),
        [1],
      );
      assert.equal(big.result.records.length, sizes[1]);
      assert.ok(big.calls <= 2, `${big.calls} reads`);
      // No read hint here: the first window also covers the index scan (one more interval).
      assert.ok(
        big.bytes <= sizes[0]! + sizes[1]! + 2 * (INTERVAL + OFFSETS_HEADER_BYTES),
        `read ${big.bytes} bytes for a ${sizes[1]}-byte batch`,
      );
      await log.close();
    });

    it('stops at segment ends and starts the next segment at its base offset', async () => {
      const made = make();
      const counting = countingWrites(made.fs);
      const log = await openLog(
        { fs: counting.fs, dir: made.dir },
        { segmentBytes: 25_000, indexIntervalBytes: INTERVAL },
      );
      await appendSizes(
        log,
        Array.from({ length: 12 }, (_, i) => 5_000 + 1_000 * (i % 4)),
      );
      const segments = log.segments();
      assert.ok(segments.length >= 3);
      for (const [i, segment] of segments.slice(0, -1).entries()) {
        const next = segments[i + 1]!;
        const last = await measured(counting, () =>
          log.read(next.baseOffset - 1, 1 << 20, log.logEndOffset),
        );
        assert.deepEqual(
          summarize(last.result.records).map((b) => b.lastOffset),
          [next.baseOffset - 1],
          'only the last batch of the segment',
        );
        assert.ok(last.bytes <= segment.size, 'no read past the segment end');
        const { records } = await log.read(next.baseOffset, 1 << 20, log.logEndOffset);
        assert.equal(summarize(records)[0]!.baseOffset, next.baseOffset);
      }
      await log.close();
    });

    it('answers random reads on random logs as Kafka would', async () => {
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      for (const interval of [256, INTERVAL]) {
        const log = await openLog(make(), {
          segmentBytes: 128 * 1024,
          indexIntervalBytes: interval,
        });
        for (let i = 0; i < 60; i++) {
          const records = 1 + random(3);
          const valueBytes = random(4) === 0 ? 8_000 + random(12_000) : 10 + random(2_000);
          await log.append(makeBatch(records, { valueBytes }));
        }
        const bases = log.segments().map((s) => s.baseOffset);
        const batches = summarize(Buffer.concat(await readAll(log, 0, 1 << 20))).map((b) => ({
          ...b,
          segment: bases.filter((base) => base <= b.baseOffset).length,
        }));
        for (let i = 0; i < 300; i++) {
          const from = random(log.logEndOffset);
          const maxBytes = random(3) === 0 ? random(100) : random(80_000);
          const upTo = random(4) === 0 ? from + random(20) : log.logEndOffset;
          const { records } = await log.read(from, maxBytes, upTo);
          assert.deepEqual(
            summarize(records).map((b) => b.baseOffset),
            expected(batches, from, maxBytes, Math.min(upTo, log.logEndOffset)),
            `interval ${interval}: read(${from}, ${maxBytes}, ${upTo})`,
          );
        }
        // Sequential readers (read hints) see every batch once, in order.
        for (const maxBytes of [1, 5_000, 30_000, 1 << 20]) {
          const all = summarize(Buffer.concat(await readAll(log, 0, maxBytes)));
          assert.deepEqual(
            all.map((b) => b.baseOffset),
            batches.map((b) => b.baseOffset),
          );
        }
        await log.close();
      }
    });
  });
}

describe('PartitionLog reads on the calling thread', () => {
  it('reads small, recent bytes of the active segment at once, anything else through the pool', async () => {
    const counting = countingWrites(realFileSystem());
    const counts = (): { now: number; pooled: number } => {
      const { calls, now } = counting.reads();
      return { now, pooled: calls - now };
    };
    const log = await openLog({ fs: counting.fs, dir: tempDir() }, { segmentBytes: 4 << 20 });
    await appendSizes(
      log,
      Array.from({ length: 40 }, () => 60_000),
    );
    const tail = await log.read(log.logEndOffset - 2, 64 * 1024, log.logEndOffset);
    assert.equal(summarize(tail.records).length, 1);
    assert.deepEqual(counts(), { now: 1, pooled: 0 }, 'small read at the end');
    await log.read(0, 64 * 1024, log.logEndOffset);
    assert.deepEqual(counts(), { now: 1, pooled: 1 }, 'old bytes (2 MiB before the end)');
    await log.read(log.logEndOffset - 10, 1 << 20, log.logEndOffset);
    assert.deepEqual(counts(), { now: 1, pooled: 2 }, 'a large read');
    const all = Buffer.concat(await readAll(log, 0, 64 * 1024));
    assert.equal(summarize(all).length, 40, 'both kinds return the same bytes');
    await log.close();
  });

  it('a closed real handle refuses readNow', async () => {
    const fs = realFileSystem();
    const dir = tempDir();
    await fs.mkdir(dir);
    const handle = await fs.open(`${dir}/f.log`, 'w+');
    await handle.writev([Buffer.from('abc')], 0);
    const buffer = Buffer.alloc(3);
    assert.equal(handle.readNow!(buffer, 0, 3, 0), 3);
    assert.equal(buffer.toString(), 'abc');
    await handle.close();
    assert.throws(() => handle.readNow!(buffer, 0, 3, 0), { code: 'EBADF' });
  });
});
