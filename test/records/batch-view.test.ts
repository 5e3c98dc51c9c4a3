import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CompressionType,
  RecordBatchView,
  TimestampType,
  buildRecordBatch,
  buildUncompressedRecordBatch,
  crc32c,
} from '../../src/records/index.js';
import { assertThrowsCode } from './helpers.js';

const records = [
  { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000n },
  { key: null, value: Buffer.from('v2'), timestamp: 1_700_000_000_500n },
  { value: null, headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1_699_999_999_000n },
];

function idempotentBatch(): Buffer {
  return buildUncompressedRecordBatch(records, {
    baseOffset: 42n,
    partitionLeaderEpoch: 7,
    producerId: 9_000_000_000n,
    producerEpoch: 3,
    baseSequence: 100,
    isTransactional: true,
  });
}

describe('RecordBatchView header fields', () => {
  it('reads every field of a builder-made batch', () => {
    const bytes = idempotentBatch();
    const view = new RecordBatchView(bytes);
    assert.equal(view.baseOffset, 42n);
    assert.equal(view.batchLength, bytes.length - 12);
    assert.equal(view.sizeInBytes, bytes.length);
    assert.equal(view.partitionLeaderEpoch, 7);
    assert.equal(view.magic, 2);
    assert.equal(view.crc, crc32c(bytes.subarray(21)));
    assert.equal(view.isCrcValid(), true);
    assert.equal(view.compression, CompressionType.NONE);
    assert.equal(view.timestampType, TimestampType.CREATE_TIME);
    assert.equal(view.isTransactional, true);
    assert.equal(view.isControl, false);
    assert.equal(view.hasDeleteHorizonMs, false);
    assert.equal(view.lastOffsetDelta, 2);
    assert.equal(view.lastOffset, 44n);
    assert.equal(view.baseTimestamp, 1_700_000_000_000n, 'the first record sets baseTimestamp');
    assert.equal(view.maxTimestamp, 1_700_000_000_500n);
    assert.equal(view.producerId, 9_000_000_000n);
    assert.equal(view.producerEpoch, 3);
    assert.equal(view.baseSequence, 100);
    assert.equal(view.recordCount, 3);
    assert.equal(view.records.length, bytes.length - 61);
  });

  it('reads a header laid out by hand at Kafka offsets', () => {
    const bytes = Buffer.alloc(61);
    bytes.writeBigInt64BE(-5n, 0);
    bytes.writeInt32BE(49, 8);
    bytes.writeInt32BE(-1, 12);
    bytes.writeInt8(2, 16);
    bytes.writeUInt32BE(0xdeadbeef, 17);
    bytes.writeInt16BE(0x7b, 21); // lz4 | LogAppendTime | transactional | control | deleteHorizon
    bytes.writeInt32BE(-1, 23);
    bytes.writeBigInt64BE(-1n, 27);
    bytes.writeBigInt64BE(2n ** 62n, 35);
    bytes.writeBigInt64BE(-1n, 43);
    bytes.writeInt16BE(-1, 51);
    bytes.writeInt32BE(-1, 53);
    bytes.writeInt32BE(0, 57);
    const view = new RecordBatchView(bytes);
    assert.equal(view.baseOffset, -5n);
    assert.equal(view.crc, 0xdeadbeef);
    assert.equal(view.compression, CompressionType.LZ4);
    assert.equal(view.timestampType, TimestampType.LOG_APPEND_TIME);
    assert.equal(view.isTransactional, true);
    assert.equal(view.isControl, true);
    assert.equal(view.hasDeleteHorizonMs, true);
    assert.equal(view.maxTimestamp, 2n ** 62n);
    assert.equal(view.producerId, -1n);
    assert.equal(view.producerEpoch, -1);
    assert.equal(view.recordCount, 0);
    assert.equal(view.isCrcValid(), false);
  });

  it('reports the compression codec of compressed batches', async () => {
    for (const codec of [1, 2, 3, 4] as const) {
      const view = new RecordBatchView(await buildRecordBatch(records, { compression: codec }));
      assert.equal(view.compression, codec);
      assert.equal(view.isCrcValid(), true);
    }
  });

  it('is a view: it shares memory with the buffer', () => {
    const bytes = idempotentBatch();
    const view = new RecordBatchView(bytes);
    bytes.writeInt32BE(99, 12);
    assert.equal(view.partitionLeaderEpoch, 99);
    assert.equal(view.records.buffer, bytes.buffer);
  });

  it('refuses fewer bytes than a header', () => {
    assertThrowsCode(() => new RecordBatchView(Buffer.alloc(60)), 'CORRUPT_MESSAGE');
  });

  it('cuts one batch out of a larger buffer with RecordBatchView.at', () => {
    const batch = idempotentBatch();
    const joined = Buffer.concat([Buffer.from([1, 2, 3]), batch, Buffer.from([4])]);
    const view = RecordBatchView.at(joined, 3);
    assert.equal(view.buffer.length, batch.length);
    assert.equal(view.isCrcValid(), true);
    assertThrowsCode(
      () => RecordBatchView.at(joined.subarray(0, joined.length - 2), 3),
      'CORRUPT_MESSAGE',
    );
  });

  it('does not compute a CRC over bytes it does not have', () => {
    const view = new RecordBatchView(idempotentBatch().subarray(0, 70));
    assert.equal(view.isComplete, false);
    assert.equal(view.isCrcValid(), false);
    assertThrowsCode(() => view.records, 'CORRUPT_MESSAGE');
  });
});

