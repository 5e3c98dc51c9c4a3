import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteReader } from '../../src/records/byte-reader.js';
import {
  INT64_MAX,
  INT64_MIN,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  zigzagDecode32,
  zigzagEncode32,
} from '../../src/records/index.js';
import { assertThrowsCode } from './helpers.js';

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

function encodeVarint(value: number): Buffer {
  const buffer = Buffer.alloc(sizeOfVarint(value));
  assert.equal(writeVarint(buffer, 0, value), buffer.length);
  return buffer;
}

function encodeVarlong(value: bigint): Buffer {
  const buffer = Buffer.alloc(sizeOfVarlong(value));
  assert.equal(writeVarlong(buffer, 0, value), buffer.length);
  return buffer;
}

function reader(bytes: number[] | Buffer): ByteReader {
  const buffer = Buffer.from(bytes);
  return new ByteReader(buffer, 0, buffer.length);
}

describe('zigzag varint (int32)', () => {
  // Expected bytes follow Kafka's ByteUtils (zigzag then LEB128).
  const cases: Array<[number, string]> = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [63, '7e'],
    [64, '8001'],
    [-65, '8101'],
    [300, 'd804'],
    [INT32_MAX, 'feffffff0f'],
    [INT32_MIN, 'ffffffff0f'],
  ];
  for (const [value, hex] of cases) {
    it(`encodes ${value} as ${hex} and back`, () => {
      assert.equal(encodeVarint(value).toString('hex'), hex);
      const r = reader(Buffer.from(hex, 'hex'));
      assert.equal(r.readVarint(), value);
      assert.equal(r.remaining, 0);
    });
  }

  it('zigzag maps small magnitudes of both signs to small numbers', () => {
    assert.deepEqual([0, -1, 1, -2, 2].map(zigzagEncode32), [0, 1, 2, 3, 4]);
    assert.equal(zigzagEncode32(INT32_MIN), 0xffffffff);
    assert.equal(zigzagDecode32(0xffffffff), INT32_MIN);
  });

  it('round-trips every int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: INT32_MIN, max: INT32_MAX }), (value) => {
        const r = reader(encodeVarint(value));
        assert.equal(r.readVarint(), value);
        assert.equal(r.remaining, 0);
      }),
    );
  });

  it('rejects a varint longer than 5 bytes', () => {
    assertThrowsCode(
      () => reader([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).readVarint(),
      'INVALID_RECORD',
    );
  });

  it('rejects a truncated varint', () => {
    assertThrowsCode(() => reader([0x80, 0x80]).readVarint(), 'INVALID_RECORD');
    assertThrowsCode(() => reader([]).readVarint(), 'INVALID_RECORD');
  });
});

describe('zigzag varlong (int64)', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '00'],
    [-1n, '01'],
    [1n, '02'],
    [1_700_000_000_000n, '80a0abfef962'],
    [2n ** 52n, '8080808080808010'],
    [-(2n ** 52n), 'ffffffffffffff0f'],
    [INT64_MAX, 'feffffffffffffffff01'],
    [INT64_MIN, 'ffffffffffffffffff01'],
  ];
  for (const [value, hex] of cases) {
    it(`encodes ${value} as ${hex} and back`, () => {
      assert.equal(encodeVarlong(value).toString('hex'), hex);
      const r = reader(Buffer.from(hex, 'hex'));
      assert.equal(r.readVarlong(), value);
      assert.equal(r.remaining, 0);
    });
  }

  it('round-trips every int64, across the fast and bigint paths', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (value) => {
        const r = reader(encodeVarlong(value));
        assert.equal(r.readVarlong(), value);
        assert.equal(r.remaining, 0);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }), (value) => {
        assert.equal(reader(encodeVarlong(value)).readVarlong(), value);
      }),
    );
  });

  it('reads compactly: a number up to 7 bytes (below 2^48), a bigint beyond', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (value) => {
        const bytes = encodeVarlong(value);
        const compact = reader(bytes).readVarlongCompact();
        assert.equal(typeof compact, bytes.length <= 7 ? 'number' : 'bigint');
        assert.equal(BigInt(compact), value);
      }),
    );
  });

  it('sizes every encoding like the writer does', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (value) => {
        const bytes = Buffer.alloc(10);
        assert.equal(writeVarlong(bytes, 0, value), sizeOfVarlong(value));
      }),
    );
  });

  it('rejects a varlong longer than 10 bytes', () => {
    const tooLong = [...Array<number>(10).fill(0xff), 0x01];
    assertThrowsCode(() => reader(tooLong).readVarlong(), 'INVALID_RECORD');
  });

  it('rejects a truncated varlong in either path', () => {
    assertThrowsCode(() => reader([0x80, 0x80, 0x80]).readVarlong(), 'INVALID_RECORD');
    assertThrowsCode(() => reader(Array<number>(9).fill(0x80)).readVarlong(), 'INVALID_RECORD');
  });
});

describe('ByteReader', () => {
  it('never reads past its end, even when the buffer goes on', () => {
    const buffer = Buffer.from([0x02, 0x04, 0x06, 0x08]);
    const r = new ByteReader(buffer, 1, 2);
    assert.equal(r.readVarint(), 2);
    assertThrowsCode(() => r.readVarint(), 'INVALID_RECORD');
  });

  it('returns zero-copy slices and rejects lengths past the end', () => {
    const buffer = Buffer.from([0x06, 1, 2, 3, 0x08, 1]);
    const r = new ByteReader(buffer, 0, buffer.length);
    const slice = r.readNullableBytes('key');
    assert.deepEqual(slice, Buffer.from([1, 2, 3]));
    assert.equal(slice?.buffer, buffer.buffer);
    assertThrowsCode(() => r.readNullableBytes('value'), 'INVALID_RECORD');
  });

  it('reads -1 as null and rejects lengths below -1', () => {
    assert.equal(reader([0x01]).readNullableBytes('key'), null);
    assertThrowsCode(() => reader([0x03]).readNullableBytes('key'), 'INVALID_RECORD');
  });
});
