/**
 * Golden bytes: request frames captured from real clients (kcat/librdkafka 2.0.2,
 * confluent-kafka-python, kafka-python 2.0.2, KafkaJS 2.2.4; see
 * scripts/capture-golden.mjs) must decode to what the client was asked to send and
 * re-encode to the very same bytes.
 *
 * The expectations come from outside the codec: the client id, topics, acks, codec and
 * records each scenario configured (fixtures/golden/manifest.json), header fields read
 * straight from the bytes, and record batch fields read at their fixed offsets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiKey,
  decodeRequestFrame,
  encodeRequestFrame,
  type DecodedRequest,
} from '../../../src/protocol/kafka/index.js';
import type { CreateTopicsRequest } from '../../../src/protocol/kafka/generated/messages/create-topics.js';
import type { DeleteTopicsRequest } from '../../../src/protocol/kafka/generated/messages/delete-topics.js';
import type { FetchRequest } from '../../../src/protocol/kafka/generated/messages/fetch.js';
import type { FindCoordinatorRequest } from '../../../src/protocol/kafka/generated/messages/find-coordinator.js';
import type { HeartbeatRequest } from '../../../src/protocol/kafka/generated/messages/heartbeat.js';
import type { InitProducerIdRequest } from '../../../src/protocol/kafka/generated/messages/init-producer-id.js';
import type { JoinGroupRequest } from '../../../src/protocol/kafka/generated/messages/join-group.js';
import type { LeaveGroupRequest } from '../../../src/protocol/kafka/generated/messages/leave-group.js';
import type { ListOffsetsRequest } from '../../../src/protocol/kafka/generated/messages/list-offsets.js';
import type { MetadataRequest } from '../../../src/protocol/kafka/generated/messages/metadata.js';
import type { OffsetCommitRequest } from '../../../src/protocol/kafka/generated/messages/offset-commit.js';
import type { OffsetFetchRequest } from '../../../src/protocol/kafka/generated/messages/offset-fetch.js';
import type { ProduceRequest } from '../../../src/protocol/kafka/generated/messages/produce.js';
import type { SyncGroupRequest } from '../../../src/protocol/kafka/generated/messages/sync-group.js';
import type { ApiVersionsRequest } from '../../../src/protocol/kafka/generated/messages/api-versions.js';
import {
  CODEC_IDS,
  goldenFrames,
  goldenScenarios,
  type GoldenFrame,
} from './fixtures/golden-fixtures.js';

const frames = goldenFrames();
const scenarios = goldenScenarios();

/** First flexible version per API, from Kafka's *Request.json "flexibleVersions". */
const FIRST_FLEXIBLE: Record<number, number> = {
  [ApiKey.Produce]: 9,
  [ApiKey.Fetch]: 12,
  [ApiKey.ListOffsets]: 6,
  [ApiKey.Metadata]: 9,
  [ApiKey.OffsetCommit]: 8,
  [ApiKey.OffsetFetch]: 6,
  [ApiKey.FindCoordinator]: 3,
  [ApiKey.JoinGroup]: 6,
  [ApiKey.Heartbeat]: 4,
  [ApiKey.LeaveGroup]: 4,
  [ApiKey.SyncGroup]: 4,
  [ApiKey.ApiVersions]: 3,
  [ApiKey.CreateTopics]: 5,
  [ApiKey.DeleteTopics]: 4,
  [ApiKey.InitProducerId]: 2,
};

/** Topic names any scenario uses; a decoded name outside this set is garbage. */
const KNOWN_TOPICS = new Set(['golden', 'golden-multi', 'golden-admin', 'golden-admin-rdk']);

// RecordBatch v2 field offsets (docs/implementation/message-format.md).
const BATCH = {
  length: 8,
  magic: 16,
  attributes: 21,
  lastOffsetDelta: 23,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  headerSize: 61,
};

/** The header fields read from the bytes by hand (size prefix included in `bytes`). */
function rawHeader(bytes: Buffer): {
  size: number;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  end: number;
} {
  const clientIdLength = bytes.readInt16BE(12);
  const clientId =
    clientIdLength < 0 ? null : bytes.subarray(14, 14 + clientIdLength).toString('utf8');
  return {
    size: bytes.readInt32BE(0),
    apiKey: bytes.readInt16BE(4),
    apiVersion: bytes.readInt16BE(6),
    correlationId: bytes.readInt32BE(8),
    clientId,
    end: 14 + Math.max(clientIdLength, 0),
  };
}

function isLibrdkafka(frame: GoldenFrame): boolean {
  return frame.client === 'kcat' || frame.client === 'confluent-kafka-python';
}

