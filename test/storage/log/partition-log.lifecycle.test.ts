/** Open, close, reopen, checkpoints, snapshots, delete and the file-handle bound. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  FaultInjectingFileSystem,
  FileHandlePool,
  PartitionLog,
} from '../../../src/storage/index.js';
import {
  FILE_SYSTEMS,
  appendMany,
  assertRejectsCode,
  makeBatch,
  openLog,
  readAll,
  smallConfig,
  summarize,
} from '../helpers.js';

for (const { name, make } of FILE_SYSTEMS) {
  describe(`PartitionLog lifecycle: ${name}`, () => {
    it('close writes a clean-shutdown marker; the next open skips the recovery scan', async () => {
      const made = make();
      let log = await openLog(made);
      await appendMany(log, 30, { valueBytes: 50 });
      const before = await readAll(log);
      await log.close();
      assert.ok((await made.fs.readdir(made.dir)).includes('.clean-shutdown'));
      log = await openLog(made);
      assert.equal(log.recovery.cleanShutdown, true);
      assert.equal(log.recovery.recoveredSegments, 0);
      assert.ok(
        !(await made.fs.readdir(made.dir)).includes('.clean-shutdown'),
        'the marker is consumed on open',
      );
      assert.equal(log.logEndOffset, 30);
      assert.deepEqual(await readAll(log), before);
      await log.close();
    });

    it('without a clean close the next open scans and recovers everything', async () => {
      const made = make();
      const log = await openLog(made);
      await appendMany(log, 30, { valueBytes: 50 });
      const before = await readAll(log);
      // No close(): as if the process died (page cache kept).
      const reopened = await openLog(made);
      assert.equal(reopened.recovery.cleanShutdown, false);
      assert.ok(reopened.recovery.recoveredSegments >= 1);
      assert.equal(reopened.recovery.truncated, null);
      assert.equal(reopened.logEndOffset, 30);
      assert.deepEqual(await readAll(reopened), before);
      await reopened.close();
    });

    it('refuses appends and reads after close, and close is idempotent', async () => {
      const log = await openLog(make());
      const pending = log.append(makeBatch(1));
      const closing = log.close();
      assert.equal((await pending).baseOffset, 0, 'appends queued before close are written');
      await assertRejectsCode(log.append(makeBatch(1)), 'STORAGE_CLOSED');
      await closing;
      await log.close();
      await assertRejectsCode(log.read(0, 100, 1), 'STORAGE_CLOSED');
      await assertRejectsCode(log.truncateTo(0), 'STORAGE_CLOSED');
    });

    it('persists leader epochs across reopen', async () => {
      const made = make();
      let log = await openLog(made);
      await log.append(makeBatch(2), { partitionLeaderEpoch: 0 });
      await log.leaderEpochs.assign(3, 2);
      await log.append(makeBatch(2), { partitionLeaderEpoch: 3 });
      await log.close();
      const checkpoint = (
        await made.fs.readFile(join(made.dir, 'leader-epoch-checkpoint'))
      ).toString();
      assert.equal(checkpoint, '0\n2\n0 0\n3 2\n');
      log = await openLog(made);
      assert.deepEqual(log.leaderEpochs.entries(), [
        { epoch: 0, startOffset: 0 },
        { epoch: 3, startOffset: 2 },
      ]);
      assert.deepEqual(log.leaderEpochs.endOffsetFor(0), { epoch: 0, endOffset: 2 });
      assert.deepEqual(log.leaderEpochs.endOffsetFor(3), { epoch: 3, endOffset: 4 });
      await log.close();
    });

    it('recovery re-derives leader epochs from batches when the checkpoint lags', async () => {
      const made = make();
      const log = await openLog(made);
      await log.append(makeBatch(2), { partitionLeaderEpoch: 1 });
      await made.fs.unlink(join(made.dir, 'leader-epoch-checkpoint'));
      const reopened = await openLog(made);
      assert.deepEqual(reopened.leaderEpochs.entries(), [{ epoch: 1, startOffset: 0 }]);
      await reopened.close();
    });

    it('stores producer snapshots at the log end and returns the newest', async () => {
      const made = make();
      let log = await openLog(made);
      assert.equal(await log.readProducerSnapshot(), null);
      await appendMany(log, 3);
      await log.writeProducerSnapshot(Buffer.from('first'));
      await appendMany(log, 2);
      await log.writeProducerSnapshot(Buffer.from('second'));
      await log.close();
      log = await openLog(made);
      assert.deepEqual(await log.readProducerSnapshot(), Buffer.from('second'));
      assert.deepEqual(await log.latestProducerSnapshot(), {
        offset: 5,
        data: Buffer.from('second'),
      });
      assert.ok((await made.fs.readdir(made.dir)).includes('00000000000000000003.snapshot'));
      await log.close();
    });

    it('flush() fsyncs and keeps working', async () => {
      const log = await openLog(make());
      await appendMany(log, 5);
      await log.flush();
      await appendMany(log, 5);
      assert.equal(log.logEndOffset, 10);
      await log.close();
    });

    it('delete() removes the directory', async () => {
      const made = make();
      const log = await openLog(made);
      await appendMany(log, 5);
      await log.delete();
      assert.equal(await made.fs.stat(made.dir), null);
      await assertRejectsCode(log.append(makeBatch(1)), 'STORAGE_CLOSED');
    });

    it('refuses to open over a corrupt checkpoint, naming it', async () => {
      const made = make();
      const log = await openLog(made);
      await log.close();
      await made.fs.writeFileAtomic(
        join(made.dir, 'log-start-offset-checkpoint'),
        Buffer.from('0\n1\nx\n'),
      );
      await assertRejectsCode(openLog(made), 'STORAGE_CORRUPT_CHECKPOINT');
    });

    it('removes leftover temporary files and orphaned index files on open', async () => {
      const made = make();
      let log = await openLog(made);
      await appendMany(log, 3);
      await log.close();
      await made.fs.writeFileAtomic(
        join(made.dir, 'leader-epoch-checkpoint.1.tmp'),
        Buffer.from('x'),
      );
      await made.fs.writeFileAtomic(join(made.dir, '00000000000000000099.index'), Buffer.alloc(8));
      log = await openLog(made);
      const names = await made.fs.readdir(made.dir);
      assert.ok(
        !names.some((n) => n.endsWith('.tmp') || n.startsWith('00000000000000000099')),
        names.join(),
      );
      await log.close();
    });
  });
}

describe('PartitionLog file handles', () => {
  it('an active segment whose handle was evicted keeps appending (its indexes stay)', async () => {
    const fs = new FaultInjectingFileSystem();
    const pool = new FileHandlePool(fs, 1);
    const open = (p: number): Promise<PartitionLog> =>
      PartitionLog.open({ fs, dir: `/data/t-${p}`, config: smallConfig(), filePool: pool });
    const first = await open(0);
    await appendMany(first, 20, { valueBytes: 50 });
    await first.flush(); // the indexes are now clean: nothing in memory that is not on disk
    const second = await open(1);
    await appendMany(second, 5);
    assert.ok(pool.openCount <= 1);
    await appendMany(first, 20, { valueBytes: 50 });
    await second.truncateTo(2);
    await appendMany(first, 20, { valueBytes: 50 });
    assert.equal(first.logEndOffset, 60);
    assert.equal((await readAll(first)).length, 60);
    for (let offset = 0; offset < 60; offset += 7) {
      assert.equal(summarize((await first.read(offset, 1, 60)).records)[0].baseOffset, offset);
    }
    await first.close();
    await second.close();
  });

  it('keeps at most maxOpen segment files open across many partitions', async () => {
    const fs = new FaultInjectingFileSystem();
    const pool = new FileHandlePool(fs, 16);
    const logs: PartitionLog[] = [];
    for (let p = 0; p < 200; p++) {
      logs.push(
        await PartitionLog.open({
          fs,
          dir: `/data/t-${p}`,
          config: smallConfig({ segmentBytes: 300 }),
          filePool: pool,
        }),
      );
    }
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        logs.map((log, p) => log.append(makeBatch(1, { tag: `p${p}r${round}`, valueBytes: 100 }))),
      );
      assert.ok(pool.openCount <= 16, `pool holds ${pool.openCount}`);
      assert.ok(fs.openFileCount <= 16 + 2, `fs has ${fs.openFileCount} open`);
    }
    for (const [p, log] of logs.entries()) {
      const batches = await readAll(log);
      assert.equal(batches.length, 3);
      assert.ok(batches[2].includes(Buffer.from(`p${p}r2`)));
    }
    assert.ok(pool.openCount <= 16);
    for (const log of logs) await log.close();
    assert.equal(fs.openFileCount, 0);
  });
});
