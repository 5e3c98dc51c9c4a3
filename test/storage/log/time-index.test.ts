import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeIndex, lastTimeIndexEntry } from '../../../src/storage/log/time-index.js';
import { CorruptIndexError } from '../../../src/storage/log/sparse-index.js';
import { FaultInjectingFileSystem } from '../../../src/storage/index.js';

describe('TimeIndex', () => {
  it('keeps only growing timestamps and looks up the last entry at or below', () => {
    const index = new TimeIndex(50);
    index.maybeAppend(1_000, 52);
    index.maybeAppend(900, 55);
    index.maybeAppend(1_000, 56);
    index.maybeAppend(2_000, 60);
    assert.equal(index.entryCount, 2);
    assert.equal(index.lookup(999), null);
    assert.deepEqual(index.lookup(1_000), { timestamp: 1_000, offset: 52 });
    assert.deepEqual(index.lookup(1_999), { timestamp: 1_000, offset: 52 });
    assert.deepEqual(index.lookup(5_000), { timestamp: 2_000, offset: 60 });
    assert.deepEqual(index.lastEntry(), { timestamp: 2_000, offset: 60 });
  });

  it('handles timestamps beyond 32 bits exactly', () => {
    const index = new TimeIndex(0);
    const t = 1_732_000_000_123;
    index.maybeAppend(t, 3);
    assert.deepEqual(index.lookup(t + 1), { timestamp: t, offset: 3 });
  });

  it('truncates entries at or after an offset', () => {
    const index = new TimeIndex(0);
    index.maybeAppend(10, 1);
    index.maybeAppend(20, 5);
    index.maybeAppend(30, 9);
    index.truncateToOffset(5);
    assert.deepEqual(index.lastEntry(), { timestamp: 10, offset: 1 });
  });

  it('persists, loads back and reads the last entry from a file tail', async () => {
    const fs = new FaultInjectingFileSystem();
    await fs.mkdir('/d');
    const index = new TimeIndex(100);
    index.maybeAppend(10, 101);
    index.maybeAppend(20, 150);
    await index.persist(fs, '/d/x.timeindex');
    const bytes = await fs.readFile('/d/x.timeindex');
    assert.equal(bytes.length, 24);
    assert.deepEqual(TimeIndex.load(100, bytes).lookup(15), { timestamp: 10, offset: 101 });
    assert.deepEqual(lastTimeIndexEntry(100, bytes.subarray(12)), { timestamp: 20, offset: 150 });
    assert.throws(
      () => TimeIndex.load(100, Buffer.concat([bytes.subarray(12), bytes.subarray(0, 12)])),
      CorruptIndexError,
    );
  });
});
