/**
 * FetchBufferPool and releasePolled: buffers come back only when every partition holding
 * records in them has had those records polled, and the pool keeps a bounded free list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FetchBufferPool,
  releasePolled,
  type ResponseBufferHold,
  type ResponseBufferUse,
} from '../../../src/cli/client/fetch-buffers.js';

describe('FetchBufferPool', () => {
  it('recycles a free buffer that is large enough, and allocates otherwise', () => {
    const pool = new FetchBufferPool(2);
    const a = pool.take(1000);
    assert.ok(a.length >= 1000);
    pool.recycle(a);
    assert.equal(pool.take(900), a, 'a free buffer large enough is reused');
    pool.recycle(a);
    const big = pool.take(a.length + 1);
    assert.notEqual(big, a, 'a larger request gets a new buffer');
    assert.equal(pool.take(10), a, 'the smaller free buffer is still there');
  });

  it('keeps at most maxFree buffers', () => {
    const pool = new FetchBufferPool(1);
    const a = pool.take(10);
    const b = pool.take(10);
    pool.recycle(a);
    pool.recycle(b);
    assert.equal(pool.take(10), a);
    assert.notEqual(pool.take(10), b, 'b was dropped, not kept');
  });
});

describe('releasePolled', () => {
  it('recycles a buffer once every partition holding it has polled past its records', () => {
    const pool = new FetchBufferPool();
    const buffer = pool.take(100);
    const use: ResponseBufferUse = { buffer, holders: 2 };
    const first: ResponseBufferHold[] = [{ use, end: 10 }];
    const second: ResponseBufferHold[] = [{ use, end: 3 }];
    releasePolled(first, 9, pool);
    releasePolled(second, 3, pool);
    assert.equal(use.holders, 1);
    assert.notEqual(pool.take(100), buffer, 'still held by the first partition');
    releasePolled(first, 10, pool);
    assert.equal(use.holders, 0);
    assert.deepEqual(first, []);
    assert.equal(pool.take(100), buffer, 'recycled');
  });

  it('releases holds in order and stops at the first one still needed', () => {
    const pool = new FetchBufferPool();
    const uses = [0, 1, 2].map(() => ({ buffer: pool.take(10), holders: 1 }));
    const holds: ResponseBufferHold[] = uses.map((use, i) => ({ use, end: (i + 1) * 5 }));
    releasePolled(holds, 12, pool);
    assert.deepEqual(
      uses.map((u) => u.holders),
      [0, 0, 1],
    );
    assert.equal(holds.length, 1);
  });
});
