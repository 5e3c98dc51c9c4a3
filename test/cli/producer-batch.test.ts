/**
 * The producer's in-place batch encoder, checked against the records package's own
 * builder (byte for byte), its validator (the rules a broker applies) and its reader.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BufferPool,
  ProducerBatch,
  sizeInBatch,
  type AppendableRecord,
} from '../../src/cli/client/producer-batch.js';
import {
  CompressionType,
  RECORDS_OFFSET,
  buildUncompressedRecordBatch,
  readRecords,
  validateProducedBatch,
} from '../../src/records/index.js';

interface Input extends AppendableRecord {
  timestamp: number;
}

const NOW = 1_764_000_000_000;

/** Keys, null values, headers (UTF-8 keys, null values), timestamps before and after the first. */
function varied(count: number): Input[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 4 ? null : Buffer.alloc(i * 37, i),
    headers: i % 2 === 0 ? [] : [{ key: `hé-${i}`, value: i % 4 === 1 ? null : Buffer.from('v') }],
    timestamp: NOW + (i % 7 === 6 ? -1000 : i * 100_000),
  }));
}

function fill(batch: ProducerBatch, records: Input[]): number {
  let appended = 0;
  for (const record of records) {
    if (batch.tryAppend(record, record.timestamp, appended) === 0) break;
    appended++;
  }
  return appended;
}

describe('ProducerBatch', () => {
  it('encodes the same bytes as buildUncompressedRecordBatch, valid for a broker', () => {
    const records = varied(40);
    const pool = new BufferPool(1 << 20, 4);
    const batch = new ProducerBatch('t', 0, pool, sizeInBatch(records[0]!, 0, 0), 0, true);
    assert.equal(fill(batch, records), records.length);
    batch.close(CompressionType.NONE);
    const expected = buildUncompressedRecordBatch(records);
    assert.deepEqual(batch.bytes, expected);
    assert.ok(validateProducedBatch(batch.bytes!).ok);
    assert.equal(batch.recordBytes, expected.length - RECORDS_OFFSET);
    assert.deepEqual(
      batch.tags,
      records.map((_, i) => i),
    );
  });

  it('timestamp deltas beyond 32 bits and large values use longer varints', () => {
    const records: Input[] = [
      { value: Buffer.alloc(300_000, 1), timestamp: 0 },
      { value: Buffer.from('x'), timestamp: NOW },
      { key: Buffer.alloc(20_000), value: null, timestamp: 2 ** 40 },
    ];
    const batch = new ProducerBatch('t', 0, new BufferPool(16_384, 1), 400_000, 0, false);
    assert.equal(fill(batch, records), 3);
    batch.close(CompressionType.NONE);
    assert.deepEqual(batch.bytes, buildUncompressedRecordBatch(records));
  });

  it('stops at batch.size; a first record larger than batch.size gets a batch of its own', () => {
    const pool = new BufferPool(1024, 2);
    const value = Buffer.alloc(300);
    const batch = new ProducerBatch('t', 0, pool, sizeInBatch({ value }, 0, 0), 0, false);
    let fitted = 0;
    while (batch.tryAppend({ value }, NOW, NaN) > 0) fitted++;
    assert.equal(fitted, 3); // 61 + 3 × 309 = 988; a fourth would need 1297
    assert.ok(batch.remaining < 309);
    const big = { value: Buffer.alloc(5000) };
    const alone = new ProducerBatch('t', 0, pool, sizeInBatch(big, 0, 0), 0, false);
    assert.ok(alone.tryAppend(big, NOW, NaN) > 0);
    assert.equal(alone.remaining, 0);
    alone.close(CompressionType.NONE);
    assert.ok(validateProducedBatch(alone.bytes!).ok);
  });

  it('compresses the records section and reads back', async () => {
    const records = varied(25);
    for (const compression of [CompressionType.GZIP, CompressionType.LZ4, CompressionType.ZSTD]) {
      const batch = new ProducerBatch('t', 0, new BufferPool(1 << 16, 1), 100, 0, false);
      assert.equal(fill(batch, records), records.length);
      await batch.close(compression);
      assert.ok(validateProducedBatch(batch.bytes!).ok);
      const read = [...(await readRecords(batch.bytes!))];
      assert.deepEqual(
        read.map((r) => [r.key, r.value, r.timestamp, r.headers]),
        records.map((r) => [r.key ?? null, r.value, BigInt(r.timestamp), r.headers ?? []]),
      );
    }
  });

  it('gives its buffer back to the pool, which hands it to the next batch', () => {
    const pool = new BufferPool(4096, 1);
    const first = new ProducerBatch('t', 0, pool, 10, 0, false);
    first.tryAppend({ value: Buffer.from('a') }, NOW, NaN);
    first.close(CompressionType.NONE);
    const buffer = first.bytes!.buffer;
    first.release();
    assert.equal(pool.freeCount, 1);
    const second = new ProducerBatch('t', 0, pool, 10, 0, false);
    second.tryAppend({ value: Buffer.from('b') }, NOW, NaN);
    second.close(CompressionType.NONE);
    assert.equal(second.bytes!.buffer, buffer);
    assert.equal(pool.freeCount, 0);
    pool.release(Buffer.alloc(100)); // another size: not pooled
    assert.equal(pool.freeCount, 0);
  });
});
