/** Truncation, DeleteRecords and retention, run against both FileSystems. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FILE_SYSTEMS,
  appendMany,
  assertRejectsCode,
  makeBatch,
  openLog,
  readAll,
  summarize,
} from '../helpers.js';

const offsetsOf = (batches: Buffer[]): number[] =>
  summarize(Buffer.concat(batches)).map((b) => b.baseOffset);

for (const { name, make } of FILE_SYSTEMS) {
  describe(`PartitionLog truncation and retention: ${name}`, () => {
    it('truncateTo a batch boundary in the active segment, then appends continue', async () => {
      const made = make();
      let log = await openLog(made, { segmentBytes: 1 << 20 });
      for (let i = 0; i < 5; i++) await log.append(makeBatch(2));
      await log.truncateTo(6);
      assert.equal(log.logEndOffset, 6);
      assert.deepEqual(offsetsOf(await readAll(log)), [0, 2, 4]);
      assert.equal((await log.append(makeBatch(1))).baseOffset, 6);
      await log.close();
      log = await openLog(made, { segmentBytes: 1 << 20 });
      assert.equal(log.logEndOffset, 7);
      assert.deepEqual(offsetsOf(await readAll(log)), [0, 2, 4, 6]);
      await log.close();
    });

    it('truncateTo inside a batch removes the whole batch', async () => {
      const log = await openLog(make());
      await log.append(makeBatch(3));
      await log.append(makeBatch(3));
      await log.truncateTo(4);
      assert.equal(log.logEndOffset, 3);
      await log.close();
    });

    it('truncateTo an earlier segment deletes the later ones and rebuilds what it cut', async () => {
      const made = make();
      let log = await openLog(made, { segmentBytes: 700, indexIntervalBytes: 64 });
      for (let i = 0; i < 30; i++)
        await log.append(makeBatch(1, { valueBytes: 60, timestamp: 100 + i }));
      const before = log.segments();
      assert.ok(before.length >= 4);
      const target = before[1].baseOffset + 2;
      await log.truncateTo(target);
      assert.equal(log.logEndOffset, target);
      assert.deepEqual(
        log.segments().map((s) => s.baseOffset),
        [before[0].baseOffset, before[1].baseOffset],
      );
      assert.equal(log.segments()[1].maxTimestamp, 100 + target - 1, 'max timestamp recomputed');
      assert.deepEqual(await log.maxTimestampOffset(), {
        offset: target - 1,
        timestamp: 100 + target - 1,
      });
      assert.equal(await log.offsetForTimestamp(100 + target), null);
      assert.equal((await log.append(makeBatch(1))).baseOffset, target);
      await log.close();
      log = await openLog(made, { segmentBytes: 700, indexIntervalBytes: 64 });
      assert.equal(log.logEndOffset, target + 1);
      assert.equal((await readAll(log)).length, target + 1);
      for (let offset = 0; offset <= target; offset++) {
        assert.equal(summarize((await log.read(offset, 1, 1000)).records)[0].baseOffset, offset);
      }
      await log.close();
    });

    it('truncateTo at or past the end is a no-op; to the first base empties the log there', async () => {
      const log = await openLog(make());
      await log.append(makeBatch(4));
      await log.truncateTo(4);
      await log.truncateTo(100);
      assert.equal(log.logEndOffset, 4);
      await log.truncateTo(0);
      assert.equal(log.logEndOffset, 0);
      assert.equal(log.sizeInBytes(), 0);
      assert.equal((await log.append(makeBatch(1))).baseOffset, 0);
      await log.close();
    });

    it('truncation trims leader epochs and producer snapshots past the new end', async () => {
      const log = await openLog(make());
      await log.append(makeBatch(2), { partitionLeaderEpoch: 1 });
      await log.writeProducerSnapshot(Buffer.from('at 2'));
      await log.append(makeBatch(2), { partitionLeaderEpoch: 2 });
      await log.writeProducerSnapshot(Buffer.from('at 4'));
      await log.truncateTo(2);
      assert.equal(log.leaderEpochs.latestEpoch(), 1);
      assert.deepEqual(log.leaderEpochs.endOffsetFor(1), { epoch: 1, endOffset: 2 });
      assert.deepEqual(await log.latestProducerSnapshot(), {
        offset: 2,
        data: Buffer.from('at 2'),
      });
      await log.close();
    });

    it('truncateFullyAndStartAt restarts the log empty at any offset', async () => {
      const made = make();
      let log = await openLog(made);
      await appendMany(log, 5);
      await log.truncateFullyAndStartAt(1000);
      assert.equal(log.logStartOffset, 1000);
      assert.equal(log.logEndOffset, 1000);
      await assertRejectsCode(log.read(5, 100, 2000), 'OFFSET_OUT_OF_RANGE');
      assert.equal((await log.append(makeBatch(2))).baseOffset, 1000);
      await log.close();
      log = await openLog(made);
      assert.equal(log.logStartOffset, 1000);
      assert.equal(log.logEndOffset, 1002);
      await log.close();
    });

    it('deleteRecordsBefore moves the log start, deletes whole segments below it, and persists', async () => {
      const made = make();
      let log = await openLog(made, { segmentBytes: 500 });
      for (let i = 0; i < 20; i++) await log.append(makeBatch(2, { valueBytes: 40 }));
      const segments = log.segments();
      const start = segments[2].baseOffset + 1;
      assert.equal(await log.deleteRecordsBefore(start), start);
      assert.equal(log.logStartOffset, start);
      assert.equal(log.segments()[0].baseOffset, segments[2].baseOffset);
      await assertRejectsCode(log.read(start - 1, 100, 100), 'OFFSET_OUT_OF_RANGE');
      const first = summarize((await log.read(start, 1, 100)).records)[0];
      assert.ok(
        first.baseOffset <= start && start <= first.lastOffset,
        'the batch holding the start',
      );
      assert.equal(await log.deleteRecordsBefore(start - 5), start, 'never moves back');
      await assertRejectsCode(log.deleteRecordsBefore(41), 'OFFSET_OUT_OF_RANGE');
      await log.close();
      log = await openLog(made, { segmentBytes: 500 });
      assert.equal(log.logStartOffset, start);
      assert.equal(await log.deleteRecordsBefore(40), 40);
      assert.equal(log.segments().length, 1, 'only the active segment is left');
      assert.equal((await log.read(40, 100, 100)).records.length, 0);
      await log.close();
    });

    it('retention.ms deletes old closed segments, never the active one', async () => {
      let now = 10_000_000;
      const log = await openLog(make(), { segmentBytes: 400, retentionMs: 60_000 }, () => now);
      for (let i = 0; i < 12; i++)
        await log.append(makeBatch(1, { valueBytes: 80, timestamp: 1_000_000 + i * 100_000 }));
      const segments = log.segments();
      assert.ok(segments.length >= 4);
      now = 1_000_000 + 5 * 100_000 + 60_001;
      const { deletedSegments } = await log.applyRetention();
      const kept = log.segments();
      assert.ok(deletedSegments > 0);
      assert.ok(kept.every((s) => s.maxTimestamp >= now - 60_000 || s === kept.at(-1)));
      assert.equal(log.logStartOffset, kept[0].baseOffset);
      assert.equal(deletedSegments + kept.length, segments.length);
      now = 1e12;
      await log.applyRetention();
      assert.equal(log.segments().length, 1);
      assert.equal(log.logEndOffset, 12, 'the active segment keeps its data');
      await log.close();
    });

    it('retention.bytes deletes the oldest segments while enough remains', async () => {
      const log = await openLog(make(), {
        segmentBytes: 400,
        retentionBytes: 1000,
        retentionMs: -1,
      });
      for (let i = 0; i < 20; i++) await log.append(makeBatch(1, { valueBytes: 80 }));
      const total = log.sizeInBytes();
      const { deletedSegments } = await log.applyRetention();
      assert.ok(deletedSegments > 0);
      assert.ok(log.sizeInBytes() >= 1000);
      assert.ok(log.sizeInBytes() - log.segments()[0].size < 1000);
      assert.ok(total > log.sizeInBytes());
      assert.deepEqual(await log.applyRetention(), { deletedSegments: 0 });
      await log.close();
    });

    it('reads racing a truncation see either side of it, never a mix', async () => {
      const log = await openLog(make(), { segmentBytes: 600 });
      for (let i = 0; i < 30; i++)
        await log.append(makeBatch(1, { valueBytes: 50, tag: `old${i}` }));
      const reads = Array.from({ length: 20 }, (_, i) =>
        log.read(i, 10_000, 1000).then(
          (r) => summarize(r.records),
          (error: { code: string }) => error.code,
        ),
      );
      await log.truncateTo(5);
      for (let i = 0; i < 10; i++)
        await log.append(makeBatch(1, { valueBytes: 50, tag: `new${i}` }));
      for (const result of await Promise.all(reads)) {
        if (typeof result === 'string') assert.equal(result, 'OFFSET_OUT_OF_RANGE');
        else
          for (let i = 1; i < result.length; i++)
            assert.equal(result[i].baseOffset, result[i - 1].lastOffset + 1);
      }
      await log.close();
    });
  });
}