/** Checks one Produce partition's records: exactly one v2 batch, as the scenario configured. */
function checkProducedBatch(frame: GoldenFrame, records: Buffer | null): number {
  const s = frame.scenarioInfo;
  assert.ok(records !== null, 'records are present');
  assert.ok(records.length >= BATCH.headerSize, `batch of ${records.length} bytes`);
  assert.equal(records.readInt32BE(BATCH.length) + 12, records.length, 'one whole batch');
  assert.equal(records.readInt8(BATCH.magic), 2, 'magic 2');
  const attributes = records.readInt16BE(BATCH.attributes);
  assert.equal(attributes & 7, CODEC_IDS[s.codec!], `compression ${s.codec}`);
  assert.equal(attributes & 0x30, 0, 'neither transactional nor control');
  assert.equal(records.readBigInt64BE(BATCH.producerId), s.idempotent ? 1000n : -1n);
  const count = records.readInt32BE(BATCH.recordCount);
  assert.equal(records.readInt32BE(BATCH.lastOffsetDelta), count - 1);
  if (!s.idempotent) {
    // KafkaJS writes sequence 0 even without a producer id; the others write -1.
    assert.equal(records.readInt32BE(BATCH.baseSequence), frame.client === 'kafkajs' ? 0 : -1);
  }
  return count;
}

