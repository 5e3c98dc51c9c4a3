import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameSplitter } from '../../../src/server/kafka/frame-splitter.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

describe('FrameSplitter', () => {
  it('splits frames that arrive byte by byte and several at once', () => {
    const a = Buffer.from('0123456789');
    const b = Buffer.from('abcdefghijklmnop');
    const stream = Buffer.concat([frame(a), frame(b)]);
    const splitter = new FrameSplitter(1024);
    const frames: Buffer[] = [];
    for (const byte of stream) {
      for (const event of splitter.push(Buffer.from([byte]))) {
        assert.equal(event.kind, 'frame');
        if (event.kind === 'frame') frames.push(event.frame);
      }
    }
    assert.deepEqual(frames, [a, b]);
    const together = new FrameSplitter(1024).push(stream);
    assert.deepEqual(
      together.map((e) => (e.kind === 'frame' ? e.frame : null)),
      [a, b],
    );
  });

  it('reports an oversized frame from its size alone, without buffering the body', () => {
    const splitter = new FrameSplitter(100);
    const header = Buffer.alloc(4);
    header.writeInt32BE(101);
    assert.deepEqual(splitter.push(header), [{ kind: 'oversized', size: 101 }]);
  });

  it('rejects negative and too-small sizes', () => {
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5);
    assert.deepEqual(new FrameSplitter(100).push(negative), [{ kind: 'invalid-size', size: -5 }]);
    assert.deepEqual(new FrameSplitter(100).push(Buffer.from([0, 0, 0, 3])), [
      { kind: 'invalid-size', size: 3 },
    ]);
  });
});
