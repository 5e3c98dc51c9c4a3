#!/usr/bin/env node
// Captures golden request frames from real Kafka clients.
//
// Starts a tiny fake broker on 127.0.0.1 that answers with Weir's own codecs (just enough
// for the clients to get on: ApiVersions, Metadata, Produce, Fetch, ListOffsets,
// CreateTopics, DeleteTopics, InitProducerId and a one-member consumer group), drives it
// with kcat, KafkaJS, python3-confluent-kafka and python3-kafka, and writes every distinct
// request frame the clients sent to test/protocol/kafka/fixtures/golden/ as raw bytes
// (size prefix included) plus a manifest with what each client was asked to send.
//
// Usage:  npx tsc -p . && node scripts/capture-golden.mjs [--only name,name] [--dry-run] [--force]
// Nothing is written when a scenario fails, unless --force (then the failed ones are
// written as captured).
//
// Needs: kcat, /usr/bin/python3 with confluent_kafka and kafka (python3-confluent-kafka,
// python3-kafka; python3-snappy, python3-lz4, python3-zstandard for kafka-python's codecs)
// and the kafkajs devDependency. A scenario whose client is missing is skipped, and the
// fixtures of skipped scenarios are kept from the previous run.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist/src/protocol/kafka');
const OUT = join(ROOT, 'test/protocol/kafka/fixtures/golden');
const PYTHON = '/usr/bin/python3';

if (!existsSync(join(DIST, 'index.js'))) {
  console.error('dist/ is missing: run `npx tsc -p .` first');
  process.exit(1);
}
const kafka = await import(join(DIST, 'index.js'));
const {
  ApiKey,
  WEIR_API_SUPPORT,
  decodeRequestFrame,
  encodeResponseFrame,
  UnsupportedRequestError,
} = kafka;
const messageModule = (name) => import(join(DIST, 'generated/messages', `${name}.js`));
const modules = {
  metadata: await messageModule('metadata'),
  produce: await messageModule('produce'),
  fetch: await messageModule('fetch'),
  listOffsets: await messageModule('list-offsets'),
  createTopics: await messageModule('create-topics'),
  findCoordinator: await messageModule('find-coordinator'),
  joinGroup: await messageModule('join-group'),
  offsetFetch: await messageModule('offset-fetch'),
};

/**
 * The generated `default<Struct>()` of a message module whose name ends with `suffix`
 * (struct names may be shortened by the generator, the suffix stays).
 */
function defaults(module, suffix) {
  const found = Object.keys(modules[module]).filter(
    (name) => name.startsWith('default') && name.endsWith(suffix),
  );
  if (found.length !== 1) throw new Error(`${module}: want one default*${suffix}, got ${found}`);
  return modules[module][found[0]];
}

const M = {
  metadataResponse: defaults('metadata', 'MetadataResponse'),
  metadataTopic: defaults('metadata', 'ResponseTopic'),
  metadataPartition: defaults('metadata', 'ResponsePartition'),
  produceResponse: modules.produce.defaultProduceResponse,
  producePartition: defaults('produce', 'PartitionProduceResponse'),
  fetchPartition: defaults('fetch', 'ResponsePartitionData'),
  listOffsetsPartition: defaults('listOffsets', 'PartitionResponse'),
  createTopicsResult: defaults('createTopics', 'CreatableTopicResult'),
  findCoordinatorResponse: defaults('findCoordinator', 'FindCoordinatorResponse'),
  joinGroupResponse: defaults('joinGroup', 'JoinGroupResponse'),
  offsetFetchResponse: defaults('offsetFetch', 'OffsetFetchResponse'),
};

// ---------------------------------------------------------------------------------------
// What the clients send. Values are long and repetitive so that compression has work.

const FILLER = ' golden bytes for weir'.repeat(8);
const hex = (value) => (value === null ? null : Buffer.from(value).toString('hex'));

