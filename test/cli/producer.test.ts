/**
 * The CLI's Producer against an in-process broker: when batches leave (linger 0 within
 * the event-loop turn, full batches at once, overdue batches held while the partition
 * waits), the in-flight limit, and what callbacks and onBatch report.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  Consumer,
  EARLIEST_TIMESTAMP,
  KafkaClient,
  Producer,
  createTopics,
  type BatchOutcome,
  type BrokerConnection,
  type ProducerOptions,
} from '../../src/cli/client/index.js';
import { startBroker, type Broker } from '../../src/index.js';
import { logEndOffsets, startTestBroker } from './helpers.js';

describe('Producer', () => {
  let broker: Broker;
  let client: KafkaClient;
  let connection: BrokerConnection;
  let topicNumber = 0;

  before(async () => {
    broker = await startTestBroker();
    client = await KafkaClient.connect({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'producer-test',
    });
    const [answer] = await createTopics(client, [
      { name: 'warm', partitions: 1, replicationFactor: -1, configs: {} },
    ]);
    assert.equal(answer?.errorCode, 0);
    connection = await client.connection((await client.topic('warm', true)).partitions[0]!.leader);
  });
  after(async () => {
    client.close();
    await broker.stop();
  });

  /** A producer on a new one-partition topic, connected and with metadata loaded. */
  async function ready(
    options: ProducerOptions,
  ): Promise<{ producer: Producer; topic: string; batches: BatchOutcome[] }> {
    const topic = `p${topicNumber++}`;
    await createTopics(client, [
      { name: topic, partitions: 1, replicationFactor: -1, configs: {} },
    ]);
    const batches: BatchOutcome[] = [];
    const producer = new Producer(client, {
      ...options,
      onBatch: (outcome) => batches.push(outcome),
    });
    const warmUp = producer.sendAsync({ topic, value: Buffer.from('warm-up') });
    await producer.flush();
    await warmUp;
    batches.length = 0;
    return { producer, topic, batches };
  }

  it('linger 0 sends within the same event-loop turn, not after a 1 ms timer', async () => {
    const { producer, topic } = await ready({ lingerMs: 0 });
    const acked = producer.sendAsync({ topic, value: Buffer.from('now') });
    assert.equal(connection.inFlight, 0, 'nothing is sent before the turn ends');
    await nextTurn(); // runs after the producer's own immediate, before any timer
    assert.equal(connection.inFlight, 1);
    assert.equal((await acked).offset, 1n);
    await producer.close();
  });

  it('sends a full batch at once, whatever the linger', async () => {
    const { producer, topic, batches } = await ready({ lingerMs: 60_000, batchSize: 1024 });
    const started = performance.now();
    const cork = connection.cork.bind(connection);
    let corks = 0;
    connection.cork = () => {
      corks++;
      cork();
    };
    for (let i = 0; i < 9; i++) producer.send({ topic, value: Buffer.alloc(300) }, undefined, i);
    assert.equal(connection.inFlight, 0, 'full batches leave together, once the sends return');
    await null;
    connection.cork = cork;
    assert.equal(connection.inFlight, 3, '9 records of 309 bytes: three full batches of 3');
    assert.equal(corks, 1, 'the three requests left in one corked write');
    while (batches.length < 3) await nextTurn();
    assert.ok(performance.now() - started < 30_000);
    assert.deepEqual(
      batches.map((b) => [b.recordCount, b.baseOffset, b.tags]),
      [
        [3, 1n, [0, 1, 2]],
        [3, 4n, [3, 4, 5]],
        [3, 7n, [6, 7, 8]],
      ],
    );
    await producer.close();
  });

  it('keeps at most maxInFlight requests in flight, and sends the rest as they are answered', async () => {
    for (const maxInFlight of [1, 2, 5]) {
      const { producer, topic } = await ready({ lingerMs: 0, batchSize: 1024, maxInFlight });
      const offsets: bigint[] = [];
      for (let i = 0; i < 30; i++) {
        producer.send({ topic, value: Buffer.alloc(300) }, (error, metadata) => {
          assert.equal(error, null);
          offsets.push(metadata!.offset);
        });
      }
      await null; // full batches leave once the sends return
      assert.equal(connection.inFlight, maxInFlight);
      await producer.flush();
      assert.deepEqual(
        offsets,
        Array.from({ length: 30 }, (_, i) => BigInt(i + 1)),
      );
      assert.deepEqual(await logEndOffsets(broker.port, topic, 1), [31n]);
      await producer.close();
    }
  });

  it('holds a batch past its linger while the partition waits, so it keeps filling', async () => {
    const { producer, topic, batches } = await ready({ lingerMs: 0, maxInFlight: 1 });
    producer.send({ topic, value: Buffer.from('first') });
    await nextTurn(); // the first batch is in flight
    assert.equal(connection.inFlight, 1);
    for (let i = 0; i < 100; i++) producer.send({ topic, value: Buffer.from(`r${i}`) });
    await nextTurn(); // linger is over, but the one slot is taken
    assert.equal(connection.inFlight, 1);
    await producer.flush();
    assert.deepEqual(
      batches.map((b) => b.recordCount),
      [1, 100],
    );
    await producer.close();
  });

  it('acks=0 reuses batch buffers only once written: every record arrives intact', async () => {
    const { producer, topic, batches } = await ready({ acks: 0, lingerMs: 0, batchSize: 1024 });
    const count = 600;
    for (let i = 0; i < count; i++)
      producer.send({ topic, value: Buffer.from(`value-${i}`.padEnd(200, '.')) });
    await producer.flush();
    assert.ok(batches.length > 100 && batches.every((b) => b.baseOffset === -1n && !b.error));
    const consumer = new Consumer(client, { offsetReset: 'earliest', maxWaitMs: 100 });
    await consumer.assign(new Map([[topic, new Map([[0, { timestamp: EARLIEST_TIMESTAMP }]])]]));
    const values: string[] = [];
    for (let polls = 0; values.length < count + 1 && polls < 50; polls++) {
      for (const record of await consumer.poll(count + 1 - values.length, 250))
        values.push(record.value!.toString());
    }
    consumer.close();
    assert.deepEqual(
      values.slice(1),
      Array.from({ length: count }, (_, i) => `value-${i}`.padEnd(200, '.')),
    );
    await producer.close();
  });

  it('reports per-record offsets and failures, and refuses records once closed', async () => {
    const { producer, topic } = await ready({ lingerMs: 1 });
    const metadata = await Promise.all(
      [0, 1, 2].map((i) => producer.sendAsync({ topic, key: Buffer.from(`k${i}`), value: null })),
    );
    assert.deepEqual(
      metadata.map((m) => [m.topic, m.partition, m.offset]),
      [
        [topic, 0, 1n],
        [topic, 0, 2n],
        [topic, 0, 3n],
      ],
    );
    await assert.rejects(producer.sendAsync({ topic, partition: 7, value: null }), {
      code: 'WEIR_CLIENT_UNKNOWN_TOPIC',
    });
    await producer.close();
    await assert.rejects(producer.sendAsync({ topic, value: null }), {
      code: 'WEIR_CLIENT_INVALID',
    });
    assert.throws(() => producer.send({ topic, value: null }), { code: 'WEIR_CLIENT_INVALID' });
  });
});

describe('Producer retries', () => {
  it('resends batches whose connection died once the broker is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-producer-'));
    let broker = await startBroker({ port: 0, dataDir: dir });
    const port = broker.port;
    const client = await KafkaClient.connect({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'producer-retry-test',
    });
    try {
      await createTopics(client, [
        { name: 'again', partitions: 1, replicationFactor: -1, configs: {} },
      ]);
      const producer = new Producer(client, { lingerMs: 0, retries: 10, retryBackoffMs: 20 });
      await producer.sendAsync({ topic: 'again', value: Buffer.from('before') });
      await broker.stop();
      const acked = Promise.all(
        [0, 1, 2].map((i) => producer.sendAsync({ topic: 'again', value: Buffer.from(`${i}`) })),
      );
      await nextTurn();
      broker = await startBroker({ port, dataDir: dir });
      const offsets = (await acked).map((m) => m.offset);
      assert.deepEqual(offsets, [1n, 2n, 3n]);
      await producer.close();
      assert.deepEqual(await logEndOffsets(port, 'again', 1), [4n]);
    } finally {
      client.close();
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
