/**
 * What an embedding user does, shared by the in-process test and the child-process
 * fixture: two brokers in one process, a KafkaJS producer and consumer against each,
 * then everything stopped.
 */
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startBroker, type Broker } from '../../src/index.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

/** Starts a broker the way the README shows, timing the call. */
export async function timedStart(): Promise<{ broker: Broker; ms: number }> {
  const started = performance.now();
  const broker = await startBroker({
    port: 0,
    dataDir: 'memory',
    config: { 'group.initial.rebalance.delay.ms': 0 },
  });
  return { broker, ms: performance.now() - started };
}

/** Produces `count` records to `topic` with KafkaJS and reads them back with a KafkaJS consumer group. */
export async function roundTrip(broker: Broker, topic: string, count: number): Promise<string[]> {
  await broker.createTopic(topic, { partitions: 2 });
  const kafka = new Kafka({
    clientId: `embed-${topic}`,
    brokers: [broker.bootstrapServers],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `group-${topic}`, heartbeatInterval: 500 });
  try {
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${topic}-${i}` })),
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumed ${seen.length} of ${count}`)),
        20_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return seen.sort();
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

/** The whole scenario; returns the start times for reporting. */
export async function twoBrokers(): Promise<number[]> {
  const [a, b] = await Promise.all([timedStart(), timedStart()]);
  try {
    assert.notEqual(a.broker.port, b.broker.port);
    const [fromA, fromB] = await Promise.all([
      roundTrip(a.broker, 'alpha', 20),
      roundTrip(b.broker, 'beta', 30),
    ]);
    assert.deepEqual(fromA, Array.from({ length: 20 }, (_, i) => `alpha-${i}`).sort());
    assert.deepEqual(fromB, Array.from({ length: 30 }, (_, i) => `beta-${i}`).sort());
    return [a.ms, b.ms];
  } finally {
    await Promise.all([a.broker.stop(), b.broker.stop()]);
  }
}