/** Messages for clients that can send null keys/values and per-message headers. */
const RICH_MESSAGES = [
  {
    key: 'key-0',
    value: `value-0${FILLER}`,
    headers: [
      ['trace', 'golden'],
      ['n', '0'],
    ],
  },
  { key: 'key-1', value: `value-1${FILLER}`, headers: [['trace', 'golden']] },
  { key: null, value: `value-2 null key${FILLER}`, headers: [] },
  { key: 'key-3', value: null, headers: [['tombstone', 'yes']] },
  { key: 'key-4 ✓', value: `value-4 unicode ✓ ${FILLER}`, headers: [['bin', '\u0000\u0001']] },
];

/** kcat reads key:value lines and applies the same -H headers to every message. */
const KCAT_MESSAGES = [0, 1, 2, 3].map((i) => ({
  key: `key-${i}`,
  value: `value-${i}${FILLER}`,
  headers: [['trace', 'golden']],
}));

const sentRecord = (m, topic = 'golden', partition = 0) => ({
  topic,
  partition,
  key: hex(m.key),
  value: hex(m.value),
  headers: m.headers.map(([k, v]) => [k, hex(v)]),
});

// ---------------------------------------------------------------------------------------
// The fake broker.

const CLUSTER_ID = 'golden-cluster';
const PRODUCER_ID = 1000n;

/** Deterministic 16-byte topic ids, as base64url (Weir's in-memory UUID form). */
function topicIdFor(name) {
  const bytes = Buffer.alloc(16);
  Buffer.from(name).copy(bytes, 0, 0, 16);
  bytes[15] ^= 0x5a;
  return bytes.toString('base64url');
}

class FakeBroker {
  constructor() {
    this.topics = new Map(); // name -> { id, partitions }
    this.logs = new Map(); // `${topic}/${partition}` -> { batches: [{base, last, bytes}], next }
    this.frames = [];
    this.errors = [];
    this.advertiseOverride = {};
    this.sockets = new Set();
    this.createTopic('golden', 1);
    this.createTopic('golden-multi', 3);
  }

  createTopic(name, partitions) {
    if (!this.topics.has(name)) this.topics.set(name, { id: topicIdFor(name), partitions });
    return this.topics.get(name);
  }

  log(topic, partition) {
    const key = `${topic}/${partition}`;
    if (!this.logs.has(key)) this.logs.set(key, { batches: [], next: 0n });
    return this.logs.get(key);
  }

