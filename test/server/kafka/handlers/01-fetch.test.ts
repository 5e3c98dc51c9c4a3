/** Fetch handler: long polls that park on partitions, wake on appends and time out. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Partition } from '../../../../src/cluster/partition/partition.js';
import { ApiKey } from '../../../../src/protocol/kafka/index.js';
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultFetchRequestFetchTopic,
  type FetchRequest,
  type FetchResponse,
} from '../../../../src/protocol/kafka/generated/messages/fetch.js';
import { fetchHandler } from '../../../../src/server/kafka/handlers/01-fetch.js';
import { ReadBufferPool } from '../../../../src/storage/index.js';
import { call, contextFor, openCluster, produce, type Fixture } from './admin-fixture.js';

const VERSION = 12;

function request(
  offsets: Record<number, number>,
  options: { maxWaitMs?: number; minBytes?: number } = {},
): FetchRequest {
  const topic = defaultFetchRequestFetchTopic();
  topic.topic = 'events';
  topic.partitions = Object.entries(offsets).map(([index, offset]) => ({
    ...defaultFetchRequestFetchPartition(),
    partition: Number(index),
    fetchOffset: BigInt(offset),
    partitionMaxBytes: 1 << 20,
  }));
  return {
    ...defaultFetchRequest(),
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    topics: [topic],
  };
}

/** Bytes of records returned per partition index. */
function bytesPerPartition(response: FetchResponse): number[] {
  return response.responses[0]!.partitions.map((p) => p.records?.length ?? 0);
}

