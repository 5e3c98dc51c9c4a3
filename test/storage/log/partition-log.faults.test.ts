/**
 * Failures and crashes on the fault-injecting FileSystem: latched write errors, short
 * and torn writes, fsync failures, process crashes and power loss.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FaultInjectingFileSystem,
  PartitionLog,
  type AppendResult,
} from '../../../src/storage/index.js';
import {
  appendMany,
  assertRejectsCode,
  countingWrites,
  eventually,
  makeBatch,
  readAll,
  smallConfig,
  summarize,
} from '../helpers.js';

const DIR = '/data/t-0';

function open(fs: FaultInjectingFileSystem, overrides = {}): Promise<PartitionLog> {
  return PartitionLog.open({ fs, dir: DIR, config: smallConfig(overrides) });
}

describe('PartitionLog under faults', () => {
  it('a failed write latches: later appends, truncation and flush fail; reads still work', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs);
    await appendMany(log, 3);
    fs.injectFault({ op: 'writev', path: /\.log$/, error: 'ENOSPC', bytes: 20 });
    await assertRejectsCode(log.append(makeBatch(1)), 'KAFKA_STORAGE_ERROR');
    assert.equal(log.failure?.code, 'KAFKA_STORAGE_ERROR');
    assert.match(log.failure!.message, /ENOSPC/);
    await assertRejectsCode(log.append(makeBatch(1)), 'KAFKA_STORAGE_ERROR');
    await assertRejectsCode(log.truncateTo(1), 'KAFKA_STORAGE_ERROR');
    await assertRejectsCode(log.flush(), 'KAFKA_STORAGE_ERROR');
    assert.equal(log.logEndOffset, 3);
    assert.equal((await readAll(log)).length, 3);
    await log.close();
    assert.ok(!(await fs.readdir(DIR)).includes('.clean-shutdown'), 'no marker after a failure');

    const reopened = await open(fs);
    assert.equal(reopened.recovery.truncated?.bytes, 20, 'the torn prefix is cut off');
    assert.equal(reopened.logEndOffset, 3);
    assert.equal((await reopened.append(makeBatch(1))).baseOffset, 3);
    await reopened.close();
  });

  for (const writeNow of [true, false]) {
    const how = writeNow ? 'on the calling thread' : 'through the pool';
    it(`a write failing ${how} latches, after landing a prefix`, async () => {
      const fs = new FaultInjectingFileSystem({ writeNow });
      const counting = countingWrites(fs);
      const log = await PartitionLog.open({ fs: counting.fs, dir: DIR, config: smallConfig() });
      await appendMany(log, 2);
      fs.injectFault({ op: 'writev', path: /\.log$/, error: 'EIO', bytes: 10 });
      const failing = [log.append(makeBatch(1)), log.append(makeBatch(1))];
      for (const append of failing) await assertRejectsCode(append, 'KAFKA_STORAGE_ERROR');
      assert.equal(counting.writesNow(), writeNow ? 2 : 0);
      assert.match(log.failure!.message, /EIO/);
      await assertRejectsCode(log.append(makeBatch(1)), 'KAFKA_STORAGE_ERROR');
      assert.equal(counting.writes(), 2, 'nothing is written after the failure');
      assert.equal(log.logEndOffset, 2);
      await log.close();
      const reopened = await open(fs);
      assert.equal(reopened.recovery.truncated?.bytes, 10);
      assert.equal(reopened.logEndOffset, 2);
      await reopened.close();
    });
  }

  it('appends queued behind a failed write fail too, in order', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs, { segmentBytes: 1 << 20 });
    fs.injectFault({ op: 'writev', path: /\.log$/ });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => log.append(makeBatch(1))),
    );
    assert.ok(results.every((r) => r.status === 'rejected'));
    await log.close();
  });

  it('short writes are completed transparently', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs);
    fs.injectFault({ op: 'writev', path: /\.log$/, short: true, bytes: 7, times: 5 });
    await appendMany(log, 10);
    assert.equal(log.failure, null);
    assert.equal((await readAll(log)).length, 10);
    await log.close();
  });

  it('a failed fsync with fsyncOnAppend fails the append and latches', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs, { fsyncOnAppend: true });
    await log.append(makeBatch(1));
    fs.injectFault({ op: 'sync', path: /\.log$/, error: 'EIO' });
    await assertRejectsCode(log.append(makeBatch(1)), 'KAFKA_STORAGE_ERROR');
    await assertRejectsCode(log.append(makeBatch(1)), 'KAFKA_STORAGE_ERROR');
    await log.close();
  });

  it('a failure while rolling latches', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs, { segmentBytes: 200 });
    await log.append(makeBatch(1, { valueBytes: 100 }));
    fs.injectFault({ op: 'open', path: /00000000000000000001\.log$/ });
    await assertRejectsCode(log.append(makeBatch(1, { valueBytes: 100 })), 'KAFKA_STORAGE_ERROR');
    await log.close();
    const reopened = await open(fs, { segmentBytes: 200 });
    assert.equal((await reopened.append(makeBatch(1, { valueBytes: 100 }))).baseOffset, 1);
    await reopened.close();
  });

  it('a crash keeps every acknowledged append and drops the one in flight', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs);
    await appendMany(log, 5);
    const acknowledged = await readAll(log);
    const inFlight = log.append(makeBatch(1)).catch((error: unknown) => error);
    fs.crash();
    assert.equal(((await inFlight) as { code?: string }).code, 'KAFKA_STORAGE_ERROR');
    const reopened = await open(fs);
    assert.equal(reopened.logEndOffset, 5);
    assert.deepEqual(await readAll(reopened), acknowledged);
    await reopened.close();
  });

  it('with fsyncOnAppend every acknowledged append survives power loss', async () => {
    const fs = new FaultInjectingFileSystem({ seed: 3 });
    let log = await open(fs, { fsyncOnAppend: true, segmentBytes: 500 });
    const acked: AppendResult[] = [];
    for (let round = 0; round < 5; round++) {
      const pending = Array.from({ length: 8 }, (_, i) =>
        log.append(makeBatch(1, { tag: `r${round}-${i}`, valueBytes: 30 })),
      );
      acked.push(...(await Promise.all(pending)));
      log.append(makeBatch(1)).catch(() => undefined);
      fs.powerLoss();
      log = await open(fs, { fsyncOnAppend: true, segmentBytes: 500 });
      assert.ok(
        log.logEndOffset >= acked.at(-1)!.lastOffset + 1,
        `round ${round}: end ${log.logEndOffset}`,
      );
    }
    const stored = summarize(Buffer.concat(await readAll(log)));
    for (const result of acked) assert.ok(stored.some((b) => b.baseOffset === result.baseOffset));
    await log.close();
  });

  it('without fsync, power loss loses only a suffix and the log stays consistent', async () => {
    const fs = new FaultInjectingFileSystem({ seed: 5 });
    const log = await open(fs, { segmentBytes: 400 });
    await appendMany(log, 20, { valueBytes: 30 });
    await log.flush();
    await appendMany(log, 20, { valueBytes: 30 });
    fs.powerLoss();
    const reopened = await open(fs, { segmentBytes: 400 });
    assert.ok(reopened.logEndOffset >= 20, 'flushed data survives');
    const stored = summarize(Buffer.concat(await readAll(reopened)));
    stored.forEach((b, i) => assert.equal(b.baseOffset, i));
    assert.equal(stored.length, reopened.logEndOffset);
    assert.equal((await reopened.append(makeBatch(1))).baseOffset, reopened.logEndOffset - 1);
    await reopened.close();
  });

  it('flush.messages fsyncs once enough offsets were appended', async () => {
    const fs = new FaultInjectingFileSystem();
    const log = await open(fs, { flushMessages: 4, segmentBytes: 1 << 20 });
    for (let i = 0; i < 4; i++) await log.append(makeBatch(1));
    fs.powerLoss();
    const reopened = await open(fs);
    assert.equal(reopened.logEndOffset, 4);
    await reopened.close();
  });

  it('flush.ms fsyncs in the background after an append', async () => {
    const fs = new FaultInjectingFileSystem();
    const counting = countingWrites(fs);
    const log = await PartitionLog.open({
      fs: counting.fs,
      dir: DIR,
      config: smallConfig({ flushMs: 5, segmentBytes: 1 << 20 }),
    });
    await log.append(makeBatch(3));
    assert.equal(counting.syncs(), 0, 'the append itself does not fsync');
    await eventually(() => counting.syncs() > 0);
    await new Promise((resolve) => setImmediate(resolve));
    fs.powerLoss();
    const reopened = await open(fs);
    assert.equal(reopened.logEndOffset, 3);
    await reopened.close();
  });

  it('random crashes with torn writes never lose an acknowledged append', async () => {
    // Writes through the pool only: a writeNow is never in flight, so a crash cannot tear it.
    const fs = new FaultInjectingFileSystem({ seed: 11, writeNow: false });
    const acked = new Map<number, Buffer>();
    let seed = 1;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 30; round++) {
      const log = await open(fs, { segmentBytes: 700, indexIntervalBytes: 100 });
      for (const [offset, bytes] of acked) {
        const { records } = await log.read(offset, 1, log.logEndOffset);
        assert.deepEqual(
          records.subarray(0, bytes.length),
          bytes,
          `round ${round}: offset ${offset}`,
        );
      }
      const calls = Array.from({ length: 1 + random(20) }, (_, i) => {
        const batch = makeBatch(1 + random(3), {
          tag: `r${round}-${i}`,
          valueBytes: 10 + random(80),
        });
        return log.append(batch).then(
          (r) => acked.set(r.baseOffset, Buffer.from(batch)),
          () => undefined,
        );
      });
      for (let turns = random(4); turns > 0; turns--)
        await new Promise((resolve) => setImmediate(resolve));
      fs.crash({ tornWrites: true });
      await Promise.all(calls);
    }
  });
});
