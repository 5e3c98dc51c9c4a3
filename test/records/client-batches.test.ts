/**
 * Record batches written by real clients — librdkafka 2.0.2 (kcat, confluent-kafka-python),
 * kafka-python 2.0.2 and KafkaJS 2.2.4 — with every compression codec they offer, taken
 * from the golden Produce frames (test/protocol/kafka/fixtures/golden, captured by
 * scripts/capture-golden.mjs).
 *
 * Each batch must pass validateProducedBatch (magic, CRC-32C, counts), have sane header
 * fields, and its records must be exactly the keys, values and headers the client was
 * asked to send, in order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, decodeRequestFrame } from '../../src/protocol/kafka/index.js';
import type { ProduceRequest } from '../../src/protocol/kafka/generated/messages/produce.js';
import {
  CRC_OFFSET,
  ATTRIBUTES_OFFSET,
  RecordBatchView,
  TimestampType,
  crc32cFallback,
  readRecords,
  splitBatches,
  validateProducedBatch,
  type KafkaRecord,
} from '../../src/records/index.js';
import {
  CODEC_IDS,
  goldenFrames,
  goldenScenarios,
  type GoldenFrame,
  type GoldenScenario,
  type SentRecord,
} from '../protocol/kafka/fixtures/golden-fixtures.js';

/** The capture ran in November 2026; client clocks put timestamps in a sane window. */
const EARLIEST = BigInt(Date.UTC(2024, 0, 1));
const LATEST = BigInt(Date.UTC(2100, 0, 1));

interface ProducedBatch {
  frame: GoldenFrame;
  topic: string;
  partition: number;
  records: Buffer;
}

function producedBatches(scenario: GoldenScenario): ProducedBatch[] {
  const batches: ProducedBatch[] = [];
  for (const frame of goldenFrames()) {
    if (frame.scenario !== scenario.name || frame.apiKey !== ApiKey.Produce) continue;
    const body = decodeRequestFrame(frame.bytes.subarray(4)).body as ProduceRequest;
    for (const topic of body.topicData) {
      for (const p of topic.partitionData) {
        assert.ok(p.records, `${frame.file}: records present`);
        batches.push({ frame, topic: topic.name, partition: p.index, records: p.records });
      }
    }
  }
  return batches;
}

/** A record as the manifest writes what was sent: hex bytes, null kept. */
function asSent(topic: string, partition: number, record: KafkaRecord): SentRecord {
  const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));
  return {
    topic,
    partition,
    key: hex(record.key),
    value: hex(record.value),
    headers: record.headers.map((h) => [h.key, hex(h.value)]),
  };
}

function checkHeader(batch: ProducedBatch, view: RecordBatchView): void {
  const s = batch.frame.scenarioInfo;
  const where = `${batch.frame.file} ${batch.topic}/${batch.partition}`;
  assert.equal(view.sizeInBytes, batch.records.length, `${where}: exactly one batch`);
  assert.equal(view.magic, 2);
  assert.equal(view.compression, CODEC_IDS[s.codec!], `${where}: codec ${s.codec}`);
  assert.equal(view.timestampType, TimestampType.CREATE_TIME);
  assert.equal(view.isTransactional, false);
  assert.equal(view.isControl, false);
  assert.equal(view.hasDeleteHorizonMs, false);
  assert.equal(view.baseOffset, 0n, 'clients leave offsets to the broker');
  assert.equal(view.partitionLeaderEpoch, 0, 'clients of this age send 0 here');
  assert.ok(view.recordCount > 0);
  assert.equal(view.lastOffsetDelta, view.recordCount - 1);
  assert.ok(view.baseTimestamp >= EARLIEST && view.baseTimestamp < LATEST, `${where}: timestamp`);
  assert.ok(view.maxTimestamp >= view.baseTimestamp);
  if (s.idempotent) {
    assert.equal(view.producerId, 1000n, 'the id the fake broker handed out');
    assert.equal(view.producerEpoch, 0);
    assert.ok(view.baseSequence >= 0);
  } else {
    assert.equal(view.producerId, -1n);
    // KafkaJS fills epoch and sequence with 0 even without a producer id.
    const unset = s.client === 'kafkajs' ? 0 : -1;
    assert.equal(view.producerEpoch, unset);
    assert.equal(view.baseSequence, unset);
  }
}

const scenarios = goldenScenarios().filter((s) => s.sent.length > 0);

describe('record batches produced by real clients', () => {
  it('cover every codec each client offers', () => {
    const seen = new Set(scenarios.map((s) => `${s.client}/${s.codec}`));
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
    for (const client of ['kcat', 'confluent-kafka-python', 'kafka-python']) {
      for (const codec of codecs) assert.ok(seen.has(`${client}/${codec}`), `${client}/${codec}`);
    }
    // KafkaJS ships gzip only; the other codecs need third-party packages.
    for (const codec of ['none', 'gzip']) assert.ok(seen.has(`kafkajs/${codec}`), codec);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: valid batches holding exactly what ${scenario.client} sent`, async () => {
      const batches = producedBatches(scenario);
      assert.ok(batches.length > 0);
      const received: SentRecord[] = [];
      let sequence = 0;
      for (const batch of batches) {
        const validation = validateProducedBatch(batch.records);
        assert.ok(validation.ok, validation.ok ? '' : `${validation.code}: ${validation.message}`);
        const view = validation.batch;
        assert.equal(view.isCrcValid(), true);
        // CRC-32C over attributes..end, by the portable implementation as a cross-check.
        assert.equal(crc32cFallback(batch.records.subarray(ATTRIBUTES_OFFSET)), view.crc);
        assert.equal(batch.records.readUInt32BE(CRC_OFFSET), view.crc);
        assert.deepEqual(
          splitBatches(batch.records).batches.map((b) => b.sizeInBytes),
          [batch.records.length],
        );
        checkHeader(batch, view);
        if (scenario.idempotent) {
          assert.equal(view.baseSequence, sequence, 'sequences continue across batches');
          sequence += view.recordCount;
        }

        let index = 0;
        for (const record of await readRecords(view)) {
          assert.equal(record.offsetDelta, index, 'offset deltas count up from 0');
          assert.equal(record.offset, BigInt(index));
          assert.equal(record.attributes, 0);
          assert.ok(record.timestamp >= view.baseTimestamp);
          assert.ok(record.timestamp <= view.maxTimestamp);
          received.push(asSent(batch.topic, batch.partition, record));
          index++;
        }
        assert.equal(index, view.recordCount);
      }

      // Per partition, records arrive in the order they were sent.
      const byPartition = (records: SentRecord[]): Map<string, SentRecord[]> => {
        const map = new Map<string, SentRecord[]>();
        for (const r of records) {
          const key = `${r.topic}/${r.partition}`;
          map.set(key, [...(map.get(key) ?? []), r]);
        }
        return map;
      };
      assert.deepEqual(byPartition(received), byPartition(scenario.sent));
    });
  }

  it('a flipped bit anywhere after the CRC field fails validation', () => {
    const [batch] = producedBatches(scenarios.find((s) => s.codec === 'zstd')!);
    for (let at = ATTRIBUTES_OFFSET; at < batch!.records.length; at += 7) {
      const copy = Buffer.from(batch!.records);
      copy[at]! ^= 0x10;
      const result = validateProducedBatch(copy);
      assert.equal(result.ok, false, `bit flip at ${at}`);
    }
  });
});