function checkBody(frame: GoldenFrame, decoded: DecodedRequest): void {
  const s = frame.scenarioInfo;
  const v = frame.apiVersion;
  const sentTopics = new Set(s.sent.map((r) => r.topic));
  switch (frame.apiKey) {
    case ApiKey.ApiVersions: {
      const body = decoded.body as ApiVersionsRequest;
      if (v < 3) {
        assert.equal(rawHeader(frame.bytes).end, frame.bytes.length, 'v0-2 bodies are empty');
        return;
      }
      assert.equal(
        body.clientSoftwareName,
        frame.client === 'kcat' ? 'librdkafka' : 'confluent-kafka-python',
      );
      assert.match(body.clientSoftwareVersion, /2\.0\.2$/);
      return;
    }
    case ApiKey.Metadata: {
      const body = decoded.body as MetadataRequest;
      for (const topic of body.topics ?? []) assert.ok(KNOWN_TOPICS.has(topic.name!), topic.name!);
      if (s.name.startsWith('kcat-produce')) {
        assert.deepEqual(
          body.topics?.map((t) => t.name),
          ['golden'],
        );
        assert.equal(body.allowAutoTopicCreation, true);
      }
      if (s.name === 'kafkajs-produce-none' && v === 6) {
        assert.deepEqual(
          body.topics?.map((t) => t.name),
          ['golden', 'golden-multi'],
        );
      }
      if (frame.client === 'kafka-python' && v === 1) assert.equal(body.topics, null);
      if (v < 4) assert.equal(body.allowAutoTopicCreation, true, 'default before v4');
      return;
    }
    case ApiKey.Produce: {
      const body = decoded.body as ProduceRequest;
      assert.equal(body.transactionalId, null);
      assert.equal(body.acks, s.acks);
      assert.equal(body.timeoutMs, 30000);
      assert.ok(body.topicData.length > 0);
      for (const topic of body.topicData) {
        assert.ok(sentTopics.has(topic.name), `produced to ${topic.name}`);
        const partitions = new Set(
          s.sent.filter((r) => r.topic === topic.name).map((r) => r.partition),
        );
        for (const partition of topic.partitionData) {
          assert.ok(partitions.has(partition.index), `partition ${partition.index}`);
          assert.ok(checkProducedBatch(frame, partition.records) > 0);
        }
      }
      return;
    }
    case ApiKey.Fetch: {
      const body = decoded.body as FetchRequest;
      assert.equal(body.replicaId, -1);
      assert.equal(body.isolationLevel, 1, 'read_committed is the default of both clients');
      assert.equal(body.minBytes, 1);
      assert.equal(body.maxWaitMs, frame.client === 'kcat' ? 500 : 100);
      assert.equal(body.sessionEpoch, -1);
      const topic = frame.client === 'kcat' ? 'golden' : 'golden-multi';
      assert.deepEqual(
        body.topics.map((t) => t.topic),
        [topic],
      );
      const partitions = body.topics[0]!.partitions;
      assert.deepEqual(
        partitions.map((p) => p.partition).sort(),
        frame.client === 'kcat' ? [0] : [0, 1, 2],
      );
      for (const p of partitions) {
        assert.ok(p.fetchOffset >= 0n);
        assert.equal(p.partitionMaxBytes, 1048576);
        if (v >= 5) assert.equal(p.logStartOffset, -1n);
        if (v >= 9) assert.equal(p.currentLeaderEpoch, -1);
      }
      return;
    }
    case ApiKey.ListOffsets: {
      const body = decoded.body as ListOffsetsRequest;
      assert.equal(body.replicaId, -1);
      const [topic] = body.topics;
      assert.ok(topic && (topic.name === 'golden' || topic.name === 'golden-multi'));
      for (const p of topic.partitions) {
        assert.ok(p.timestamp === -1n || p.timestamp === -2n, `timestamp ${p.timestamp}`);
      }
      if (frame.client === 'kcat') {
        assert.deepEqual(
          topic.partitions.map((p) => [p.partitionIndex, p.timestamp]),
          [[0, -2n]],
        );
        assert.equal(body.isolationLevel, v >= 2 ? 1 : 0);
      }
      return;
    }
    case ApiKey.CreateTopics: {
      const body = decoded.body as CreateTopicsRequest;
      const expected =
        frame.client === 'kafkajs'
          ? { name: 'golden-admin', numPartitions: 3, config: ['cleanup.policy', 'compact'] }
          : { name: 'golden-admin-rdk', numPartitions: 2, config: ['retention.ms', '60000'] };
      assert.equal(body.topics.length, 1);
      const [topic] = body.topics;
      assert.equal(topic!.name, expected.name);
      assert.equal(topic!.numPartitions, expected.numPartitions);
      assert.equal(topic!.replicationFactor, 1);
      assert.deepEqual(topic!.assignments, []);
      assert.deepEqual(
        topic!.configs.map((c) => [c.name, c.value]),
        [expected.config],
      );
      assert.equal(body.timeoutMs, 5000);
      assert.equal(body.validateOnly, false);
      return;
    }
    case ApiKey.DeleteTopics: {
      const body = decoded.body as DeleteTopicsRequest;
      assert.deepEqual(body.topicNames, ['golden-admin']);
      assert.equal(body.timeoutMs, 5000);
      return;
    }
    case ApiKey.InitProducerId: {
      const body = decoded.body as InitProducerIdRequest;
      assert.equal(body.transactionalId, null);
      assert.equal(body.transactionTimeoutMs, isLibrdkafka(frame) ? -1 : 60000);
      if (v >= 3) {
        assert.equal(body.producerId, -1n);
        assert.equal(body.producerEpoch, -1);
      }
      return;
    }
    case ApiKey.FindCoordinator: {
      const body = decoded.body as FindCoordinatorRequest;
      assert.equal(body.key, 'golden-group');
      assert.equal(body.keyType, 0);
      return;
    }
    case ApiKey.JoinGroup: {
      const body = decoded.body as JoinGroupRequest;
      assert.equal(body.groupId, 'golden-group');
      assert.equal(body.sessionTimeoutMs, 30000);
      assert.equal(body.rebalanceTimeoutMs, 60000);
      assert.equal(body.protocolType, 'consumer');
      assert.equal(body.groupInstanceId, null);
      assert.deepEqual(
        body.protocols.map((p) => p.name),
        ['RoundRobinAssigner'],
      );
      // ConsumerProtocolSubscription v?: int16 version, then [topics] holding "golden-multi".
      assert.ok(body.protocols[0]!.metadata.includes(Buffer.from('golden-multi')));
      return;
    }
    case ApiKey.SyncGroup: {
      const body = decoded.body as SyncGroupRequest;
      assert.equal(body.groupId, 'golden-group');
      assert.equal(body.generationId, 1);
      assert.equal(body.memberId, 'golden-kafkajs-consumer-1');
      assert.deepEqual(
        body.assignments.map((a) => a.memberId),
        [body.memberId],
      );
      assert.ok(body.assignments[0]!.assignment.includes(Buffer.from('golden-multi')));
      return;
    }
    case ApiKey.OffsetFetch: {
      const body = decoded.body as OffsetFetchRequest;
      assert.equal(body.groupId, 'golden-group');
      assert.deepEqual(
        body.topics?.map((t) => [t.name, [...t.partitionIndexes].sort()]),
        [['golden-multi', [0, 1, 2]]],
      );
      return;
    }
    case ApiKey.OffsetCommit: {
      const body = decoded.body as OffsetCommitRequest;
      assert.equal(body.groupId, 'golden-group');
      assert.equal(body.generationIdOrMemberEpoch, 1);
      assert.equal(body.memberId, 'golden-kafkajs-consumer-1');
      assert.deepEqual(
        body.topics.map((t) => t.name),
        ['golden-multi'],
      );
      for (const p of body.topics[0]!.partitions) {
        assert.ok(p.partitionIndex >= 0 && p.partitionIndex < 3);
        assert.ok(p.committedOffset >= 0n && p.committedOffset <= 1n);
      }
      return;
    }
    case ApiKey.Heartbeat: {
      const body = decoded.body as HeartbeatRequest;
      assert.equal(body.groupId, 'golden-group');
      return;
    }
    case ApiKey.LeaveGroup: {
      const body = decoded.body as LeaveGroupRequest;
      assert.equal(body.groupId, 'golden-group');
      assert.deepEqual(
        body.members.map((m) => m.memberId),
        ['golden-kafkajs-consumer-1'],
      );
      return;
    }
    default:
      assert.fail(`no expectations for ${frame.apiName}; add them`);
  }
}

