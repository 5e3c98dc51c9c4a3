/**
 * Interop with @platformatic/kafka (issue 4), in this process. The package needs Node ≥ 22
 * (its engines say >= 22.22.0; it uses Promise.withResolvers and zlib's zstd), so on Node
 * 20 both tests are skipped with that reason; CI runs them on Node 22 and 24.
 *
 * It speaks only flexible versions for Metadata (9-12) and Fetch (12-17, by topic id),
 * Produce 7-11 and InitProducerId 3-5, and compresses all five codecs itself (snappy and
 * lz4 in WebAssembly, zstd with node:zlib).
 *
 * The idempotent producer (idempotent: true → acks=-1) sends 100,000 records, 20,000 per
 * codec (none, gzip, snappy, lz4, zstd), with a key, three headers and an explicit
 * CreateTime, 1,000 per send(); each send reports a base offset per partition, which with
 * the partitioner's choice per record gives every record's acknowledged offset. The
 * consume-back needs no group: Consumer.fetch() is the client's group-less Fetch, from
 * offset 0 of each partition up to its high watermark.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as Platformatic from '@platformatic/kafka';
import {
  acksFromBaseOffsets,
  CODEC_NAMES,
  assertProducerIds,
  assertStoredCodecs,
  groupByCodec,
  indexOfValue,
  makeRecords,
  readStoredTopic,
  startTestBroker,
  verifyConsumed,
  type Ack,
  type ConsumedRecord,
  type TestBroker,
} from './helpers.js';

const TOPIC = 'interop-platformatic';
const PARTITIONS = 6;
const COUNT = 100_000;
const PER_SEND = 1_000;

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const SKIP =
  NODE_MAJOR < 22
    ? `@platformatic/kafka needs Node >= 22 (engines >= 22.22.0); this is Node ${process.versions.node}`
    : false;

describe('@platformatic/kafka', () => {
  let test: TestBroker;
  let pk: typeof Platformatic;
  const records = makeRecords('platformatic', COUNT, CODEC_NAMES);
  const acks: Ack[] = [];

  before(async () => {
    if (SKIP) return;
    pk = await import('@platformatic/kafka');
    test = await startTestBroker('platformatic');
    await test.broker.createTopic(TOPIC, { partitions: PARTITIONS });
  });
  after(() => test?.stop());

  it(
    'produces 100,000 records with the idempotent producer and every codec',
    { skip: SKIP },
    async () => {
      const partitionOf = new Map<number, number>();
      const producer = new pk.Producer({
        clientId: 'weir-interop-platformatic',
        bootstrapBrokers: [test.bootstrap],
        serializers: pk.stringSerializers,
        idempotent: true,
        autocreateTopics: false,
        partitioner: (message, key) => {
          const partition = pk.defaultPartitioner(message, key);
          partitionOf.set(indexOfValue(String(message.value)), partition % PARTITIONS);
          return partition;
        },
      });
      try {
        for (const [codec, group] of groupByCodec(records)) {
          for (let start = 0; start < group.length; start += PER_SEND) {
            const chunk = group.slice(start, start + PER_SEND);
            const result = await producer.send({
              compression: codec,
              messages: chunk.map((r) => ({
                topic: TOPIC,
                key: r.key,
                value: r.value,
                headers: new Map(r.headers),
                timestamp: BigInt(r.timestamp),
              })),
            });
            const baseOffsets = new Map(
              (result.offsets ?? []).map((o) => [o.partition, Number(o.offset)] as const),
            );
            acks.push(...acksFromBaseOffsets(chunk, partitionOf, baseOffsets));
          }
        }
      } finally {
        await producer.close();
      }

      const stored = await readStoredTopic(test.broker.port, TOPIC);
      assertStoredCodecs(stored, CODEC_NAMES);
      assertProducerIds(stored, true);
      verifyConsumed(records, stored.records, {
        partitions: PARTITIONS,
        acks,
        exactTimestamps: true,
        exactHeaders: true,
      });
    },
  );

  it(
    'consumes them back with Consumer.fetch() from offset 0, without a group',
    { skip: SKIP },
    async () => {
      const consumer = new pk.Consumer({
        clientId: 'weir-interop-platformatic',
        bootstrapBrokers: [test.bootstrap],
        groupId: 'weir-interop-unused',
      });
      const consumed: ConsumedRecord[] = [];
      try {
        const metadata = await consumer.metadata({ topics: [TOPIC] });
        const topic = metadata.topics.get(TOPIC)!;
        assert.equal(topic.partitionsCount, PARTITIONS);
        for (let partition = 0; partition < PARTITIONS; partition++) {
          let offset = 0n;
          for (;;) {
            const response = await consumer.fetch({
              node: topic.partitions[partition]!.leader,
              maxWaitTime: 100,
              topics: [
                {
                  topicId: topic.id,
                  partitions: [
                    {
                      partition,
                      fetchOffset: offset,
                      partitionMaxBytes: 4 << 20,
                      currentLeaderEpoch: -1,
                      lastFetchedEpoch: -1,
                    },
                  ],
                },
              ],
            });
            const data = response.responses[0]!.partitions[0]!;
            assert.equal(data.errorCode, 0, `fetch error on partition ${partition}`);
            for (const batch of data.records ?? []) {
              for (const record of batch.records) {
                const recordOffset = batch.firstOffset + BigInt(record.offsetDelta);
                if (recordOffset < offset) continue;
                consumed.push({
                  partition,
                  offset: Number(recordOffset),
                  timestamp: Number(batch.firstTimestamp + record.timestampDelta),
                  key: record.key?.toString() ?? null,
                  value: record.value?.toString() ?? null,
                  headers: record.headers.map(([k, v]) => [
                    k?.toString() ?? '',
                    v === null ? null : v.toString(),
                  ]),
                });
              }
              offset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
            }
            if (offset >= data.highWatermark) break;
            assert.ok((data.records ?? []).length > 0, `no progress on partition ${partition}`);
          }
        }
      } finally {
        await consumer.close();
      }
      verifyConsumed(records, consumed, {
        partitions: PARTITIONS,
        acks,
        exactTimestamps: true,
        exactHeaders: true,
      });
    },
  );
});
