import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CompressionType,
  KAFKA_ERROR_CODE,
  RecordBatchView,
  buildRecordBatch,
  buildUncompressedRecordBatch,
  validateProducedBatch,
  type BatchOptions,
  type BatchValidation,
  type RecordsErrorCode,
} from '../../src/records/index.js';

const records = [
  { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 10 },
  { key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 11 },
];

function batch(options: BatchOptions = {}): Buffer {
  return buildUncompressedRecordBatch(records, options);
}

/** Rewrites the stored CRC so a test reaches the check after the CRC. */
function fixCrc(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(new RecordBatchView(bytes).computeCrc(), 17);
  return bytes;
}

function assertFails(result: BatchValidation, code: RecordsErrorCode): void {
  assert.equal(result.ok, false, 'expected a failure');
  if (!result.ok) assert.equal(result.code, code, result.message);
}

describe('validateProducedBatch', () => {
  it('accepts a well-formed batch and returns a view over it', async () => {
    for (const compression of [0, 1, 2, 3, 4] as const) {
      const bytes = await buildRecordBatch(records, { compression });
      const result = validateProducedBatch(bytes);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal(result.batch.buffer, bytes);
    }
  });

  it('accepts an idempotent, transactional batch', () => {
    const bytes = batch({
      producerId: 5n,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: true,
    });
    assert.equal(validateProducedBatch(bytes).ok, true);
  });

  it('rejects wrong magic with INVALID_RECORD, as Kafka does for produce v3+', () => {
    for (const magic of [0, 1, 3, -1]) {
      const bytes = batch();
      bytes.writeInt8(magic, 16);
      assertFails(validateProducedBatch(bytes), 'INVALID_RECORD');
    }
  });

  it('rejects truncated input at every length with CORRUPT_MESSAGE', () => {
    const bytes = batch();
    for (let length = 0; length < bytes.length; length++) {
      assertFails(validateProducedBatch(bytes.subarray(0, length)), 'CORRUPT_MESSAGE');
    }
  });

  it('rejects a batchLength that disagrees with the bytes', () => {
    for (const delta of [1, 1000, -1000, -(2 ** 31)]) {
      const bytes = batch();
      bytes.writeInt32BE(Math.max(-(2 ** 31), bytes.length - 12 + delta), 8);
      assertFails(validateProducedBatch(bytes), 'CORRUPT_MESSAGE');
    }
  });

  it('rejects a second batch after the first', () => {
    assertFails(validateProducedBatch(Buffer.concat([batch(), batch()])), 'INVALID_RECORD');
  });

  it('rejects a CRC mismatch anywhere in attributes..end', () => {
    const pristine = batch();
    for (let position = 17; position < pristine.length; position++) {
      const bytes = Buffer.from(pristine);
      bytes[position] ^= 0x10;
      assertFails(validateProducedBatch(bytes), 'CORRUPT_MESSAGE');
    }
  });

  it('rejects an unknown compression codec', () => {
    for (const codec of [5, 6, 7]) {
      const bytes = batch();
      bytes.writeInt16BE(codec, 21);
      assertFails(validateProducedBatch(fixCrc(bytes)), 'UNSUPPORTED_COMPRESSION_TYPE');
    }
  });

  it('rejects a record count inconsistent with lastOffsetDelta', () => {
    const bytes = batch();
    bytes.writeInt32BE(5, 23); // lastOffsetDelta 5 with 2 records
    assertFails(validateProducedBatch(fixCrc(bytes)), 'INVALID_RECORD');
  });

  it('rejects a zero or negative record count', () => {
    for (const [count, delta] of [
      [0, -1],
      [-5, -6],
    ]) {
      const bytes = batch();
      bytes.writeInt32BE(count, 57);
      bytes.writeInt32BE(delta, 23);
      assertFails(validateProducedBatch(fixCrc(bytes)), 'INVALID_RECORD');
    }
  });

  it('rejects a record count the bytes cannot hold', () => {
    const bytes = batch();
    bytes.writeInt32BE(1_000_000, 57);
    bytes.writeInt32BE(999_999, 23);
    assertFails(validateProducedBatch(fixCrc(bytes), { origin: 'internal' }), 'CORRUPT_MESSAGE');
  });

  it('rejects control batches from clients but not from the broker itself', () => {
    const bytes = batch({
      isControl: true,
      isTransactional: true,
      producerId: 1n,
      baseSequence: 0,
    });
    assertFails(validateProducedBatch(bytes), 'INVALID_RECORD');
    assert.equal(validateProducedBatch(bytes, { origin: 'internal' }).ok, true);
  });

  it('rejects an idempotent batch without a sequence', () => {
    assertFails(
      validateProducedBatch(batch({ producerId: 7n, baseSequence: -1 })),
      'INVALID_RECORD',
    );
  });

  it('enforces max.message.bytes with MESSAGE_TOO_LARGE', () => {
    const bytes = batch();
    assertFails(
      validateProducedBatch(bytes, { maxBatchBytes: bytes.length - 1 }),
      'MESSAGE_TOO_LARGE',
    );
    assert.equal(validateProducedBatch(bytes, { maxBatchBytes: bytes.length }).ok, true);
  });

  it('maps every failure code to a Kafka error code', () => {
    assert.deepEqual(KAFKA_ERROR_CODE, {
      CORRUPT_MESSAGE: 2,
      MESSAGE_TOO_LARGE: 10,
      UNSUPPORTED_COMPRESSION_TYPE: 76,
      INVALID_RECORD: 87,
    });
  });

  it('never throws, whatever the bytes', () => {
    const pristine = batch({ compression: CompressionType.NONE });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(pristine.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(pristine.length),
        (flips, length) => {
          const bytes = Buffer.from(pristine);
          for (const [position, mask] of flips) bytes[position] ^= mask;
          const result = validateProducedBatch(bytes.subarray(0, length));
          if (!result.ok) assert.ok(result.code in KAFKA_ERROR_CODE);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