describe('RecordBatchView patching', () => {
  it('assigns baseOffset without touching the CRC bytes', () => {
    const bytes = idempotentBatch();
    const before = Buffer.from(bytes.subarray(8));
    const view = new RecordBatchView(bytes);
    view.setBaseOffset(1_234_567_890_123n);
    assert.equal(view.baseOffset, 1_234_567_890_123n);
    assert.equal(view.lastOffset, 1_234_567_890_125n);
    assert.deepEqual(bytes.subarray(8), before, 'only the first 8 bytes change');
    assert.equal(view.isCrcValid(), true);
  });

  it('stamps partitionLeaderEpoch without touching the CRC', () => {
    const bytes = idempotentBatch();
    const crc = new RecordBatchView(bytes).crc;
    const view = new RecordBatchView(bytes);
    view.setPartitionLeaderEpoch(12345);
    assert.equal(view.partitionLeaderEpoch, 12345);
    assert.equal(view.crc, crc);
    assert.equal(view.isCrcValid(), true);
  });

  it('sets LogAppendTime and recomputes the CRC', async () => {
    const bytes = await buildRecordBatch(records, { compression: CompressionType.ZSTD });
    const view = new RecordBatchView(bytes);
    const oldCrc = view.crc;
    view.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, 1_800_000_000_000n);
    assert.equal(view.timestampType, TimestampType.LOG_APPEND_TIME);
    assert.equal(view.maxTimestamp, 1_800_000_000_000n);
    assert.equal(view.compression, CompressionType.ZSTD, 'other attribute bits survive');
    assert.notEqual(view.crc, oldCrc);
    assert.equal(view.isCrcValid(), true);
    view.setMaxTimestamp(TimestampType.CREATE_TIME, 1_700_000_000_500n);
    assert.equal(view.crc, oldCrc, 'restoring the fields restores the CRC');
  });

  it('refuses to patch a truncated batch and leaves it untouched', () => {
    const bytes = idempotentBatch().subarray(0, 80);
    const before = Buffer.from(bytes);
    const view = new RecordBatchView(bytes);
    assertThrowsCode(
      () => view.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, 5n),
      'CORRUPT_MESSAGE',
    );
    assert.deepEqual(bytes, before);
  });
});