  async start() {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  async stop() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  begin(scenario) {
    this.frames = [];
    this.errors = [];
    this.advertiseOverride = scenario.advertise ?? {};
  }

  accept(socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const whole = Buffer.from(pending.subarray(0, 4 + size));
        pending = pending.subarray(4 + size);
        chain = chain.then(() => this.handle(socket, whole));
      }
    });
  }

  async handle(socket, whole) {
    if (socket.destroyed) return;
    const frame = whole.subarray(4);
    const record = { bytes: whole, apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2) };
    this.frames.push(record);
    let request;
    try {
      request = decodeRequestFrame(frame);
    } catch (error) {
      if (error instanceof UnsupportedRequestError && record.apiKey === ApiKey.ApiVersions) {
        // Too new an ApiVersions: answer with a v0 body, error 35 (UNSUPPORTED_VERSION).
        const body = { ...this.apiVersionsBody(), errorCode: 35 };
        body.apiKeys = body.apiKeys.filter((k) => k.apiKey === ApiKey.ApiVersions);
        socket.write(Buffer.concat(encodeResponseFrame(18, 0, error.header.correlationId, body)));
        return;
      }
      record.decodeError = String(error);
      this.errors.push(`${record.apiKey}v${record.apiVersion}: ${error}`);
      socket.destroy();
      return;
    }
    record.clientId = request.header.clientId;
    record.correlationId = request.header.correlationId;
    let answer;
    try {
      answer = await this.respond(request);
    } catch (error) {
      this.errors.push(`answering ${request.api.name} v${record.apiVersion}: ${error.stack}`);
      socket.destroy();
      return;
    }
    if (answer === null || socket.destroyed) return;
    const { apiKey, apiVersion, correlationId } = {
      apiKey: record.apiKey,
      apiVersion: record.apiVersion,
      correlationId: request.header.correlationId,
    };
    socket.write(Buffer.concat(encodeResponseFrame(apiKey, apiVersion, correlationId, answer)));
  }

  apiVersionsBody() {
    return {
      errorCode: 0,
      apiKeys: WEIR_API_SUPPORT.map((s) => {
        const [min, max] = this.advertiseOverride[s.apiKey] ?? [s.advertised.min, s.advertised.max];
        return { apiKey: s.apiKey, minVersion: min, maxVersion: max };
      }),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  }

  /** The response body for a request, or null when none is due (Produce acks=0). */
  async respond({ api, header, body }) {
    const v = header.requestApiVersion;
    switch (api.apiKey) {
      case ApiKey.ApiVersions:
        return this.apiVersionsBody();
      case ApiKey.Metadata:
        return this.metadata(body, v);
      case ApiKey.Produce:
        return this.produce(body);
      case ApiKey.Fetch:
        return this.fetch(body);
      case ApiKey.ListOffsets:
        return {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              ...M.listOffsetsPartition(),
              partitionIndex: p.partitionIndex,
              timestamp: -1n,
              offset: p.timestamp === -2n ? 0n : this.log(t.name, p.partitionIndex).next,
              leaderEpoch: 0,
            })),
          })),
        };
      case ApiKey.CreateTopics:
        return {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => {
            const topic = this.createTopic(t.name, t.numPartitions > 0 ? t.numPartitions : 1);
            return {
              ...M.createTopicsResult(),
              name: t.name,
              topicId: topic.id,
              numPartitions: topic.partitions,
              replicationFactor: 1,
              configs: [],
            };
          }),
        };
      case ApiKey.DeleteTopics:
        return {
          throttleTimeMs: 0,
          responses: (body.topicNames ?? []).map((name) => {
            this.topics.delete(name);
            return { name, topicId: topicIdFor(name), errorCode: 0, errorMessage: null };
          }),
        };
      case ApiKey.InitProducerId:
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          producerId: PRODUCER_ID,
          producerEpoch: 0,
          ongoingTxnProducerId: -1n,
          ongoingTxnProducerEpoch: -1,
        };
      case ApiKey.FindCoordinator: {
        const node = { nodeId: 0, host: '127.0.0.1', port: this.port };
        return {
          ...M.findCoordinatorResponse(),
          errorCode: 0,
          ...node,
          coordinators: body.coordinatorKeys.map((key) => ({
            ...node,
            key,
            errorCode: 0,
            errorMessage: null,
          })),
        };
      }
      case ApiKey.JoinGroup: {
        const memberId = body.memberId || `${header.clientId ?? 'member'}-1`;
        const protocol = body.protocols[0];
        return {
          ...M.joinGroupResponse(),
          generationId: 1,
          protocolType: body.protocolType,
          protocolName: protocol.name,
          leader: memberId,
          memberId,
          members: [{ memberId, groupInstanceId: null, metadata: protocol.metadata }],
        };
      }
      case ApiKey.SyncGroup:
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          protocolType: body.protocolType,
          protocolName: body.protocolName,
          assignment:
            body.assignments.find((a) => a.memberId === body.memberId)?.assignment ??
            Buffer.alloc(0),
        };
      case ApiKey.OffsetFetch:
        return {
          ...M.offsetFetchResponse(),
          topics: (body.topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              committedOffset: -1n,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: 0,
            })),
          })),
        };
      case ApiKey.OffsetCommit:
        return {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => ({
            name: t.name,
            topicId: t.topicId,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
            })),
          })),
        };
      case ApiKey.Heartbeat:
        return { throttleTimeMs: 0, errorCode: 0 };
      case ApiKey.LeaveGroup:
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          members: (body.members ?? []).map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            errorCode: 0,
          })),
        };
      default:
        throw new Error(`the fake broker does not answer ${api.name}`);
    }
  }

  metadata(body, v) {
    let names;
    if (body.topics === null || (v === 0 && body.topics.length === 0)) {
      names = [...this.topics.keys()];
    } else {
      names = body.topics.map((t) => t.name);
    }
    const autoCreate = v < 4 || body.allowAutoTopicCreation;
    return {
      ...M.metadataResponse(),
      brokers: [{ nodeId: 0, host: '127.0.0.1', port: this.port, rack: null }],
      clusterId: CLUSTER_ID,
      controllerId: 0,
      topics: names.map((name) => {
        const topic = this.topics.get(name) ?? (autoCreate ? this.createTopic(name, 1) : null);
        if (topic === null) {
          return {
            ...M.metadataTopic(),
            name,
            errorCode: 3, // UNKNOWN_TOPIC_OR_PARTITION
          };
        }
        return {
          ...M.metadataTopic(),
          name,
          topicId: topic.id,
          partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
            ...M.metadataPartition(),
            partitionIndex,
            leaderId: 0,
            leaderEpoch: 0,
            replicaNodes: [0],
            isrNodes: [0],
            offlineReplicas: [],
          })),
        };
      }),
    };
  }

  produce(body) {
    const responses = body.topicData.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitionResponses: t.partitionData.map((p) => {
        const log = this.log(t.name, p.index);
        const base = log.next;
        const bytes = Buffer.from(p.records ?? Buffer.alloc(0));
        if (bytes.length >= 61) {
          const lastOffsetDelta = bytes.readInt32BE(23);
          bytes.writeBigInt64BE(base, 0); // the broker assigns offsets (CRC does not cover it)
          log.batches.push({ base, last: base + BigInt(lastOffsetDelta), bytes });
          log.next = base + BigInt(lastOffsetDelta) + 1n;
        }
        return {
          ...M.producePartition(),
          index: p.index,
          baseOffset: base,
          logStartOffset: 0n,
        };
      }),
    }));
    if (body.acks === 0) return null;
    return { ...M.produceResponse(), responses };
  }

  async fetch(body) {
    let total = 0;
    const responses = body.topics.map((t) => {
      const name = t.topic || [...this.topics].find(([, info]) => info.id === t.topicId)?.[0];
      return {
        topic: name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          const log = this.log(name, p.partition);
          const batches = log.batches.filter((b) => b.last >= p.fetchOffset).map((b) => b.bytes);
          const records = Buffer.concat(batches);
          total += records.length;
          return {
            ...M.fetchPartition(),
            partitionIndex: p.partition,
            highWatermark: log.next,
            lastStableOffset: log.next,
            logStartOffset: 0n,
            records,
          };
        }),
      };
    });
    if (total === 0) await sleep(Math.min(body.maxWaitMs, 100));
    return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses, nodeEndpoints: [] };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// Client drivers.

