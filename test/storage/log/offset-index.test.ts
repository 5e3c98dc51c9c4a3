import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffsetIndex } from '../../../src/storage/log/offset-index.js';
import { CorruptIndexError } from '../../../src/storage/log/sparse-index.js';
import { FaultInjectingFileSystem } from '../../../src/storage/index.js';

/** Entries (lastOffset, position): (104, 100), (109, 200), (120, 350) in a segment at 100. */
function sample(): OffsetIndex {
  const index = new OffsetIndex(100);
  index.append(104, 100);
  index.append(109, 200);
  index.append(120, 350);
  return index;
}

describe('OffsetIndex', () => {
  it('looks up the last entry at or below the offset, else position 0', () => {
    const index = sample();
    assert.equal(index.lookup(100), 0);
    assert.equal(index.lookup(103), 0);
    assert.equal(index.lookup(104), 100);
    assert.equal(index.lookup(108), 100);
    assert.equal(index.lookup(109), 200);
    assert.equal(index.lookup(500), 350);
    assert.deepEqual(index.lastEntry(), { offset: 120, position: 350 });
  });

  it('an empty index answers position 0 and no last entry', () => {
    const index = new OffsetIndex(7);
    assert.equal(index.lookup(7), 0);
    assert.equal(index.lastEntry(), null);
  });

  it('refuses entries out of order', () => {
    const index = sample();
    assert.throws(() => index.append(120, 400), CorruptIndexError);
    assert.throws(() => index.append(130, 350), CorruptIndexError);
  });

  it('truncates by offset and by position', () => {
    const index = sample();
    index.truncateToOffset(109);
    assert.equal(index.entryCount, 1);
    index.append(111, 300);
    index.truncateToPosition(300);
    assert.deepEqual(index.lastEntry(), { offset: 104, position: 100 });
    index.truncateToOffset(0);
    assert.equal(index.entryCount, 0);
  });

  it('grows past its initial capacity', () => {
    const index = new OffsetIndex(0);
    for (let i = 1; i <= 1000; i++) index.append(i * 10, i * 100);
    assert.equal(index.lookup(5555), 55_500);
  });

  it('persists in Kafka layout and loads back with validation', async () => {
    const fs = new FaultInjectingFileSystem();
    await fs.mkdir('/d');
    const index = sample();
    assert.equal(index.isDirty, true);
    await index.persist(fs, '/d/x.index');
    assert.equal(index.isDirty, false);
    const bytes = await fs.readFile('/d/x.index');
    assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 0, 4, 0, 0, 0, 100]);
    const loaded = OffsetIndex.load(100, bytes, 400);
    assert.equal(loaded.lookup(115), 200);
    assert.throws(
      () => OffsetIndex.load(100, bytes, 300),
      CorruptIndexError,
      'position past the log end',
    );
    assert.throws(() => OffsetIndex.load(100, bytes.subarray(0, 7), 400), CorruptIndexError);
    const unordered = Buffer.concat([bytes.subarray(8, 16), bytes.subarray(0, 8)]);
    assert.throws(() => OffsetIndex.load(100, unordered, 400), CorruptIndexError);
  });
});
