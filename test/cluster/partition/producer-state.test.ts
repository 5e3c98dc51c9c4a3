import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_CACHED_BATCHES,
  ProducerStateTable,
  type ProducerBatchInfo,
} from '../../../src/cluster/partition/producer-state.js';

const batch = (
  firstSequence: number,
  records = 1,
  epoch = 0,
  producerId = 7,
): ProducerBatchInfo => ({
  producerId,
  epoch,
  firstSequence,
  lastOffsetDelta: records - 1,
});

describe('ProducerStateTable', () => {
  it('accepts a new producer at sequence 0 and consecutive batches after it', () => {
    const table = new ProducerStateTable();
    assert.deepEqual(table.check(batch(0, 3)), { kind: 'append' });
    table.record(batch(0, 3), 100, 1);
    assert.deepEqual(table.check(batch(3, 2)), { kind: 'append' });
  });

  it('rejects a gap and a new producer not starting at 0', () => {
    const table = new ProducerStateTable();
    assert.equal(table.check(batch(5)).kind, 'error');
    table.record(batch(0, 3), 0, 1);
    const gap = table.check(batch(4));
    assert.equal(gap.kind === 'error' && gap.error, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  it('answers a retry of any of the last five batches with its original offsets', () => {
    const table = new ProducerStateTable();
    for (let i = 0; i < 7; i++) table.record(batch(i * 2, 2), 1000 + i * 2, 1);
    const retry = table.check(batch(12, 2));
    assert.equal(retry.kind, 'duplicate');
    assert.equal(retry.kind === 'duplicate' && retry.batch.firstOffset, 1012);
    // The oldest batches fell out of the cache: their retry is out of order, not a duplicate.
    assert.equal(MAX_CACHED_BATCHES, 5);
    assert.equal(table.check(batch(0, 2)).kind, 'error');
  });

  it('fences older epochs and lets a new epoch restart at 0', () => {
    const table = new ProducerStateTable();
    table.record(batch(0, 1, 3), 0, 1);
    const fenced = table.check(batch(1, 1, 2));
    assert.equal(fenced.kind === 'error' && fenced.error, 'INVALID_PRODUCER_EPOCH');
    assert.deepEqual(table.check(batch(0, 1, 4)), { kind: 'append' });
    assert.equal(table.check(batch(5, 1, 4)).kind, 'error');
  });

  it('wraps sequences at 2^31-1', () => {
    const table = new ProducerStateTable();
    table.record(batch(0), 0, 1);
    const entry = table.latest(7)!;
    entry.lastSequence = 2147483647;
    assert.deepEqual(table.check(batch(0)), { kind: 'append' });
  });

  it('survives a JSON round trip and truncation', () => {
    const table = new ProducerStateTable();
    table.record(batch(0, 2), 10, 1);
    table.record(batch(2, 2), 12, 1);
    const copy = ProducerStateTable.fromJSON(JSON.parse(JSON.stringify(table.toJSON())));
    assert.equal(copy.check(batch(2, 2)).kind, 'duplicate');
    copy.truncateFrom(12);
    assert.deepEqual(copy.check(batch(2, 2)), { kind: 'append' });
    copy.truncateFrom(0);
    assert.equal(copy.size, 0);
  });
});
