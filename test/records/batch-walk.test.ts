import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildUncompressedRecordBatch,
  splitBatches,
  walkBatches,
} from '../../src/records/index.js';

function batchAt(baseOffset: bigint, count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    value: Buffer.from(`value-${baseOffset + BigInt(i)}`),
    timestamp: 1000 + i,
  }));
  return buildUncompressedRecordBatch(records, { baseOffset });
}

describe('walkBatches', () => {
  const batches = [batchAt(0n, 3), batchAt(3n, 1), batchAt(4n, 5)];
  const joined = Buffer.concat(batches);

  it('yields one zero-copy view per batch, in order', () => {
    const { batches: views, trailing } = splitBatches(joined);
    assert.deepEqual(
      views.map((view) => view.baseOffset),
      [0n, 3n, 4n],
    );
    assert.deepEqual(
      views.map((view) => view.sizeInBytes),
      batches.map((batch) => batch.length),
    );
    assert.ok(views.every((view) => view.isCrcValid() && view.buffer.buffer === joined.buffer));
    assert.equal(trailing, null);
  });

  it('reports a partial trailing batch separately, at every cut point', () => {
    const whole = batches[0].length + batches[1].length;
    for (let cut = whole + 1; cut < joined.length; cut++) {
      const { batches: views, trailing } = splitBatches(joined.subarray(0, cut));
      assert.equal(views.length, 2, `cut ${cut}`);
      assert.equal(trailing?.reason, 'truncated');
      assert.equal(trailing?.position, whole);
      assert.equal(trailing?.bytes.length, cut - whole);
    }
  });

  it('stops at a batchLength too small to be a batch', () => {
    const bad = Buffer.from(batches[2]);
    bad.writeInt32BE(10, 8);
    const { batches: views, trailing } = splitBatches(Buffer.concat([batches[0], bad]));
    assert.equal(views.length, 1);
    assert.equal(trailing?.reason, 'invalid-length');
    assert.equal(trailing?.position, batches[0].length);
  });

  it('treats a negative batchLength as invalid, not as a huge one', () => {
    const bad = Buffer.from(batches[0]);
    bad.writeInt32BE(-1, 8);
    assert.equal(splitBatches(bad).trailing?.reason, 'invalid-length');
  });

  it('yields nothing for an empty buffer', () => {
    assert.deepEqual(splitBatches(Buffer.alloc(0)), { batches: [], trailing: null });
  });

  it('is lazy: a consumer can stop after the first batch', () => {
    const walk = walkBatches(joined);
    const first = walk.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.baseOffset, 0n);
    walk.return(null);
  });
});
