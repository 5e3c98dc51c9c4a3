import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  magicAt,
  readInt32,
  readInt64,
  writeInt32,
  writeInt64,
} from '../../../src/storage/log/batch-header.js';

describe('batch-header byte helpers', () => {
  it('agree with Buffer for int64 values that are safe integers', () => {
    const values = [
      0,
      1,
      -1,
      255,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 32,
      2 ** 32 - 1,
      1_700_000_000_123,
      -1_700_000_000_123,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    const buffer = Buffer.alloc(11);
    for (const value of values) {
      writeInt64(buffer, value, 3);
      assert.equal(buffer.readBigInt64BE(3), BigInt(value), `write ${value}`);
      assert.equal(readInt64(buffer, 3), value, `read ${value}`);
    }
  });

  it('agree with Buffer for int32 values', () => {
    const buffer = Buffer.alloc(6);
    for (const value of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321]) {
      writeInt32(buffer, value, 1);
      assert.equal(buffer.readInt32BE(1), value);
      assert.equal(readInt32(buffer, 1), value);
    }
  });

  it('reads magic as a signed byte', () => {
    const buffer = Buffer.alloc(20);
    buffer[16] = 2;
    assert.equal(magicAt(buffer, 0), 2);
    buffer[16] = 0xff;
    assert.equal(magicAt(buffer, 0), -1);
  });
});
