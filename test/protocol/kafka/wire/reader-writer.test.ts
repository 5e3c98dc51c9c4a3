import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaDecodeError } from '../../../../src/protocol/kafka/wire/decode-error.js';
import { Reader } from '../../../../src/protocol/kafka/wire/reader.js';
import { Writer } from '../../../../src/protocol/kafka/wire/writer.js';
import { ZERO_UUID, uuidToBytes } from '../../../../src/protocol/kafka/wire/uuid.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function written(write: (w: Writer) => void): string {
  const w = new Writer(4);
  write(w);
  return w.toBuffer().toString('hex');
}

describe('Writer', () => {
  it('writes unsigned varints as LEB128', () => {
    assert.equal(
      written((w) => w.uvarint(0)),
      '00',
    );
    assert.equal(
      written((w) => w.uvarint(127)),
      '7f',
    );
    assert.equal(
      written((w) => w.uvarint(128)),
      '8001',
    );
    assert.equal(
      written((w) => w.uvarint(300)),
      'ac02',
    );
    assert.equal(
      written((w) => w.uvarint(0xffffffff)),
      'ffffffff0f',
    );
    assert.throws(() => written((w) => w.uvarint(-1)), RangeError);
  });

  it('writes classic and compact strings, bytes and arrays with Kafka null markers', () => {
    assert.equal(
      written((w) => w.string('abc')),
      '0003616263',
    );
    assert.equal(
      written((w) => w.nullableString(null)),
      'ffff',
    );
    assert.equal(
      written((w) => w.compactString('abc')),
      '04616263',
    );
    assert.equal(
      written((w) => w.compactNullableString(null)),
      '00',
    );
    assert.equal(
      written((w) => w.bytes(Buffer.from([1, 2]))),
      '000000020102',
    );
    assert.equal(
      written((w) => w.nullableBytes(null)),
      'ffffffff',
    );
    assert.equal(
      written((w) => w.compactBytes(Buffer.alloc(0))),
      '01',
    );
    assert.equal(
      written((w) => w.arrayLength(null, false)),
      'ffffffff',
    );
    assert.equal(
      written((w) => w.arrayLength(null, true)),
      '00',
    );
    assert.equal(
      written((w) => w.arrayLength(2, true)),
      '03',
    );
    assert.equal(
      written((w) => w.string('é')),
      '0002c3a9',
    );
  });

  it('writes fixed-width integers big-endian', () => {
    assert.equal(
      written((w) => w.int16(-2)),
      'fffe',
    );
    assert.equal(
      written((w) => w.uint16(65535)),
      'ffff',
    );
    assert.equal(
      written((w) => w.uint32(0xdeadbeef)),
      'deadbeef',
    );
    assert.equal(
      written((w) => w.int64(-1n)),
      'ffffffffffffffff',
    );
    assert.equal(
      written((w) => w.float64(1.5)),
      '3ff8000000000000',
    );
  });

  it('references large byte fields instead of copying them', () => {
    const records = Buffer.alloc(64 * 1024, 7);
    const w = new Writer();
    w.int32(1);
    w.bytes(records);
    w.int8(9);
    const chunks = w.chunks();
    assert.ok(chunks.includes(records), 'the records buffer itself is one of the chunks');
    assert.equal(Buffer.concat(chunks).length, 4 + 4 + records.length + 1);
  });

  it('grows its scratch buffer across many small writes', () => {
    const w = new Writer(2);
    for (let i = 0; i < 1000; i++) w.int32(i);
    const out = w.toBuffer();
    assert.equal(out.length, 4000);
    assert.equal(out.readInt32BE(3996), 999);
  });
});

describe('Reader', () => {
  it('reads what the writer wrote', () => {
    const w = new Writer();
    w.int8(-5);
    w.int64(2n ** 62n);
    w.compactNullableString('weir');
    w.nullableString(null);
    w.uuid('AQIDBAUGBwgJCgsMDQ4PEA');
    w.bool(true);
    const r = new Reader(w.toBuffer());
    assert.equal(r.int8(), -5);
    assert.equal(r.int64(), 2n ** 62n);
    assert.equal(r.compactNullableString(), 'weir');
    assert.equal(r.nullableString(), null);
    assert.equal(r.uuid(), 'AQIDBAUGBwgJCgsMDQ4PEA');
    assert.equal(r.bool(), true);
    assert.equal(r.remaining, 0);
  });

  it('returns byte fields as slices of the frame, not copies', () => {
    const frame = hex('00000003 010203');
    const bytes = new Reader(frame).bytes();
    assert.equal(bytes.buffer, frame.buffer);
    assert.deepEqual([...bytes], [1, 2, 3]);
  });

  it('fails fast on lengths that run past the frame', () => {
    assert.throws(() => new Reader(hex('7fff 61')).string(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('7fffffff 00')).bytes(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('ffffffff0f')).compactBytes(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('7fffffff')).arrayLength(false, 1), KafkaDecodeError);
    assert.throws(() => new Reader(hex('00000002 00')).arrayLength(false, 4), KafkaDecodeError);
  });

  it('rejects null where the field is not nullable, and other negative lengths', () => {
    assert.throws(() => new Reader(hex('ffff')).string(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('00')).compactString(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('fffe')).nullableString(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('fffffffe')).arrayLength(false, 1), KafkaDecodeError);
  });

  it('rejects varints longer than five bytes and invalid UTF-8', () => {
    assert.throws(() => new Reader(hex('ffffffffff01')).uvarint(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('ffffffff1f')).uvarint(), KafkaDecodeError);
    assert.throws(() => new Reader(hex('0002 c328')).string(), KafkaDecodeError);
  });

  it('reports where decoding stopped', () => {
    const r = new Reader(hex('0001 00'));
    r.int16();
    r.int8();
    assert.throws(
      () => r.int32(),
      (error: unknown) => error instanceof KafkaDecodeError && error.position === 3,
    );
  });
});

describe('UUID', () => {
  it('uses the all-zero id as "none" and rejects malformed ids', () => {
    assert.deepEqual([...uuidToBytes(ZERO_UUID)], new Array(16).fill(0));
    assert.throws(() => uuidToBytes('short'), RangeError);
  });
});
