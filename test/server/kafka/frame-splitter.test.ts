import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameSplitter, type FrameFailure } from '../../../src/server/kafka/frame-splitter.js';
import { mulberry32 } from '../../helpers/prng.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function sizePrefix(size: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size);
  return prefix;
}

/** Feeds `chunks` as a connection does; returns every frame and the failure, if any. */
function split(
  splitter: FrameSplitter,
  chunks: Buffer[],
): { frames: Buffer[]; failure: FrameFailure | null } {
  const frames: Buffer[] = [];
  for (const chunk of chunks) {
    splitter.push(chunk);
    for (let f = splitter.next(); f !== null; f = splitter.next()) frames.push(f);
    if (splitter.failure !== null) break;
  }
  return { frames, failure: splitter.failure };
}

/** True when `view` shares memory with `chunk` (a subarray of it). */
function isViewOf(view: Buffer, chunk: Buffer): boolean {
  return (
    view.buffer === chunk.buffer &&
    view.byteOffset >= chunk.byteOffset &&
    view.byteOffset + view.length <= chunk.byteOffset + chunk.length
  );
}

describe('FrameSplitter', () => {
  it('splits frames that arrive byte by byte and several at once', () => {
    const a = Buffer.from('0123456789');
    const b = Buffer.from('abcdefghijklmnop');
    const stream = Buffer.concat([frame(a), frame(b)]);
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    assert.deepEqual(split(new FrameSplitter(1024), bytes), { frames: [a, b], failure: null });
    assert.deepEqual(split(new FrameSplitter(1024), [stream]), { frames: [a, b], failure: null });
  });

  it('returns a frame that lies in one chunk as a view of that chunk, without copying', () => {
    const bodies = [
      Buffer.from('first frame'),
      Buffer.from('second frame'),
      Buffer.from('3rd!!!!!'),
    ];
    const chunk = Buffer.concat(bodies.map(frame));
    const { frames } = split(new FrameSplitter(1024), [chunk]);
    assert.deepEqual(frames, bodies);
    for (const f of frames) assert.ok(isViewOf(f, chunk), 'frame is a subarray of the chunk');
  });

  it('returns a body that starts a new chunk after its size prefix without copying', () => {
    const body = Buffer.from('the body arrives whole');
    const bodyChunk = Buffer.concat([body, frame(Buffer.from('next one'))]);
    const { frames } = split(new FrameSplitter(1024), [sizePrefix(body.length), bodyChunk]);
    assert.deepEqual(frames, [body, Buffer.from('next one')]);
    assert.ok(isViewOf(frames[0]!, bodyChunk));
  });

  it('assembles a frame spread over many chunks into one buffer of exactly its size', () => {
    const body = Buffer.alloc(1 << 20);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const stream = frame(body);
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 65536) chunks.push(stream.subarray(at, at + 65536));
    const { frames } = split(new FrameSplitter(2 << 20), chunks);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.equals(body));
    assert.equal(frames[0]!.buffer.byteLength, body.length, 'its own buffer, not a pool slice');
    assert.ok(!chunks.some((chunk) => isViewOf(frames[0]!, chunk)));
  });

  it('hands out frames that later chunks never overwrite', () => {
    const a = Buffer.alloc(100, 0xaa);
    const b = Buffer.alloc(100, 0xbb);
    const stream = Buffer.concat([frame(a), frame(b)]);
    const splitter = new FrameSplitter(1024);
    const { frames } = split(splitter, [stream.subarray(0, 50), stream.subarray(50, 150)]);
    const rest = split(splitter, [stream.subarray(150)]).frames;
    assert.deepEqual([...frames, ...rest], [a, b]);
  });

  it('gives the same frames however the stream is chunked', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = mulberry32(seed);
      const bodies = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, i) => {
        const body = Buffer.alloc(8 + Math.floor(rand() * (rand() < 0.2 ? 5000 : 60)));
        body.fill(i + seed);
        body.writeUInt32BE(seed, 0);
        return body;
      });
      const stream = Buffer.concat(bodies.map(frame));
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 8 : 3000));
        chunks.push(stream.subarray(at, at + n));
        at += n;
      }
      const result = split(new FrameSplitter(1 << 20), chunks);
      assert.deepEqual(result, { frames: bodies, failure: null }, `seed ${seed}`);
    }
  });

  it('with reused chunks, copies every frame out, so refilling the buffer changes none', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rand = mulberry32(seed);
      const bodies = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, i) =>
        Buffer.alloc(8 + Math.floor(rand() * (rand() < 0.2 ? 3000 : 60)), i + seed),
      );
      const stream = Buffer.concat(bodies.map(frame));
      // One buffer for every read, as a socket reading in place uses it.
      const readBuffer = Buffer.alloc(4096);
      const splitter = new FrameSplitter(1 << 20, null, true);
      const frames: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const n = Math.min(1 + Math.floor(rand() * 4096), stream.length - at);
        stream.copy(readBuffer, 0, at, at + n);
        at += n;
        splitter.push(readBuffer.subarray(0, n));
        for (let f = splitter.next(); f !== null; f = splitter.next()) {
          assert.ok(!isViewOf(f, readBuffer), 'a frame is never a view of the read buffer');
          frames.push(f);
        }
        readBuffer.fill(0xee);
      }
      assert.deepEqual(frames, bodies, `seed ${seed}`);
    }
  });

  it('reports an oversized frame from its size alone, without buffering the body', () => {
    const splitter = new FrameSplitter(100);
    const body = Buffer.alloc(101);
    const result = split(splitter, [sizePrefix(101), body]);
    assert.deepEqual(result, { frames: [], failure: { kind: 'oversized', size: 101 } });
    assert.equal(splitter.next(), null, 'no frames after a failure');
  });

  it('reports a bad size whose prefix is split across chunks, after the frames before it', () => {
    const ok = Buffer.from('0123456789');
    const stream = Buffer.concat([frame(ok), sizePrefix(-5)]);
    const chunks = [stream.subarray(0, 15), stream.subarray(15)];
    assert.deepEqual(split(new FrameSplitter(100), chunks), {
      frames: [ok],
      failure: { kind: 'invalid-size', size: -5 },
    });
  });

  it('rejects negative and too-small sizes', () => {
    assert.deepEqual(split(new FrameSplitter(100), [sizePrefix(-5)]).failure, {
      kind: 'invalid-size',
      size: -5,
    });
    assert.deepEqual(split(new FrameSplitter(100), [Buffer.from([0, 0, 0, 3])]).failure, {
      kind: 'invalid-size',
      size: 3,
    });
  });

  it('refuses a new chunk while the previous one still holds frames', () => {
    const splitter = new FrameSplitter(100);
    splitter.push(Buffer.concat([frame(Buffer.alloc(8)), frame(Buffer.alloc(8))]));
    assert.ok(splitter.next() !== null);
    assert.throws(() => splitter.push(Buffer.alloc(1)), /previous chunk/);
  });
});
