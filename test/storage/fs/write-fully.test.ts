/** writeFully: a large write goes out in calls of at most MAX_WRITE_CALL_BYTES, in any order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_WRITE_CALL_BYTES,
  splitWrite,
  writeFully,
} from '../../../src/storage/fs/file-system.js';
import { assertRejectsCode, withFakeFile } from '../helpers.js';
import { mulberry32 } from '../../helpers/prng.js';

function patterned(length: number, seed: number): Buffer {
  const rand = mulberry32(seed);
  const buffer = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buffer[i] = Math.floor(rand() * 256);
  return buffer;
}

describe('splitWrite', () => {
  it('cuts buffers into consecutive pieces of at most maxBytes, losing and adding nothing', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rand = mulberry32(seed);
      const buffers = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) =>
        patterned(Math.floor(rand() * 300), seed * 10 + i),
      );
      const maxBytes = 1 + Math.floor(rand() * 100);
      const pieces = splitWrite(buffers, maxBytes);
      let offset = 0;
      for (const piece of pieces) {
        const bytes = piece.buffers.reduce((n, b) => n + b.length, 0);
        assert.equal(piece.bytes, bytes, `seed ${seed}: a piece knows its length`);
        assert.equal(piece.offset, offset, `seed ${seed}: pieces are consecutive`);
        assert.ok(bytes <= maxBytes, `seed ${seed}: piece within maxBytes`);
        offset += bytes;
      }
      const all = Buffer.concat(pieces.flatMap((p) => p.buffers));
      assert.ok(all.equals(Buffer.concat(buffers)), `seed ${seed}: same bytes in order`);
      const full = pieces
        .slice(0, -1)
        .every((p) => p.buffers.reduce((n, b) => n + b.length, 0) === maxBytes);
      assert.ok(full, `seed ${seed}: every piece but the last is full`);
    }
  });

  it('keeps a write that fits in one call as it is', () => {
    const buffers = [Buffer.alloc(10), Buffer.alloc(20)];
    assert.deepEqual(splitWrite(buffers, 30), [{ offset: 0, buffers, bytes: 30 }]);
  });
});

describe('writeFully in several calls', () => {
  it('writes a batch larger than one call whole, at its position, through short writes', async () => {
    const { fs, handle } = await withFakeFile();
    const head = Buffer.from('head');
    await writeFully(handle, [head], 0);
    const batches = [
      patterned(MAX_WRITE_CALL_BYTES + 12345, 1),
      patterned(3 * MAX_WRITE_CALL_BYTES, 2),
    ];
    fs.injectFault({ op: 'writev', bytes: 1000, short: true, times: 5 });
    let calls = 0;
    const writev = handle.writev.bind(handle);
    let largest = 0;
    handle.writev = (buffers, position) => {
      calls++;
      largest = Math.max(
        largest,
        buffers.reduce((n, b) => n + b.length, 0),
      );
      return writev(buffers, position);
    };
    await writeFully(handle, batches, head.length);
    assert.ok(calls >= 5, `several calls (${calls})`);
    assert.ok(largest <= MAX_WRITE_CALL_BYTES, 'no call larger than MAX_WRITE_CALL_BYTES');
    const file = await fs.readFile('/d/f');
    assert.ok(file.equals(Buffer.concat([head, ...batches])));
  });

  it('rejects when one of the calls fails', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'writev', after: 2, error: 'ENOSPC' });
    await assertRejectsCode(
      writeFully(handle, [patterned(4 * MAX_WRITE_CALL_BYTES, 3)], 0),
      'ENOSPC',
    );
  });
});
