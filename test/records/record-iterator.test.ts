import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  COMPRESSION_NAMES,
  CompressionType,
  INT64_MAX,
  RecordBatchView,
  RecordsError,
  TimestampType,
  buildRecordBatch,
  buildUncompressedRecordBatch,
  crc32c,
  readRecords,
  readUncompressedRecords,
  sizeOfVarint,
  writeVarint,
  type BatchRecord,
  type KafkaRecord,
} from '../../src/records/index.js';
import { assertRejectsCode, assertThrowsCode, compressibleBytes } from './helpers.js';

const CODECS = [0, 1, 2, 3, 4] as const;

/** What a decoded record should look like, for comparison with the input. */
function plain(record: KafkaRecord): BatchRecord {
  return {
    key: record.key,
    value: record.value,
    headers: record.headers,
    timestamp: record.timestamp,
  };
}

function expected(record: BatchRecord): BatchRecord {
  return {
    key: record.key ?? null,
    value: record.value,
    // fast-check builds null-prototype objects; deepEqual compares prototypes.
    headers: (record.headers ?? []).map(({ key, value }) => ({ key, value })),
    timestamp: BigInt(record.timestamp ?? 0),
  };
}

/** A batch around a hand-made records section, with a correct CRC. */
function batchAround(section: Buffer, recordCount: number, compression = 0): Buffer {
  const bytes = Buffer.alloc(61 + section.length);
  bytes.writeInt32BE(bytes.length - 12, 8);
  bytes.writeInt8(2, 16);
  bytes.writeInt16BE(compression, 21);
  bytes.writeInt32BE(recordCount - 1, 23);
  bytes.writeBigInt64BE(-1n, 43);
  bytes.writeInt32BE(recordCount, 57);
  section.copy(bytes, 61);
  bytes.writeUInt32BE(crc32c(bytes.subarray(21)), 17);
  return bytes;
}

/** Varints as bytes, for writing records by hand. */
function varints(...values: number[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    const bytes = Buffer.alloc(sizeOfVarint(value));
    writeVarint(bytes, 0, value);
    out.push(...bytes);
  }
  return out;
}

/** A well-formed record body: attributes, tsDelta 0, offsetDelta, key "k", value "v", no headers. */
function recordBody(offsetDelta: number): number[] {
  return [0, 0, ...varints(offsetDelta), ...varints(1), 0x6b, ...varints(1), 0x76, ...varints(0)];
}

function record(offsetDelta: number): number[] {
  const body = recordBody(offsetDelta);
  return [...varints(body.length), ...body];
}

const recordArbitrary: fc.Arbitrary<BatchRecord> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes))),
  value: fc.option(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes))),
  headers: fc.array(
    fc.record({
      key: fc
        .string({ unit: 'binary', maxLength: 12 })
        .map((key) => key.replace(/[\uD800-\uDFFF]/g, '')),
      value: fc.option(fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes))),
    }),
    { maxLength: 4 },
  ),
  timestamp: fc.bigInt({ min: 0n, max: 2n ** 53n }),
});

