/**
 * Fetch read-ahead: a sequential leased reader finds its next window already read; the
 * answers never differ from fresh reads, also across truncation and segment deletion;
 * read-ahead stays within the pool's budget and is dropped on close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadBufferPool, type PartitionLog } from '../../../src/storage/index.js';
import { FILE_SYSTEMS, countingWrites, eventually, makeBatch, openLog } from '../helpers.js';

const MiB = 1024 * 1024;
const WINDOW = 64 * 1024;

async function fill(log: PartitionLog, batches: number, tag: string): Promise<void> {
  for (let i = 0; i < batches; i++)
    await log.append(makeBatch(4, { tag: `${tag}${i}`, valueBytes: 700 }));
}

/** Reads from `from` to the log end, `WINDOW` bytes at a time, with `pool`'s leases. */
async function scan(log: PartitionLog, pool: ReadBufferPool, from = 0): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const lease = pool.lease();
    const read = await log.read(offset, WINDOW, log.logEndOffset, lease);
    out.push(Buffer.from(read.records));
    lease.release();
    offset = read.nextOffset;
  }
  return out;
}

for (const { name, make } of FILE_SYSTEMS) {
  describe(`Fetch read-ahead (${name})`, () => {
    it('serves a sequential reader from the window read ahead, with the same answers', async () => {
      const made = make();
      const counting = countingWrites(made.fs);
      const log = await openLog(
        { fs: counting.fs, dir: made.dir },
        { segmentBytes: 512 * 1024, indexIntervalBytes: 4096 },
      );
      await fill(log, 600, 'a');
      const expected = await scan(log, new ReadBufferPool(64 * MiB));
      const before = counting.reads().calls;
      const plain = await scan(log, new ReadBufferPool(64 * MiB));
      const plainCalls = counting.reads().calls - before;
      const pool = new ReadBufferPool(64 * MiB, 4 * MiB);
      const start = counting.reads().calls;
      const ahead = await scan(log, pool);
      const aheadCalls = counting.reads().calls - start;
      assert.deepEqual(plain, expected);
      assert.deepEqual(ahead, expected);
      // Each window is read once: by the read-ahead instead of by the fetch (one per
      // segment end may be wasted when the next window lies in the next segment).
      assert.ok(aheadCalls <= plainCalls + log.segments().length, `${aheadCalls} vs ${plainCalls}`);
      const windows = ahead.length;
      assert.ok(
        pool.stats.readAheadUsed >= windows - 2 * log.segments().length,
        `${pool.stats.readAheadUsed} of ${windows}`,
      );
      await log.close();
      await eventually(() => pool.stats.lent === 0);
      assert.equal(pool.stats.readAheadBytes, 0, 'dropped on close');
    });

    it('drops read-ahead made stale by truncation and by segment deletion', async () => {
      const log = await openLog(make(), { segmentBytes: 512 * 1024, indexIntervalBytes: 4096 });
      await fill(log, 300, 'old');
      const pool = new ReadBufferPool(64 * MiB, 4 * MiB);
      const lease = pool.lease();
      let offset = 0;
      for (let i = 0; i < 3; i++) {
        offset = (await log.read(offset, WINDOW, log.logEndOffset, lease)).nextOffset;
      }
      assert.ok(pool.stats.readAheadBytes > 0, 'the next window is being read ahead');
      await log.truncateTo(offset + 2);
      await fill(log, 50, 'new');
      const afterTruncate = await log.read(offset, WINDOW, log.logEndOffset, lease);
      const fresh = await log.read(offset, WINDOW, log.logEndOffset);
      assert.deepEqual(afterTruncate.records, fresh.records);
      assert.equal(pool.stats.readAheadUsed, 1, 'only the second read used read-ahead');
      assert.ok(afterTruncate.records.includes(Buffer.from('new0')), 'reads the new batches');
      offset = afterTruncate.nextOffset;
      await log.read(offset, WINDOW, log.logEndOffset, lease); // reads ahead again
      await log.deleteRecordsBefore(offset);
      const afterDelete = await log.read(offset, WINDOW, log.logEndOffset, lease);
      assert.deepEqual(
        afterDelete.records,
        (await log.read(offset, WINDOW, log.logEndOffset)).records,
      );
      lease.release();
      await log.close();
      await eventually(() => pool.stats.lent === 0);
    });

    it('reads ahead for no more bytes than the budget, across logs', async () => {
      const pool = new ReadBufferPool(64 * MiB, WINDOW);
      const config = { segmentBytes: 512 * 1024, indexIntervalBytes: 4096 };
      const opened = [await openLog(make(), config), await openLog(make(), config)];
      for (const log of opened) await fill(log, 200, 'b');
      for (const log of opened) {
        const lease = pool.lease();
        let offset = 0;
        for (let i = 0; i < 3; i++) {
          offset = (await log.read(offset, WINDOW, log.logEndOffset, lease)).nextOffset;
        }
        lease.release();
      }
      assert.equal(pool.stats.readAheadBytes, WINDOW, 'one window: the second log got none');
      const off = new ReadBufferPool(64 * MiB);
      const lease = off.lease();
      await opened[0]!.read(0, WINDOW, opened[0]!.logEndOffset, lease);
      await opened[0]!.read(100, WINDOW, opened[0]!.logEndOffset, lease);
      assert.equal(off.stats.readAheadBytes, 0, 'a pool without a budget never reads ahead');
      lease.release();
      for (const log of opened) await log.close();
      await eventually(() => pool.stats.lent === 0);
    });
  });
}
