/**
 * FrameReader: response frames split at any read boundary come out whole and in order,
 * large frames are read in place (into the buffer allocateFrame gave, which learns the
 * correlation id), and bad sizes or a refusing listener stop the reader.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader } from '../../../src/cli/client/frame-reader.js';

/** A size-prefixed frame whose first 4 bytes are the correlation id. */
function frame(correlationId: number, bodyBytes: number): Buffer {
  const out = Buffer.alloc(8 + bodyBytes);
  out.writeInt32BE(4 + bodyBytes, 0);
  out.writeInt32BE(correlationId, 4);
  for (let i = 0; i < bodyBytes; i++) out[8 + i] = (correlationId * 31 + i) & 0xff;
  return out;
}

/** Feeds `stream` through the reader the way a socket would, `cut` bytes at most per read. */
function feed(reader: FrameReader, stream: Buffer, cut: () => number): void {
  let position = 0;
  while (position < stream.length) {
    const target = reader.buffer();
    const n = Math.min(target.length, stream.length - position, cut());
    stream.copy(target, 0, position, position + n);
    position += n;
    reader.read(n);
  }
}

function collect(maxFrameBytes = 1 << 24): {
  reader: FrameReader;
  frames: Buffer[];
  allocations: { size: number; correlationId: number; buffer: Buffer }[];
  invalid: number[];
} {
  const reader = new FrameReader(maxFrameBytes);
  const frames: Buffer[] = [];
  const allocations: { size: number; correlationId: number; buffer: Buffer }[] = [];
  const invalid: number[] = [];
  reader.listen({
    allocateFrame: (size, correlationId) => {
      const buffer = Buffer.alloc(size);
      allocations.push({ size, correlationId, buffer });
      return buffer;
    },
    onFrame: (f) => {
      frames.push(f);
      return true;
    },
    onInvalidSize: (size) => invalid.push(size),
  });
  return { reader, frames, allocations, invalid };
}

describe('FrameReader', () => {
  it('returns every frame whole and in order, whatever the read boundaries', () => {
    const sizes = [0, 1, 3, 100, 16 * 1024, 16 * 1024 - 8, 70_000, 5, 1_200_000, 2, 40_000];
    const frames = sizes.map((bytes, i) => frame(i + 1, bytes));
    const stream = Buffer.concat(frames);
    let seed = 7;
    const cuts: [string, () => number][] = [
      ['one byte', () => 1],
      ['seven bytes', () => 7],
      ['random', () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % 90_000))],
      ['unlimited', () => Number.MAX_SAFE_INTEGER],
    ];
    for (const [name, cut] of cuts) {
      const { reader, frames: out, allocations } = collect();
      feed(reader, stream, cut);
      assert.equal(out.length, frames.length, name);
      out.forEach((f, i) => assert.ok(f.equals(frames[i]!.subarray(4)), `${name}: frame ${i}`));
      assert.deepEqual(
        allocations.map((a) => a.correlationId),
        sizes.map((_, i) => i + 1),
        name,
      );
    }
  });

  it('reads a large frame straight into the buffer allocateFrame gave', () => {
    const { reader, frames, allocations } = collect();
    const big = frame(42, 1 << 20);
    let position = 0;
    while (position < big.length) {
      const target = reader.buffer();
      if (position > 0) {
        // Every read after the first goes to the rest of the frame's own buffer.
        const own = allocations[0]!.buffer;
        assert.equal(target.buffer, own.buffer);
        assert.equal(target.byteOffset, own.byteOffset + position - 4);
      }
      const n = Math.min(target.length, big.length - position, 64 * 1024);
      big.copy(target, 0, position, position + n);
      position += n;
      reader.read(n);
    }
    assert.equal(frames.length, 1);
    assert.equal(frames[0], allocations[0]!.buffer, 'the frame is the allocated buffer itself');
    assert.equal(allocations[0]!.size, (1 << 20) + 4);
    assert.ok(frames[0]!.equals(big.subarray(4)));
  });

  it('stops at a size outside 4..max and reads nothing more', () => {
    const { reader, frames, invalid } = collect(1000);
    const bad = Buffer.alloc(8);
    bad.writeInt32BE(1001, 0);
    feed(reader, Buffer.concat([frame(1, 10), bad, frame(2, 10)]), () => 1 << 20);
    assert.deepEqual(invalid, [1001]);
    assert.equal(frames.length, 1);
    const tiny = collect();
    const three = Buffer.alloc(4);
    three.writeInt32BE(3, 0);
    feed(tiny.reader, three, () => 4);
    assert.deepEqual(tiny.invalid, [3]);
  });

  it('stops when the listener refuses a frame', () => {
    const reader = new FrameReader(1 << 20);
    const seen: number[] = [];
    reader.listen({
      allocateFrame: (size) => Buffer.alloc(size),
      onFrame: (f) => {
        seen.push(f.readInt32BE(0));
        return false;
      },
      onInvalidSize: () => assert.fail('no invalid size expected'),
    });
    feed(reader, Buffer.concat([frame(1, 4), frame(2, 4), frame(3, 4)]), () => 1 << 20);
    assert.deepEqual(seen, [1]);
  });
});