describe('readRecords', () => {
  for (const codec of CODECS) {
    it(`round-trips arbitrary records through ${COMPRESSION_NAMES[codec]}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(recordArbitrary, { minLength: 1, maxLength: 20 }),
          async (records) => {
            const bytes = await buildRecordBatch(records, {
              compression: codec,
              baseOffset: 1000n,
            });
            const decoded = [...(await readRecords(bytes))];
            assert.deepEqual(decoded.map(plain), records.map(expected));
            assert.deepEqual(
              decoded.map((r) => r.offset),
              records.map((_, i) => 1000n + BigInt(i)),
            );
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('decodes many records of a large compressed batch', async () => {
    const value = compressibleBytes(1000);
    const records = Array.from({ length: 5000 }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value,
      timestamp: i,
    }));
    for (const codec of CODECS) {
      let count = 0;
      for (const r of await readRecords(await buildRecordBatch(records, { compression: codec }))) {
        assert.equal(r.key?.toString(), `k${count}`);
        assert.equal(r.timestamp, BigInt(count));
        assert.equal(r.offset, BigInt(count));
        assert.equal(r.timestampDelta, BigInt(count));
        count++;
      }
      assert.equal(count, 5000, COMPRESSION_NAMES[codec]);
    }
  });

  it('decodes lazily, one record per next()', async () => {
    const records = Array.from({ length: 3 }, (_, i) => ({
      value: Buffer.from([i]),
      timestamp: 1,
    }));
    const bytes = buildUncompressedRecordBatch(records);
    // Break the last record: the first two still decode; the error waits for the third.
    bytes[bytes.length - 1] = 0x7f;
    const iterator = readUncompressedRecords(bytes, { verifyCrc: false });
    assert.equal(iterator.remaining, 3);
    assert.deepEqual(iterator.next().value?.value, Buffer.from([0]));
    assert.deepEqual(iterator.next().value?.value, Buffer.from([1]));
    assert.equal(iterator.remaining, 1);
    assertThrowsCode(() => iterator.next(), 'INVALID_RECORD');
    assertThrowsCode(() => iterator.next(), 'INVALID_RECORD');
  });

  it('returns zero-copy slices of an uncompressed batch', () => {
    const bytes = buildUncompressedRecordBatch([
      { key: Buffer.from('key'), value: Buffer.from('value') },
    ]);
    const [first] = readUncompressedRecords(bytes);
    assert.equal(first?.key?.buffer, bytes.buffer);
    assert.equal(first?.value?.buffer, bytes.buffer);
  });

  it('gives every record the batch maxTimestamp once LogAppendTime is set', async () => {
    const bytes = await buildRecordBatch(
      [
        { value: null, timestamp: 5 },
        { value: null, timestamp: 9 },
      ],
      { compression: CompressionType.SNAPPY },
    );
    new RecordBatchView(bytes).setMaxTimestamp(TimestampType.LOG_APPEND_TIME, 77n);
    const timestamps = [...(await readRecords(bytes))].map((r) => r.timestamp);
    assert.deepEqual(timestamps, [77n, 77n]);
  });

  it('handles timestamps at the int64 edges', async () => {
    const records = [
      { value: null, timestamp: -1n },
      { value: null, timestamp: INT64_MAX - 1n },
    ];
    const decoded = [...(await readRecords(await buildRecordBatch(records)))];
    assert.deepEqual(
      decoded.map((r) => [r.timestamp, r.timestampDelta]),
      [
        [-1n, 0n],
        [INT64_MAX - 1n, INT64_MAX],
      ],
    );
  });

  it('checks the CRC first, unless told not to', async () => {
    const bytes = buildUncompressedRecordBatch([{ value: Buffer.from('abc'), timestamp: 1 }]);
    bytes[bytes.length - 2] ^= 0x01; // inside the value
    await assertRejectsCode(readRecords(bytes), 'CORRUPT_MESSAGE');
    assert.equal([...(await readRecords(bytes, { verifyCrc: false }))].length, 1);
  });

  it('refuses batches of other magic values', async () => {
    const bytes = buildUncompressedRecordBatch([{ value: null }]);
    bytes.writeInt8(1, 16);
    await assertRejectsCode(readRecords(bytes), 'INVALID_RECORD');
  });

  it('refuses compressed batches in the synchronous reader', async () => {
    const bytes = await buildRecordBatch([{ value: null }], { compression: CompressionType.GZIP });
    assertThrowsCode(() => readUncompressedRecords(bytes), 'UNSUPPORTED_COMPRESSION_TYPE');
  });

  it('caps the decompressed size', async () => {
    const bytes = await buildRecordBatch([{ value: Buffer.alloc(4 << 20) }], {
      compression: CompressionType.ZSTD,
    });
    await assertRejectsCode(
      readRecords(bytes, { maxDecompressedBytes: 1 << 20 }),
      'MESSAGE_TOO_LARGE',
    );
  });

  it('refuses a record count the decompressed bytes cannot hold', async () => {
    const bytes = await buildRecordBatch([{ value: null }], { compression: CompressionType.LZ4 });
    bytes.writeInt32BE(1_000_000, 57);
    bytes.writeUInt32BE(new RecordBatchView(bytes).computeCrc(), 17);
    await assertRejectsCode(readRecords(bytes), 'INVALID_RECORD');
  });
});

describe('malformed records', () => {
  const cases: Array<[string, number[], number]> = [
    ['a record length past the end', [...varints(200), ...recordBody(0)], 1],
    ['a negative record length', [...varints(-3), ...recordBody(0)], 1],
    ['a record length too short for its fields', [...varints(3), ...recordBody(0)], 1],
    ['a record length longer than its fields', [...varints(9), ...recordBody(0), 0], 1],
    ['a key length below -1', [...varints(7), 0, 0, 0, ...varints(-2), 0, 0, 0], 1],
    ['a value length past the record', [...varints(7), 0, 0, 0, 1, ...varints(100), 0, 0], 1],
    ['a negative header count', [...varints(6), 0, 0, 0, 1, 1, ...varints(-1)], 1],
    ['a huge header count', [...varints(10), 0, 0, 0, 1, 1, ...varints(1_000_000_000)], 1],
    ['a null header key', [...varints(8), 0, 0, 0, 1, 1, ...varints(1), 1, 1], 1],
    [
      'an overlong varint',
      [...varints(12), 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      1,
    ],
    ['bytes after the last record', [...record(0), 0, 0, 0, 0, 0, 0, 0], 1],
    ['fewer records than declared', [...record(0), ...record(1)], 3],
  ];
  for (const [name, section, count] of cases) {
    it(`rejects ${name} with INVALID_RECORD`, () => {
      const bytes = batchAround(Buffer.from(section), count);
      assertThrowsCode(() => [...readUncompressedRecords(bytes)], 'INVALID_RECORD');
    });
  }

  it('accepts the well-formed control case of those records', () => {
    const decoded = [
      ...readUncompressedRecords(batchAround(Buffer.from([...record(0), ...record(1)]), 2)),
    ];
    assert.deepEqual(
      decoded.map((r) => [r.key?.toString(), r.value?.toString(), r.offsetDelta]),
      [
        ['k', 'v', 0],
        ['k', 'v', 1],
      ],
    );
  });

  it('fails only with RecordsError, and terminates, whatever the record bytes', () => {
    const records = [
      {
        key: Buffer.from('key'),
        value: Buffer.from('value'),
        headers: [{ key: 'h', value: null }],
      },
      { value: Buffer.from('second') },
    ];
    const section = new RecordBatchView(buildUncompressedRecordBatch(records)).records;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(section.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 0, max: 4 }),
        (flips, count) => {
          const damaged = Buffer.from(section);
          for (const [position, mask] of flips) damaged[position] ^= mask;
          try {
            let decoded = 0;
            for (const _ of readUncompressedRecords(batchAround(damaged, count))) decoded++;
            assert.equal(decoded, count);
          } catch (error) {
            assert.ok(error instanceof RecordsError, String(error));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