describe('golden request frames from real clients', () => {
  it('cover the versions the clients are known to send', () => {
    const seen = new Set(frames.map((f) => `${f.apiName} v${f.apiVersion}`));
    const expected = [
      'ApiVersions v0',
      'ApiVersions v2',
      'ApiVersions v3',
      'Metadata v0',
      'Metadata v1',
      'Metadata v4',
      'Metadata v6',
      'Produce v3',
      'Produce v7',
      'Fetch v4',
      'Fetch v11',
      'ListOffsets v1',
      'ListOffsets v2',
      'ListOffsets v3',
      'CreateTopics v3',
      'CreateTopics v4',
      'DeleteTopics v1',
      'InitProducerId v1',
      'InitProducerId v4',
      'FindCoordinator v2',
      'JoinGroup v5',
      'SyncGroup v3',
      'OffsetFetch v4',
      'OffsetCommit v5',
      'LeaveGroup v3',
    ];
    for (const name of expected) assert.ok(seen.has(name), `missing ${name}`);
    for (const client of ['kcat', 'kafkajs', 'confluent-kafka-python', 'kafka-python']) {
      assert.ok(
        frames.some((f) => f.client === client && f.apiKey === ApiKey.Produce),
        client,
      );
    }
    for (const s of scenarios) {
      if (s.sent.length === 0) continue;
      assert.ok(
        frames.some((f) => f.scenario === s.name && f.apiKey === ApiKey.Produce),
        `${s.name} has a Produce frame`,
      );
    }
  });

  for (const frame of frames) {
    it(`${frame.file} (${frame.client})`, () => {
      assert.equal(frame.decodeError, null, 'the capture tool decoded it');
      const raw = rawHeader(frame.bytes);
      assert.equal(raw.size, frame.bytes.length - 4, 'size prefix');
      assert.equal(raw.apiKey, frame.apiKey);
      assert.equal(raw.apiVersion, frame.apiVersion);

      const decoded = decodeRequestFrame(frame.bytes.subarray(4));
      const flexible = frame.apiVersion >= (FIRST_FLEXIBLE[frame.apiKey] ?? Infinity);
      assert.equal(decoded.headerVersion, flexible ? 2 : 1);
      assert.equal(decoded.api.apiKey, frame.apiKey);
      assert.equal(decoded.api.name, frame.apiName);
      assert.deepEqual(decoded.header, {
        requestApiKey: frame.apiKey,
        requestApiVersion: frame.apiVersion,
        correlationId: raw.correlationId,
        clientId: frame.scenarioInfo.clientId,
      });
      assert.equal(raw.clientId, frame.scenarioInfo.clientId, 'ClientId: int16 length + utf8');
      if (flexible) {
        // Header v2 ends with an empty tagged-field section (one 0x00 byte).
        assert.equal(frame.bytes[raw.end], 0);
      }
      checkBody(frame, decoded);

      const encoded = Buffer.concat(
        encodeRequestFrame(
          frame.apiKey,
          frame.apiVersion,
          decoded.header.correlationId,
          decoded.header.clientId,
          decoded.body,
        ),
      );
      assert.ok(encoded.equals(frame.bytes), 're-encodes to the captured bytes');
    });
  }

  it('Produce frames carry every record each scenario sent', () => {
    for (const s of scenarios) {
      const counts = new Map<string, number>();
      for (const frame of frames.filter((f) => f.scenario === s.name)) {
        if (frame.apiKey !== ApiKey.Produce) continue;
        const body = decodeRequestFrame(frame.bytes.subarray(4)).body as ProduceRequest;
        for (const t of body.topicData) {
          for (const p of t.partitionData) {
            const key = `${t.name}/${p.index}`;
            counts.set(key, (counts.get(key) ?? 0) + p.records!.readInt32BE(BATCH.recordCount));
          }
        }
      }
      const expected = new Map<string, number>();
      for (const r of s.sent) {
        const key = `${r.topic}/${r.partition}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      assert.deepEqual(counts, expected, s.name);
    }
  });
});