function run(command, args, { input, env, timeoutMs = 20000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function kcatProduce(port, scenario) {
  const input = scenario.sent.map((m) => `${m.keyText}:${m.valueText}`).join('\n') + '\n';
  return run(
    'kcat',
    [
      '-P',
      '-b',
      `127.0.0.1:${port}`,
      '-t',
      'golden',
      '-K',
      ':',
      '-z',
      scenario.codec,
      '-H',
      'trace=golden',
      '-X',
      `client.id=${scenario.clientId}`,
      '-X',
      'linger.ms=100',
    ],
    { input },
  );
}

async function kcatConsume(port, scenario) {
  return run('kcat', [
    '-C',
    '-b',
    `127.0.0.1:${port}`,
    '-t',
    'golden',
    '-p',
    '0',
    '-o',
    'beginning',
    '-e',
    '-q',
    '-X',
    `client.id=${scenario.clientId}`,
  ]);
}

const PY_MESSAGES = `
import json, os, sys
MESSAGES = json.loads(os.environ['GOLDEN_MESSAGES'])
def b(h):
    return None if h is None else bytes.fromhex(h)
`;

const CONFLUENT_PRODUCER = `${PY_MESSAGES}
from confluent_kafka import Producer
conf = json.loads(os.environ['GOLDEN_CONFIG'])
p = Producer(conf)
for m in MESSAGES:
    p.produce(m['topic'], key=b(m['key']), value=b(m['value']),
              headers=[(k, b(v)) for k, v in m['headers']], partition=m['partition'])
left = p.flush(15)
sys.exit(1 if left else 0)
`;

const CONFLUENT_ADMIN = `
import os, sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': os.environ['GOLDEN_BOOTSTRAP'], 'client.id': os.environ['GOLDEN_CLIENT_ID']})
fs = a.create_topics([NewTopic('golden-admin-rdk', num_partitions=2, replication_factor=1,
                               config={'retention.ms': '60000'})], operation_timeout=5)
for f in fs.values():
    f.result(timeout=10)
md = a.list_topics(timeout=10)
assert 'golden-admin-rdk' in md.topics, md.topics
`;

const KAFKA_PYTHON_PRODUCER = `${PY_MESSAGES}
from kafka import KafkaProducer
conf = json.loads(os.environ['GOLDEN_CONFIG'])
p = KafkaProducer(**conf)
for m in MESSAGES:
    p.send(m['topic'], key=b(m['key']), value=b(m['value']),
           headers=[(k, b(v)) for k, v in m['headers']], partition=m['partition'])
p.flush(15)
p.close(5)
`;

function python(script, env) {
  return run(PYTHON, ['-c', script], { env });
}

async function kafkajsRun(port, scenario) {
  const { Kafka, CompressionTypes, logLevel } = createRequire(import.meta.url)('kafkajs');
  const client = new Kafka({
    clientId: scenario.clientId,
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const toMessage = (m) => ({
    key: m.key === null ? null : Buffer.from(m.key, 'hex'),
    value: m.value === null ? null : Buffer.from(m.value, 'hex'),
    partition: m.partition,
    headers: Object.fromEntries(m.headers.map(([k, v]) => [k, Buffer.from(v, 'hex')])),
  });
  if (scenario.kafkajs === 'admin') {
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'golden-admin',
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await admin.fetchTopicMetadata({ topics: ['golden-admin', 'golden'] });
    await admin.listTopics();
    await admin.fetchTopicOffsets('golden');
    await admin.deleteTopics({ topics: ['golden-admin'] });
    await admin.disconnect();
    return { code: 0 };
  }
  if (scenario.kafkajs === 'consumer') {
    const consumer = client.consumer({ groupId: 'golden-group', maxWaitTimeInMs: 100 });
    await consumer.connect();
    // golden-multi holds only KafkaJS's uncompressed batches: KafkaJS cannot read the
    // snappy/lz4/zstd batches in "golden" without extra codec packages.
    await consumer.subscribe({ topics: ['golden-multi'], fromBeginning: true });
    let seen = 0;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 4000);
      consumer
        .run({
          eachMessage: async () => {
            seen += 1;
            if (seen >= 3) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer
      .commitOffsets([{ topic: 'golden-multi', partition: 0, offset: '1' }])
      .catch(() => {});
    await consumer.disconnect();
    return { code: seen >= 3 ? 0 : 1, stderr: `consumed ${seen}` };
  }
  const producer = client.producer({
    idempotent: scenario.idempotent ?? false,
    maxInFlightRequests: scenario.idempotent ? 1 : undefined,
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  const byTopic = new Map();
  for (const m of scenario.sent) {
    if (!byTopic.has(m.topic)) byTopic.set(m.topic, []);
    byTopic.get(m.topic).push(toMessage(m));
  }
  await producer.sendBatch({
    acks: scenario.acks ?? -1,
    compression: scenario.codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
  await producer.disconnect();
  return { code: 0 };
}

// ---------------------------------------------------------------------------------------
// Scenarios.

function withText(messages) {
  return messages.map((m) => ({ ...sentRecord(m), keyText: m.key, valueText: m.value }));
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const pyModuleFor = { snappy: 'snappy', lz4: 'lz4.frame', zstd: 'zstandard' };

const scenarios = [];
for (const codec of CODECS) {
  scenarios.push({
    name: `kcat-produce-${codec}`,
    client: 'kcat',
    clientId: `golden-kcat-${codec}`,
    codec,
    acks: -1,
    sent: withText(KCAT_MESSAGES),
    run: kcatProduce,
  });
}
scenarios.push({
  name: 'kcat-produce-v3',
  client: 'kcat',
  clientId: 'golden-kcat-v3',
  description: 'Produce advertised only up to v3 (and Fetch to v4): librdkafka drops to v3',
  codec: 'gzip',
  acks: -1,
  advertise: { [ApiKey.Produce]: [0, 3], [ApiKey.Fetch]: [4, 4] },
  sent: withText(KCAT_MESSAGES),
  run: kcatProduce,
});
scenarios.push({
  name: 'kcat-consume',
  client: 'kcat',
  clientId: 'golden-kcat-consume',
  description: 'kcat -C -o beginning -e over the batches produced so far',
  sent: [],
  run: kcatConsume,
});
scenarios.push({
  name: 'kcat-consume-v4',
  client: 'kcat',
  clientId: 'golden-kcat-consume-v4',
  description: 'as kcat-consume, with Fetch advertised only at v4 and ListOffsets at v1',
  advertise: { [ApiKey.Fetch]: [4, 4], [ApiKey.ListOffsets]: [1, 1] },
  sent: [],
  run: kcatConsume,
});
for (const codec of CODECS) {
  scenarios.push({
    name: `confluent-produce-${codec}`,
    client: 'confluent-kafka-python',
    clientId: `golden-confluent-${codec}`,
    codec,
    acks: -1,
    sent: RICH_MESSAGES.map((m) => sentRecord(m)),
    config: { 'compression.type': codec, 'linger.ms': 100 },
  });
}
scenarios.push({
  name: 'confluent-produce-idempotent',
  client: 'confluent-kafka-python',
  clientId: 'golden-confluent-idempotent',
  codec: 'lz4',
  acks: -1,
  idempotent: true,
  sent: RICH_MESSAGES.map((m) => sentRecord(m)),
  config: { 'compression.type': 'lz4', 'linger.ms': 100, 'enable.idempotence': true },
});
scenarios.push({
  name: 'confluent-admin',
  client: 'confluent-kafka-python',
  clientId: 'golden-confluent-admin',
  sent: [],
  run: (port, s) =>
    python(CONFLUENT_ADMIN, {
      GOLDEN_BOOTSTRAP: `127.0.0.1:${port}`,
      GOLDEN_CLIENT_ID: s.clientId,
    }),
});
for (const codec of CODECS) {
  scenarios.push({
    name: `kafka-python-produce-${codec}`,
    client: 'kafka-python',
    clientId: `golden-kafka-python-${codec}`,
    codec,
    acks: 1,
    pyModule: pyModuleFor[codec],
    sent: RICH_MESSAGES.map((m) => sentRecord(m)),
    config: { compression_type: codec === 'none' ? null : codec, acks: 1, linger_ms: 100 },
  });
}
scenarios.push({
  name: 'kafkajs-produce-none',
  client: 'kafkajs',
  clientId: 'golden-kafkajs-none',
  codec: 'none',
  acks: -1,
  sent: [
    ...RICH_MESSAGES.map((m) => sentRecord(m)),
    ...RICH_MESSAGES.slice(0, 3).map((m, i) => sentRecord(m, 'golden-multi', i)),
  ],
});
scenarios.push({
  name: 'kafkajs-produce-gzip',
  client: 'kafkajs',
  clientId: 'golden-kafkajs-gzip',
  codec: 'gzip',
  acks: 1,
  sent: RICH_MESSAGES.map((m) => sentRecord(m)),
});
scenarios.push({
  name: 'kafkajs-produce-idempotent',
  client: 'kafkajs',
  clientId: 'golden-kafkajs-idempotent',
  codec: 'none',
  acks: -1,
  idempotent: true,
  sent: RICH_MESSAGES.map((m) => sentRecord(m)),
});
scenarios.push({
  name: 'kafkajs-produce-v3',
  client: 'kafkajs',
  clientId: 'golden-kafkajs-v3',
  description: 'Produce advertised up to v3 and Metadata up to v1',
  codec: 'gzip',
  acks: -1,
  advertise: { [ApiKey.Produce]: [0, 3], [ApiKey.Metadata]: [0, 1] },
  sent: RICH_MESSAGES.map((m) => sentRecord(m)),
});
scenarios.push({
  name: 'kafkajs-admin',
  client: 'kafkajs',
  clientId: 'golden-kafkajs-admin',
  kafkajs: 'admin',
  sent: [],
});
scenarios.push({
  name: 'kafkajs-consumer',
  client: 'kafkajs',
  clientId: 'golden-kafkajs-consumer',
  kafkajs: 'consumer',
  sent: [],
});

function runnerFor(scenario) {
  if (scenario.run) return scenario.run;
  if (scenario.client === 'kafkajs') return kafkajsRun;
  const messages = JSON.stringify(scenario.sent);
  if (scenario.client === 'confluent-kafka-python') {
    return (port, s) =>
      python(CONFLUENT_PRODUCER, {
        GOLDEN_MESSAGES: messages,
        GOLDEN_CONFIG: JSON.stringify({
          'bootstrap.servers': `127.0.0.1:${port}`,
          'client.id': s.clientId,
          ...s.config,
        }),
      });
  }
  return (port, s) =>
    python(KAFKA_PYTHON_PRODUCER, {
      GOLDEN_MESSAGES: messages,
      GOLDEN_CONFIG: JSON.stringify({
        bootstrap_servers: `127.0.0.1:${port}`,
        client_id: s.clientId,
        ...s.config,
      }),
    });
}

function clientAvailable(scenario) {
  const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  switch (scenario.client) {
    case 'kcat':
      return ok('kcat', ['-V']);
    case 'confluent-kafka-python':
      return ok(PYTHON, ['-c', 'import confluent_kafka']);
    case 'kafka-python':
      return ok(PYTHON, ['-c', `import kafka${scenario.pyModule ? `, ${scenario.pyModule}` : ''}`]);
    case 'kafkajs':
      try {
        createRequire(import.meta.url).resolve('kafkajs');
        return true;
      } catch {
        return false;
      }
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Keep one frame per distinct request: the same bytes apart from the correlation id are
// dropped, and at most MAX_PER_VERSION frames of one API key/version per scenario are kept
// (all Produce frames are kept: client-batches.test.ts needs every record).

const MAX_PER_VERSION = 3;

function selectFrames(frames) {
  const seen = new Set();
  const perVersion = new Map();
  const kept = [];
  for (const f of frames) {
    const normalized = Buffer.from(f.bytes);
    normalized.writeInt32BE(0, 8); // correlation id (after size, key, version)
    const key = normalized.toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    const kv = `${f.apiKey}/${f.apiVersion}`;
    const count = perVersion.get(kv) ?? 0;
    if (f.apiKey !== ApiKey.Produce && count >= MAX_PER_VERSION) continue;
    perVersion.set(kv, count + 1);
    kept.push(f);
  }
  return kept;
}

function toolVersions() {
  const first = (r) => (r.stdout || r.stderr || '').toString().trim().split('\n');
  const kcat = first(spawnSync('kcat', ['-V'])).find((l) => l.startsWith('Version')) ?? null;
  const py = (code) => first(spawnSync(PYTHON, ['-c', code]))[0] ?? null;
  let kafkajs = null;
  try {
    kafkajs = createRequire(import.meta.url)('kafkajs/package.json').version;
  } catch {
    // kafkajs is not installed: reported as null.
  }
  return {
    kcat,
    confluentKafka: py(
      'import confluent_kafka as c; print(c.version()[0], "librdkafka", c.libversion()[0])',
    ),
    kafkaPython: py('import kafka; print(kafka.__version__)'),
    kafkajs,
    node: process.version,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set(args[onlyIndex + 1].split(',')) : null;
  const dryRun = args.includes('--dry-run');

  const manifestPath = join(OUT, 'manifest.json');
  const previous = existsSync(manifestPath)
    ? JSON.parse(readFileSync(manifestPath, 'utf8'))
    : { scenarios: [], frames: [] };

  const broker = new FakeBroker();
  await broker.start();
  const results = [];
  let failed = false;
  for (const scenario of scenarios) {
    if ((only && !only.has(scenario.name)) || !clientAvailable(scenario)) {
      if (!only || only.has(scenario.name)) console.log(`skipped ${scenario.name}: client missing`);
      results.push({ scenario, skipped: true });
      continue;
    }
    broker.begin(scenario);
    const started = Date.now();
    let outcome;
    try {
      outcome = await runnerFor(scenario)(broker.port, scenario);
    } catch (error) {
      outcome = { code: 1, stderr: String(error?.stack ?? error) };
    }
    await sleep(50);
    const frames = selectFrames(broker.frames);
    const errors = [...broker.errors];
    const summary = frames.map((f) => `${kafka.apiName(f.apiKey)}v${f.apiVersion}`).join(' ');
    const status = outcome.code === 0 && errors.length === 0 ? 'ok' : 'FAILED';
    if (status !== 'ok') failed = true;
    console.log(`${status} ${scenario.name} (${Date.now() - started} ms): ${summary}`);
    if (status !== 'ok') {
      console.log(`  exit ${outcome.code} ${outcome.signal ?? ''} ${outcome.stderr ?? ''}`.trim());
      for (const e of errors) console.log(`  ${e}`);
    }
    results.push({ scenario, frames });
  }
  await broker.stop();
  if (dryRun) return;
  if (failed && !args.includes('--force')) {
    console.error('not writing fixtures: a scenario failed (pass --force to write the rest)');
    process.exitCode = 1;
    return;
  }

  // Merge: scenarios that ran replace their previous fixtures; skipped ones keep theirs.
  const ran = new Set(results.filter((r) => !r.skipped).map((r) => r.scenario.name));
  const manifest = {
    comment:
      'Request frames sent by real Kafka clients, captured by scripts/capture-golden.mjs. ' +
      'Each file is one frame as sent, int32 size prefix included. Do not edit by hand.',
    tools: toolVersions(),
    scenarios: previous.scenarios.filter((s) => !ran.has(s.name)),
    frames: previous.frames.filter((f) => !ran.has(f.scenario)),
  };
  for (const { scenario, frames, skipped } of results) {
    if (skipped) continue;
    const dir = join(OUT, scenario.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    manifest.scenarios.push({
      name: scenario.name,
      client: scenario.client,
      clientId: scenario.clientId,
      description: scenario.description ?? null,
      codec: scenario.codec ?? null,
      acks: scenario.acks ?? null,
      idempotent: scenario.idempotent ?? false,
      advertise: scenario.advertise ?? null,
      sent: scenario.sent.map(({ topic, partition, key, value, headers }) => ({
        topic,
        partition,
        key,
        value,
        headers,
      })),
    });
    frames.forEach((f, i) => {
      const apiName = kafka.apiName(f.apiKey);
      const file = `${scenario.name}/${String(i).padStart(2, '0')}-${apiName}-v${f.apiVersion}.bin`;
      writeFileSync(join(OUT, file), f.bytes);
      manifest.frames.push({
        file,
        scenario: scenario.name,
        client: scenario.client,
        apiKey: f.apiKey,
        apiName,
        apiVersion: f.apiVersion,
        correlationId: f.bytes.readInt32BE(8),
        clientId: f.clientId ?? null,
        size: f.bytes.length,
        decodeError: f.decodeError ?? null,
      });
    });
  }
  const order = new Map(scenarios.map((s, i) => [s.name, i]));
  manifest.scenarios.sort((a, b) => order.get(a.name) - order.get(b.name));
  manifest.frames.sort(
    (a, b) => order.get(a.scenario) - order.get(b.scenario) || a.file.localeCompare(b.file),
  );
  mkdirSync(OUT, { recursive: true });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${manifest.frames.length} frames to ${OUT}`);
  if (failed) process.exitCode = 1;
}

await main();
