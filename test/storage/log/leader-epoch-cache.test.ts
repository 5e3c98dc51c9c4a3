import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaderEpochCache, type EpochEntry } from '../../../src/storage/index.js';

function cache(
  entries: EpochEntry[],
  logEndOffset = 100,
): { cache: LeaderEpochCache; writes: EpochEntry[][] } {
  const writes: EpochEntry[][] = [];
  const made = new LeaderEpochCache(
    entries,
    async (e) => void writes.push([...e]),
    () => logEndOffset,
  );
  return { cache: made, writes };
}

describe('LeaderEpochCache', () => {
  it('assigns new epochs and persists each change', async () => {
    const { cache: c, writes } = cache([]);
    assert.equal(c.latestEpoch(), -1);
    await c.assign(1, 0);
    await c.assign(1, 5);
    await c.assign(3, 20);
    assert.deepEqual(c.entries(), [
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 20 },
    ]);
    assert.equal(writes.length, 2, 'the same epoch at a later offset changes nothing');
    assert.equal(c.latestEpoch(), 3);
  });

  it('drops entries a new assignment contradicts (Kafka rule)', async () => {
    const { cache: c } = cache([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
      { epoch: 4, startOffset: 30 },
    ]);
    await c.assign(3, 20);
    assert.deepEqual(
      c.entries().map((e) => e.epoch),
      [1, 2, 3],
    );
    await c.assign(5, 5);
    assert.deepEqual(c.entries(), [
      { epoch: 1, startOffset: 0 },
      { epoch: 5, startOffset: 5 },
    ]);
  });

  it('answers endOffsetFor like OffsetForLeaderEpoch', () => {
    const { cache: c } = cache(
      [
        { epoch: 2, startOffset: 10 },
        { epoch: 4, startOffset: 30 },
        { epoch: 6, startOffset: 50 },
      ],
      70,
    );
    assert.deepEqual(c.endOffsetFor(6), { epoch: 6, endOffset: 70 });
    assert.deepEqual(c.endOffsetFor(4), { epoch: 4, endOffset: 50 });
    assert.deepEqual(c.endOffsetFor(5), { epoch: 4, endOffset: 50 });
    assert.deepEqual(c.endOffsetFor(1), { epoch: 1, endOffset: 10 });
    assert.deepEqual(c.endOffsetFor(7), { epoch: -1, endOffset: -1 });
    assert.deepEqual(c.endOffsetFor(-1), { epoch: -1, endOffset: -1 });
    assert.equal(c.epochForOffset(9), -1);
    assert.equal(c.epochForOffset(30), 4);
    assert.equal(c.epochForOffset(1000), 6);
  });

  it('truncates from the end and from the start', () => {
    const { cache: c } = cache([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
      { epoch: 3, startOffset: 20 },
    ]);
    c.truncateFromEnd(20);
    assert.deepEqual(
      c.entries().map((e) => e.epoch),
      [1, 2],
    );
    c.truncateFromStart(15);
    assert.deepEqual(c.entries(), [{ epoch: 2, startOffset: 15 }]);
    c.truncateFromStart(15);
    assert.deepEqual(c.entries(), [{ epoch: 2, startOffset: 15 }]);
    assert.equal(c.isDirty, true);
  });

  it('truncateFromStart at an epoch start keeps that epoch only', () => {
    const { cache: c } = cache([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
    ]);
    c.truncateFromStart(10);
    assert.deepEqual(c.entries(), [{ epoch: 2, startOffset: 10 }]);
  });

  it('keeps flushing after a failed write, and stays dirty until one succeeds', async () => {
    let fail = true;
    const c = new LeaderEpochCache(
      [],
      async () => {
        if (fail) throw new Error('disk full');
      },
      () => 0,
    );
    await assert.rejects(c.assign(1, 0), /disk full/);
    assert.equal(c.isDirty, true);
    fail = false;
    await c.flush();
    assert.equal(c.isDirty, false);
  });

  it('rejects invalid epochs and offsets', async () => {
    const { cache: c } = cache([]);
    await assert.rejects(c.assign(-1, 0));
    await assert.rejects(c.assign(1, -5));
  });
});