describe('Fetch handler long polls', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof fetchHandler>;
  let partitions: Partition[];

  const fetch = (req: FetchRequest) => call(handler, ApiKey.Fetch, VERSION, req);
  const waiters = () => partitions.reduce((sum, p) => sum + p.waiterCount, 0);
  const end = (index: number) => partitions[index]!.highWatermark;

  before(async () => {
    fixture = await openCluster();
    handler = fetchHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'events',
      partitions: 2,
      replicationFactor: 1,
      configs: {},
    });
    partitions = [0, 1].map((i) => fixture.cluster.partition('events', i)!);
    await produce(fixture.cluster, 'events', 0, [[1000]]);
  });
  after(() => fixture.close());

  it('answers at once when data is there', async () => {
    const started = Date.now();
    const response = await fetch(request({ 0: 0 }, { maxWaitMs: 10_000 }));
    assert.ok(bytesPerPartition(response)[0]! > 0);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(waiters(), 0);
  });

  it('wakes on an append to any of its partitions and leaves no waiter behind', async () => {
    const started = Date.now();
    const pending = fetch(request({ 0: end(0), 1: end(1) }, { maxWaitMs: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(waiters(), 2, 'parked on both partitions');
    await produce(fixture.cluster, 'events', 1, [[2000]]);
    const response = await pending;
    assert.ok(Date.now() - started < 5_000, 'woken by the append, not the timeout');
    const [zero, one] = bytesPerPartition(response);
    assert.equal(zero, 0);
    assert.ok(one! > 0);
    assert.equal(waiters(), 0, 'the other partition forgot the waiter too');
  });

  it('times out with no data and leaves no waiter behind', async () => {
    const started = Date.now();
    const response = await fetch(request({ 0: end(0) }, { maxWaitMs: 50 }));
    assert.ok(Date.now() - started >= 45, 'waited for MaxWaitMs');
    assert.deepEqual(bytesPerPartition(response), [0]);
    assert.equal(waiters(), 0);
  });

  it('keeps waiting, up to MaxWaitMs in all, while appends stay below MinBytes', async () => {
    const started = Date.now();
    const pending = fetch(request({ 0: end(0) }, { maxWaitMs: 300, minBytes: 1 << 20 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await produce(fixture.cluster, 'events', 0, [[3000]]);
    const response = await pending;
    const waited = Date.now() - started;
    assert.ok(waited >= 280 && waited < 5_000, `waited ${waited} ms`);
    assert.ok(bytesPerPartition(response)[0]! > 0, 'returns what arrived meanwhile');
    assert.equal(waiters(), 0);
  });

  it('does not sleep through an append that lands while it reads', async () => {
    const partition = partitions[0]!;
    const read = partition.read.bind(partition);
    let reads = 0;
    // The first read finishes only after an append moved the high watermark past it.
    partition.read = async (offset, maxBytes) => {
      const result = await read(offset, maxBytes);
      if (reads++ === 0) await produce(fixture.cluster, 'events', 0, [[4000]]);
      return result;
    };
    try {
      const started = Date.now();
      const response = await fetch(request({ 0: end(0) }, { maxWaitMs: 10_000 }));
      assert.ok(Date.now() - started < 5_000, 'read again at once instead of parking');
      assert.ok(bytesPerPartition(response)[0]! > 0);
      assert.equal(reads, 2);
      assert.equal(waiters(), 0);
    } finally {
      partition.read = read;
    }
  });

  it('does not park on unknown partitions; an unknown topic answers at once', async () => {
    const response = await fetch(request({ 0: end(0), 7: 0 }, { maxWaitMs: 10_000 }));
    assert.deepEqual(
      response.responses[0]!.partitions.map((p) => p.errorCode),
      [0, 3],
    );
    assert.equal(waiters(), 0);
  });
});

describe('Fetch handler with a read-buffer pool', () => {
  let fixture: Fixture;
  let pool: ReadBufferPool;
  let handler: ReturnType<typeof fetchHandler>;
  const fetch = (req: FetchRequest) => call(handler, ApiKey.Fetch, VERSION, req);
  const recordsOf = (response: FetchResponse) => response.responses[0]!.partitions[0]!.records;

  before(async () => {
    fixture = await openCluster();
    pool = new ReadBufferPool(64 << 20);
    handler = fetchHandler({ ...fixture.services, readBuffers: pool });
    await fixture.cluster.createTopic({
      name: 'events',
      partitions: 1,
      replicationFactor: 1,
      configs: {},
    });
    // About 60 KiB: reads of it are big enough to come from the pool.
    const batches = Array.from({ length: 40 }, () => Array.from({ length: 100 }, () => 1000));
    await produce(fixture.cluster, 'events', 0, batches);
  });
  after(() => fixture.close());

  it('reads into a pooled buffer and gives it back once the response is written', async () => {
    const first = await fetch(request({ 0: 0 }));
    assert.ok(recordsOf(first)!.length > 16 * 1024);
    assert.equal(pool.stats.lent, 0, 'released when written');
    assert.equal(pool.stats.allocated, 1);
    const second = await fetch(request({ 0: 0 }));
    assert.deepEqual(recordsOf(second), recordsOf(first));
    assert.equal(pool.stats.reused, 1, 'the second fetch read into the same buffer');
    assert.equal(pool.stats.lent, 0);
  });

  it('holds the buffers of concurrent fetches apart until each is written', async () => {
    const context = contextFor(ApiKey.Fetch, VERSION);
    const held = await handler(context, request({ 0: 0 }));
    const before = Buffer.from(held!.responses[0]!.partitions[0]!.records!);
    assert.equal(pool.stats.lent, 1, 'not released before the response is written');
    const other = await fetch(request({ 0: 1000 }));
    assert.ok(recordsOf(other)!.length > 0);
    assert.deepEqual(held!.responses[0]!.partitions[0]!.records, before, 'not overwritten');
    context.written();
    assert.equal(pool.stats.lent, 0);
  });

  it('gives back the buffers of a read it drops to wait for more', async () => {
    const end = fixture.cluster.partition('events', 0)!.highWatermark;
    const pending = fetch(request({ 0: 0 }, { maxWaitMs: 200, minBytes: 1 << 30 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await produce(fixture.cluster, 'events', 0, [[5000]]);
    const response = await pending;
    assert.ok(recordsOf(response)!.length > 0);
    assert.ok(fixture.cluster.partition('events', 0)!.highWatermark > end);
    assert.equal(pool.stats.lent, 0);
  });
});
