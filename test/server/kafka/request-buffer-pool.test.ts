/**
 * Recycled Produce request buffers: what the pool accepts and keeps, how the splitter
 * assembles pooled frames, and — over a real socket — that a connection gives a frame's
 * buffer back only once its handler has settled, so requests still being handled are
 * never overwritten by later ones.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import {
  ApiKey,
  ZERO_UUID,
  encodeRequestFrame,
  type AnyResponse,
} from '../../../src/protocol/kafka/index.js';
import {
  defaultProduceRequest,
  type ProduceRequest,
} from '../../../src/protocol/kafka/generated/messages/produce.js';
import { KafkaConnection } from '../../../src/server/kafka/connection.js';
import { FrameSplitter } from '../../../src/server/kafka/frame-splitter.js';
import type { AnyHandler } from '../../../src/server/kafka/handlers/handler.js';
import { RequestBufferPool } from '../../../src/server/kafka/request-buffer-pool.js';

const KiB = 1024;

/** A Produce v9 frame (size prefix included) whose records are `bytes` of `fill`. */
function produceFrame(correlationId: number, bytes: number, fill: number): Buffer {
  const request: ProduceRequest = {
    ...defaultProduceRequest(),
    acks: 1,
    timeoutMs: 1000,
    topicData: [
      {
        name: 't',
        topicId: ZERO_UUID,
        partitionData: [{ index: 0, records: Buffer.alloc(bytes, fill) }],
      },
    ],
  };
  return Buffer.concat(encodeRequestFrame(ApiKey.Produce, 9, correlationId, 'test', request));
}

describe('RequestBufferPool', () => {
  it('pools only Produce frames of 128 KiB or more, in 128 KiB steps', () => {
    const pool = new RequestBufferPool();
    assert.equal(pool.take(200 * KiB, ApiKey.Fetch), null);
    assert.equal(pool.take(100 * KiB, ApiKey.Produce), null);
    const buffer = pool.take(200 * KiB, ApiKey.Produce)!;
    assert.equal(buffer.length, 256 * KiB);
    pool.release(buffer);
    assert.equal(pool.retainedBytes, 256 * KiB);
    assert.equal(pool.take(250 * KiB, ApiKey.Produce), buffer, 'same step: reused');
    assert.equal(pool.retainedBytes, 0);
    pool.release(buffer);
    assert.notEqual(pool.take(300 * KiB, ApiKey.Produce), buffer, 'another step: new buffer');
  });

  it('keeps at most its byte budget of free buffers', () => {
    const pool = new RequestBufferPool(512 * KiB);
    const buffers = [1, 2, 3].map(() => pool.take(256 * KiB, ApiKey.Produce)!);
    for (const buffer of buffers) pool.release(buffer);
    assert.equal(pool.retainedBytes, 512 * KiB, 'the third buffer was left to the GC');
  });
});

describe('FrameSplitter with a RequestBufferPool', () => {
  it('assembles a spanning Produce frame in a pooled buffer and hands it over', () => {
    const pool = new RequestBufferPool();
    const splitter = new FrameSplitter(1 << 24, pool);
    const frame = produceFrame(7, 300 * KiB, 0xab);
    let got: Buffer | null = null;
    let pooled: Buffer | null = null;
    for (let at = 0; at < frame.length; at += 64 * KiB) {
      splitter.push(frame.subarray(at, at + 64 * KiB));
      const next = splitter.next();
      if (next) [got, pooled] = [next, splitter.takePooled()];
      assert.equal(splitter.next(), null);
    }
    assert.ok(got && pooled);
    assert.ok(got.equals(frame.subarray(4)));
    assert.equal(got.buffer, pooled.buffer, 'the frame lies in the pooled buffer');
    assert.equal(splitter.takePooled(), null, 'handed over once');
  });

  it('does not pool frames of other APIs, small frames, or frames inside one chunk', () => {
    const pool = new RequestBufferPool();
    const splitter = new FrameSplitter(1 << 24, pool);
    const whole = produceFrame(1, 300 * KiB, 1);
    splitter.push(whole);
    assert.ok(splitter.next());
    assert.equal(splitter.takePooled(), null, 'a frame whole in one chunk is a slice of it');
    const small = produceFrame(2, 10 * KiB, 2);
    splitter.push(small.subarray(0, 100));
    assert.equal(splitter.next(), null);
    splitter.push(small.subarray(100));
    assert.ok(splitter.next());
    assert.equal(splitter.takePooled(), null);
  });
});

describe('KafkaConnection with recycled Produce buffers', () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(async () => {
    client?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('recycles a request buffer only after its handler settled', async () => {
    const pool = new RequestBufferPool();
    const held: { fill: number; records: Buffer; answer: () => void }[] = [];
    let arrived: () => void = () => {};
    const handler: AnyHandler = (_context, request: ProduceRequest) =>
      new Promise<AnyResponse | null>((resolve) => {
        const records = request.topicData[0]!.partitionData[0]!.records!;
        held.push({ fill: records[0]!, records, answer: () => resolve(null) });
        arrived();
      });
    server = createServer((socket) => {
      new KafkaConnection(socket, {
        handlers: new Map([[ApiKey.Produce, handler]]),
        maxRequestBytes: 1 << 24,
        maxInFlightRequests: 64,
        logger: silentLogger,
        requestBuffers: pool,
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    client = connect({ port, host: '127.0.0.1' });
    const heldCount = (n: number): Promise<void> =>
      new Promise((resolve) => {
        arrived = () => held.length >= n && resolve();
        arrived();
      });
    /** The requests still held (the first was answered) kept their bytes. */
    const intact = (): void => {
      for (const h of held.slice(1))
        assert.ok(
          h.records.every((b) => b === h.fill),
          `request ${h.fill} was overwritten`,
        );
    };
    for (let i = 1; i <= 4; i++) client.write(produceFrame(i, 400 * KiB, i));
    await heldCount(4);
    assert.equal(pool.retainedBytes, 0, 'all four buffers are in use');
    held[0]!.answer();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pool.retainedBytes, 512 * KiB, 'the settled request gave its buffer back');
    client.write(produceFrame(5, 400 * KiB, 5));
    await heldCount(5);
    assert.equal(pool.retainedBytes, 0, 'the next request took the recycled buffer');
    intact(); // requests 2-4, still held, were not overwritten; 5 is whole
    for (const h of held) h.answer();
  });
});
