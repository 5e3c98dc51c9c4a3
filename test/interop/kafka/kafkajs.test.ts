/**
 * Interop with KafkaJS 2.2.4 (issue 4), in this process.
 *
 * KafkaJS speaks only pre-flexible versions (Produce v7, Fetch v11, Metadata v6) and
 * ignores the broker's MinVersions. It compresses gzip natively; snappy, lz4 and zstd need
 * third-party codec plugins (kafkajs-snappy, kafkajs-lz4, @kafkajs/zstd) that are not part
 * of KafkaJS, so this test covers none and gzip only: 100,000 records, 50,000 per codec.
 *
 * The idempotent producer (idempotent: true → InitProducerId, acks=-1, one request in
 * flight) sends records with a key, three headers and an explicit CreateTime, 1,000 per
 * send(). KafkaJS reports a base offset per partition and send; with the partitioner's
 * choice per record that gives each record's acknowledged offset. KafkaJS has no
 * group-less consumer, so the consume-back uses a consumer group (FindCoordinator,
 * JoinGroup, SyncGroup, Heartbeat, OffsetFetch, ListOffsets), subscribed from the
 * beginning. What was produced is also read back with Weir's own decoder first, so a
 * produce problem is told apart from a group problem.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel,
  type ICustomPartitioner,
  type KafkaMessage,
} from 'kafkajs';
import {
  acksFromBaseOffsets,
  assertProducerIds,
  assertStoredCodecs,
  groupByCodec,
  indexOfValue,
  makeRecords,
  readStoredTopic,
  startTestBroker,
  verifyConsumed,
  waitFor,
  type Ack,
  type Codec,
  type ConsumedRecord,
  type TestBroker,
} from './helpers.js';

const TOPIC = 'interop-kafkajs';
const PARTITIONS = 6;
const COUNT = 100_000;
const PER_SEND = 1_000;
const CODECS: readonly Codec[] = ['none', 'gzip'];
const KAFKAJS_CODEC = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

describe('KafkaJS 2.2.4', () => {
  let test: TestBroker;
  let kafka: Kafka;
  const records = makeRecords('kafkajs', COUNT, CODECS);
  const acks: Ack[] = [];

  before(async () => {
    test = await startTestBroker('kafkajs');
    await test.broker.createTopic(TOPIC, { partitions: PARTITIONS });
    kafka = new Kafka({
      clientId: 'weir-interop-kafkajs',
      brokers: [test.bootstrap],
      logLevel: process.env['WEIR_INTEROP_LOG'] ? logLevel.DEBUG : logLevel.ERROR,
    });
  });
  after(() => test?.stop());

  it('produces 100,000 records with the idempotent producer, none and gzip', async () => {
    // Records the default partitioner's choice for each record, by index.
    const partitionOf = new Map<number, number>();
    const recordingPartitioner: ICustomPartitioner = () => {
      const inner = Partitioners.DefaultPartitioner();
      return (args) => {
        const partition = inner(args);
        partitionOf.set(indexOfValue(String(args.message.value)), partition);
        return partition;
      };
    };
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: recordingPartitioner,
    });
    await producer.connect();
    try {
      for (const [codec, group] of groupByCodec(records)) {
        for (let start = 0; start < group.length; start += PER_SEND) {
          const chunk = group.slice(start, start + PER_SEND);
          const result = await producer.send({
            topic: TOPIC,
            acks: -1,
            compression: KAFKAJS_CODEC[codec as keyof typeof KAFKAJS_CODEC],
            messages: chunk.map((r) => ({
              key: r.key,
              value: r.value,
              headers: Object.fromEntries(r.headers),
              timestamp: String(r.timestamp),
            })),
          });
          const baseOffsets = new Map(
            result.map((m) => {
              assert.equal(m.errorCode, 0, `produce error on partition ${m.partition}`);
              return [m.partition, Number(m.baseOffset)] as const;
            }),
          );
          acks.push(...acksFromBaseOffsets(chunk, partitionOf, baseOffsets));
        }
      }
    } finally {
      await producer.disconnect();
    }

    const stored = await readStoredTopic(test.broker.port, TOPIC);
    assertStoredCodecs(stored, CODECS);
    assertProducerIds(stored, true);
    verifyConsumed(records, stored.records, {
      partitions: PARTITIONS,
      acks,
      exactTimestamps: true,
      exactHeaders: true,
    });
  });

  it('consumes them back with a consumer group, from the beginning', async () => {
    const consumed: ConsumedRecord[] = [];
    const consumer = kafka.consumer({
      groupId: `weir-interop-kafkajs-${Date.now()}`,
      maxBytesPerPartition: 4 << 20,
      allowAutoTopicCreation: false,
    });
    const toRecord = (partition: number, m: KafkaMessage): ConsumedRecord => ({
      partition,
      offset: Number(m.offset),
      timestamp: Number(m.timestamp),
      key: m.key === null ? null : m.key.toString(),
      value: m.value === null ? null : m.value.toString(),
      headers: Object.entries(m.headers ?? {}).map(([k, v]) => [
        k,
        v === undefined ? null : String(v),
      ]),
    });
    // A crash (e.g. a group API the broker lacks) fails the test at once, not at the timeout.
    let crash: Error | undefined;
    consumer.on(consumer.events.CRASH, (event) => {
      crash = event.payload.error;
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) consumed.push(toRecord(batch.partition, m));
        },
      });
      await waitFor(
        () => `${COUNT} records (have ${consumed.length})`,
        () => consumed.length >= COUNT || crash !== undefined,
        60_000,
        100,
      );
      if (crash) throw crash;
      // Give stray duplicates a moment to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await consumer.disconnect();
    }
    verifyConsumed(records, consumed, {
      partitions: PARTITIONS,
      acks,
      exactTimestamps: true,
      exactHeaders: true,
    });
  });
});
