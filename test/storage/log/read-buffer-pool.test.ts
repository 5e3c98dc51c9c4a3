/**
 * ReadBufferPool and leased log reads: size classes, reuse only after release, the cap
 * on retained bytes, and reads into leased buffers answering exactly as fresh reads do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadBufferPool } from '../../../src/storage/index.js';
import { FILE_SYSTEMS, makeBatch, openLog } from '../helpers.js';

const MiB = 1024 * 1024;

describe('ReadBufferPool', () => {
  it('lends power-of-two buffers from 64 KiB to 8 MiB and nothing outside that range', () => {
    const pool = new ReadBufferPool(64 * MiB);
    const lease = pool.lease();
    assert.equal(lease.take(1000), null, 'small reads are allocated fresh');
    assert.equal(lease.take(8 * MiB + 1), null, 'huge reads are allocated fresh');
    assert.equal(lease.take(20_000)!.length, 64 * 1024);
    assert.equal(lease.take(MiB)!.length, MiB);
    assert.equal(lease.take(MiB + 4096)!.length, 2 * MiB);
    assert.equal(pool.stats.lent, 3);
    lease.release();
    assert.deepEqual(pool.stats, {
      retainedBytes: (64 * 1024 + MiB + 2 * MiB) as number,
      lent: 0,
      readAheadBytes: 0,
      readAheadUsed: 0,
      readAheadDropped: 0,
      reused: 0,
      allocated: 3,
    });
  });

  it('reuses a buffer only after the lease holding it is released', () => {
    const pool = new ReadBufferPool(64 * MiB);
    const first = pool.lease();
    const a = first.take(MiB)!;
    const second = pool.lease();
    const b = second.take(MiB)!;
    assert.notEqual(a.buffer, b.buffer, 'a lent buffer is not lent twice');
    first.release();
    first.release(); // a second release gives nothing back twice
    const c = second.take(MiB)!;
    assert.equal(c.buffer, a.buffer, 'the released buffer is lent again');
    assert.notEqual(second.take(MiB)!.buffer, a.buffer);
    assert.equal(pool.stats.reused, 1);
  });

  it('keeps at most maxRetainedBytes of free buffers and drops the rest', () => {
    const pool = new ReadBufferPool(3 * MiB);
    const lease = pool.lease();
    for (let i = 0; i < 5; i++) lease.take(MiB);
    lease.release();
    assert.equal(pool.stats.retainedBytes, 3 * MiB);
    assert.equal(pool.stats.lent, 0);
    for (let i = 0; i < 5; i++) lease.take(MiB);
    assert.equal(pool.stats.reused, 3);
    assert.equal(pool.stats.allocated, 7);
    assert.equal(pool.stats.retainedBytes, 0);
  });
});

for (const { name, make } of FILE_SYSTEMS) {
  describe(`PartitionLog reads into leased buffers (${name})`, () => {
    it('returns the same records as a fresh read, as a slice of a leased buffer', async () => {
      const log = await openLog(make(), { segmentBytes: 4 * MiB, indexIntervalBytes: 4096 });
      for (let i = 0; i < 200; i++)
        await log.append(makeBatch(4, { tag: `b${i}`, valueBytes: 700 }));
      const pool = new ReadBufferPool(64 * MiB);
      const lease = pool.lease();
      const end = log.logEndOffset;
      for (const [from, maxBytes] of [
        [0, MiB],
        [17, 300_000],
        [401, 100_000],
        [601, MiB],
      ] as const) {
        const fresh = await log.read(from, maxBytes, end);
        const leased = await log.read(from, maxBytes, end, lease);
        assert.ok(leased.records.length > 0);
        assert.deepEqual(leased.records, fresh.records, `read(${from}, ${maxBytes})`);
        assert.equal(leased.nextOffset, fresh.nextOffset);
      }
      assert.equal(pool.stats.lent, 4, 'one buffer per read');
      lease.release();
      const again = await log.read(0, MiB, end, lease);
      assert.equal(pool.stats.reused, 1);
      assert.deepEqual(again.records, (await log.read(0, MiB, end)).records);
      lease.release();
      await log.close();
    });

    it('gives concurrent reads distinct buffers', async () => {
      const log = await openLog(make(), { segmentBytes: 4 * MiB, indexIntervalBytes: 4096 });
      for (let i = 0; i < 100; i++)
        await log.append(makeBatch(2, { tag: `c${i}`, valueBytes: 900 }));
      const pool = new ReadBufferPool(64 * MiB);
      const end = log.logEndOffset;
      const starts = [0, 20, 40, 60, 80, 100];
      const leases = starts.map(() => pool.lease());
      const reads = await Promise.all(
        starts.map((from, i) => log.read(from, 128 * 1024, end, leases[i])),
      );
      for (const [i, read] of reads.entries()) {
        assert.deepEqual(read.records, (await log.read(starts[i]!, 128 * 1024, end)).records);
      }
      assert.equal(new Set(reads.map((r) => r.records.buffer)).size, starts.length);
      for (const lease of leases) lease.release();
      await log.close();
    });
  });
}
