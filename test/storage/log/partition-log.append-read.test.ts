/** PartitionLog append and read, run against both FileSystems. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordBatchView, TimestampType } from '../../../src/records/index.js';
import { PartitionLog } from '../../../src/storage/index.js';
import { WRITE_NOW_MAX_BYTES } from '../../../src/storage/log/log-writer.js';
import {
  FILE_SYSTEMS,
  appendMany,
  assertRejectsCode,
  countingWrites,
  makeBatch,
  openLog,
  readAll,
  smallConfig,
  summarize,
} from '../helpers.js';

for (const { name, make } of FILE_SYSTEMS) {
  describe(`PartitionLog append/read: ${name}`, () => {
    it('starts empty at offset 0', async () => {
      const log = await openLog(make());
      assert.equal(log.logStartOffset, 0);
      assert.equal(log.logEndOffset, 0);
      assert.equal(log.sizeInBytes(), 0);
      assert.equal((await log.read(0, 1000, 100)).records.length, 0);
      await assertRejectsCode(log.read(1, 1000, 100), 'OFFSET_OUT_OF_RANGE');
      assert.equal(await log.offsetForTimestamp(0), null);
      assert.equal(await log.maxTimestampOffset(), null);
      await log.close();
    });

    it('assigns consecutive offsets in call order, patching baseOffset in place', async () => {
      const log = await openLog(make());
      const first = makeBatch(3);
      const pair = Buffer.concat([makeBatch(2), makeBatch(1)]);
      const results = await Promise.all([
        log.append(first),
        log.append(pair),
        log.append(makeBatch(1)),
      ]);
      assert.deepEqual(results, [
        { baseOffset: 0, lastOffset: 2, logAppendTime: -1 },
        { baseOffset: 3, lastOffset: 5, logAppendTime: -1 },
        { baseOffset: 6, lastOffset: 6, logAppendTime: -1 },
      ]);
      assert.equal(first.readBigInt64BE(0), 0n);
      assert.deepEqual(
        summarize(pair).map((b) => b.baseOffset),
        [3, 5],
      );
      assert.equal(log.logEndOffset, 7);
      const stored = await readAll(log);
      assert.deepEqual(stored[0], first);
      assert.equal(stored.length, 4);
      assert.ok(stored.every((batch) => new RecordBatchView(batch).isCrcValid()));
      await log.close();
    });

    it('writes appends made in the same turn with one writev', async () => {
      const made = make();
      const counting = countingWrites(made.fs);
      const log = await openLog({ fs: counting.fs, dir: made.dir }, { segmentBytes: 1024 * 1024 });
      await appendMany(log, 50);
      assert.equal(counting.writes(), 1);
      assert.equal(log.logEndOffset, 50);
      await log.close();
    });

    it('writes small groups on the calling thread and large ones through the pool', async () => {
      const made = make();
      const counting = countingWrites(made.fs);
      const log = await openLog({ fs: counting.fs, dir: made.dir }, { segmentBytes: 8 << 20 });
      await appendMany(log, 20, { valueBytes: 1000 });
      assert.deepEqual([counting.writes(), counting.writesNow()], [1, 1], 'a small group');
      await log.append(makeBatch(1, { valueBytes: WRITE_NOW_MAX_BYTES }));
      assert.deepEqual([counting.writes(), counting.writesNow()], [2, 1], 'one large batch');
      await log.append(makeBatch(2, { valueBytes: WRITE_NOW_MAX_BYTES / 2 - 100 }));
      assert.deepEqual([counting.writes(), counting.writesNow()], [3, 2], 'just below the limit');
      const quarter = WRITE_NOW_MAX_BYTES / 4;
      await Promise.all([1, 2, 3].map(() => log.append(makeBatch(1, { valueBytes: quarter }))));
      assert.deepEqual([counting.writes(), counting.writesNow()], [4, 3], 'a queue taken whole');
      await Promise.all(
        [1, 2, 3, 4, 5].map(() => log.append(makeBatch(1, { valueBytes: quarter }))),
      );
      assert.deepEqual(
        [counting.writes(), counting.writesNow()],
        [6, 4],
        'a larger queue: half through the pool, then the rest (now small) at once',
      );
      const stored = await readAll(log, 0, 1 << 20);
      assert.equal(stored.length, 30);
      assert.ok(stored.every((batch) => new RecordBatchView(batch).isCrcValid()));
      assert.equal(log.logEndOffset, 31);
      await log.close();
    });

    it('reads whole batches within maxBytes, the first one even when larger (KIP-74)', async () => {
      const log = await openLog(make(), { segmentBytes: 1024 * 1024 });
      await appendMany(log, 10, { valueBytes: 100 });
      const size = summarize((await log.read(0, 1, 100)).records)[0].size;
      assert.equal(
        (await log.read(0, 1, 100)).records.length,
        size,
        'one whole batch for maxBytes 1',
      );
      assert.equal((await log.read(0, 0, 100)).records.length, size);
      assert.equal((await log.read(0, 3 * size, 100)).records.length, 3 * size);
      assert.equal((await log.read(0, 3 * size + size - 1, 100)).records.length, 3 * size);
      const big = await log.append(makeBatch(1, { valueBytes: 3000 }));
      const { records } = await log.read(big.baseOffset, 100, 100);
      assert.deepEqual(
        summarize(records).map((b) => b.baseOffset),
        [big.baseOffset],
      );
      await log.close();
    });

    it('never returns a batch reaching upTo (high watermark or LSO)', async () => {
      const log = await openLog(make());
      await log.append(makeBatch(2));
      await log.append(makeBatch(3));
      await log.append(makeBatch(1));
      const offsets = async (from: number, upTo: number): Promise<number[]> =>
        summarize((await log.read(from, 10_000, upTo)).records).map((b) => b.baseOffset);
      assert.deepEqual(await offsets(0, 6), [0, 2, 5]);
      assert.deepEqual(await offsets(0, 5), [0, 2]);
      assert.deepEqual(await offsets(0, 4), [0], 'upTo inside a batch excludes it');
      assert.deepEqual(await offsets(0, 1), []);
      assert.deepEqual(await offsets(2, 2), []);
      assert.deepEqual(await offsets(3, 1000), [2, 5], 'upTo is capped at the log end');
      await log.close();
    });

    it('read from an offset inside a batch returns that batch; out-of-range offsets fail', async () => {
      const log = await openLog(make());
      await log.append(makeBatch(5));
      await log.append(makeBatch(5));
      assert.equal(summarize((await log.read(7, 1, 10)).records)[0].baseOffset, 5);
      assert.equal((await log.read(10, 1000, 10)).records.length, 0);
      await assertRejectsCode(log.read(11, 1000, 20), 'OFFSET_OUT_OF_RANGE');
      await assertRejectsCode(log.read(-1, 1000, 20), 'STORAGE_INVALID_ARGUMENT');
      await log.close();
    });

    it('rolls segments on segment.bytes and finds every offset across segment boundaries', async () => {
      const made = make();
      let log = await openLog(made, { segmentBytes: 1000, indexIntervalBytes: 100 });
      for (let i = 0; i < 40; i++)
        await log.append(makeBatch(1 + (i % 3), { tag: `b${i}`, valueBytes: 40 }));
      const segments = log.segments();
      assert.ok(segments.length > 5, `rolled into ${segments.length} segments`);
      assert.ok(segments.every((s) => s.size <= 1000));
      assert.equal(segments[0].baseOffset, 0);
      const names = (await made.fs.readdir(made.dir)).filter((n) => n.endsWith('.log')).sort();
      assert.deepEqual(
        names,
        segments.map((s) => `${String(s.baseOffset).padStart(20, '0')}.log`),
      );
      const check = async (label: string): Promise<void> => {
        const all = summarize(Buffer.concat(await readAll(log)));
        for (let offset = 0; offset < log.logEndOffset; offset++) {
          const { records } = await log.read(offset, 1, log.logEndOffset);
          const [batch] = summarize(records);
          const expected = all.find((b) => b.baseOffset <= offset && offset <= b.lastOffset)!;
          assert.deepEqual(batch, expected, `${label}: offset ${offset}`);
        }
        for (const s of segments.slice(1)) {
          const { records } = await log.read(s.baseOffset - 1, 100_000, log.logEndOffset);
          const batches = summarize(records);
          assert.ok(
            batches.at(-1)!.lastOffset < s.baseOffset,
            `${label}: a read stays in one segment`,
          );
        }
      };
      await check('fresh');
      await log.close();
      log = await openLog(made, { segmentBytes: 1000, indexIntervalBytes: 100 });
      await check('reopened');
      await log.close();
    });

    it('rolls a segment on segment.ms', async () => {
      let now = 1_000_000;
      const log = await openLog(make(), { segmentMs: 60_000, segmentBytes: 1 << 20 }, () => now);
      await log.append(makeBatch(1));
      now += 30_000;
      await log.append(makeBatch(1));
      assert.equal(log.segments().length, 1);
      now += 31_000;
      await log.append(makeBatch(1));
      assert.deepEqual(
        log.segments().map((s) => s.baseOffset),
        [0, 2],
      );
      await log.close();
    });

    it('rejects malformed and oversized batches without harming the log', async () => {
      const log = await openLog(make(), { segmentBytes: 1000 });
      await log.append(makeBatch(1));
      const batch = makeBatch(1);
      await assertRejectsCode(log.append(batch.subarray(0, batch.length - 1)), 'CORRUPT_MESSAGE');
      await assertRejectsCode(log.append(Buffer.alloc(0)), 'CORRUPT_MESSAGE');
      const wrongMagic = Buffer.from(batch);
      wrongMagic[16] = 1;
      await assertRejectsCode(log.append(wrongMagic), 'CORRUPT_MESSAGE');
      await assertRejectsCode(
        log.append(makeBatch(1, { valueBytes: 2000 })),
        'RECORD_LIST_TOO_LARGE',
      );
      assert.equal((await log.append(makeBatch(1))).baseOffset, 1);
      assert.equal(log.failure, null);
      await log.close();
    });

    it('stamps LogAppendTime (CRC recomputed) and the partition leader epoch', async () => {
      const log = await openLog(make());
      const batch = makeBatch(2, { timestamp: 5 });
      const result = await log.append(batch, {
        logAppendTime: 1_700_000_000_000,
        partitionLeaderEpoch: 7,
      });
      assert.equal(result.logAppendTime, 1_700_000_000_000);
      const [stored] = await readAll(log);
      const view = new RecordBatchView(stored);
      assert.equal(view.timestampType, TimestampType.LOG_APPEND_TIME);
      assert.equal(view.maxTimestamp, 1_700_000_000_000n);
      assert.equal(view.partitionLeaderEpoch, 7);
      assert.ok(view.isCrcValid());
      assert.equal(log.leaderEpochs.latestEpoch(), 7);
      assert.deepEqual(log.leaderEpochs.endOffsetFor(7), { epoch: 7, endOffset: 2 });
      assert.deepEqual(await log.maxTimestampOffset(), { offset: 0, timestamp: 1_700_000_000_000 });
      await log.close();
    });

    it('finds offsets by timestamp through the time index, to the exact record', async () => {
      const log = await openLog(make(), { segmentBytes: 600, indexIntervalBytes: 50 });
      // 30 batches of 3 records; batch i has record timestamps 100i, 100i+10, 100i+20,
      // except batch 10, whose records go back in time (300, 250, 1050).
      for (let i = 0; i < 30; i++) {
        const timestamps = i === 10 ? [300, 250, 1050] : [100 * i, 100 * i + 10, 100 * i + 20];
        await log.append(makeBatch(3, { timestamps }));
      }
      assert.ok(log.segments().length > 3);
      assert.deepEqual(await log.offsetForTimestamp(-5), { offset: 0, timestamp: 0 });
      assert.deepEqual(await log.offsetForTimestamp(0), { offset: 0, timestamp: 0 });
      assert.deepEqual(await log.offsetForTimestamp(15), { offset: 2, timestamp: 20 });
      assert.deepEqual(await log.offsetForTimestamp(1000), { offset: 32, timestamp: 1050 });
      assert.deepEqual(await log.offsetForTimestamp(1055), { offset: 33, timestamp: 1100 });
      assert.deepEqual(await log.offsetForTimestamp(2500), { offset: 75, timestamp: 2500 });
      assert.deepEqual(await log.offsetForTimestamp(2920), { offset: 89, timestamp: 2920 });
      assert.equal(await log.offsetForTimestamp(2921), null);
      assert.deepEqual(await log.maxTimestampOffset(), { offset: 89, timestamp: 2920 });
      await log.deleteRecordsBefore(40);
      assert.deepEqual(await log.offsetForTimestamp(0), { offset: 40, timestamp: 1310 });
      await log.close();
    });

    it('keeps a few sequential readers fast and correct (read hints)', async () => {
      const log = await openLog(make(), { segmentBytes: 1 << 20, indexIntervalBytes: 4096 });
      await appendMany(log, 200, { valueBytes: 50 });
      const [a, b] = await Promise.all([readAll(log, 0, 700), readAll(log, 100, 300)]);
      assert.equal(a.length, 200);
      assert.equal(b.length, 100);
      assert.deepEqual(Buffer.concat(a.slice(100)), Buffer.concat(b));
      await log.close();
    });

    it('sizes and lists segments', async () => {
      const log = await openLog(make(), { segmentBytes: 500 });
      await appendMany(log, 10, { valueBytes: 60 });
      const total = log.segments().reduce((sum, s) => sum + s.size, 0);
      assert.equal(log.sizeInBytes(), total);
      assert.equal(total, Buffer.concat(await readAll(log)).length);
      await log.close();
    });

    it('validates its config', async () => {
      const made = make();
      await assert.rejects(
        PartitionLog.open({ ...made, config: smallConfig({ segmentBytes: 2 ** 31 }) }),
        /segmentBytes/,
      );
      await assert.rejects(
        PartitionLog.open({ ...made, config: smallConfig({ flushMessages: 0 }) }),
        /flushMessages/,
      );
    });
  });
}
