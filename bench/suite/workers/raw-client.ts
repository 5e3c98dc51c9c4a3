/**
 * A load generator that costs the client almost nothing, to tell the broker's limits from
 * the client's (research/perf.md: on 2 cores a load generator that builds every record
 * competes with the broker). It speaks the Kafka protocol with Weir's own codecs but
 * builds one record batch up front and resends it, patching only the correlation id,
 * and it never decodes the records it fetches (it only walks batch headers to learn the
 * next offset and the record count). Prints one JSON line like `weir perf --json`.
 *
 *   produce BOOTSTRAP TOPIC COUNT SIZE BATCH_BYTES IN_FLIGHT ACKS
 *       Produce v9 requests of one batch (BATCH_BYTES / SIZE records of SIZE bytes) to
 *       partition 0, at most IN_FLIGHT unanswered; latencyMs = request → response
 *   fetch BOOTSTRAP TOPIC COUNT PARTITION_MAX_BYTES SIZE
 *       Fetch v12 from offset 0 of partition 0 until COUNT records, one fetch at a time
 *       (as a consumer does); bytes = records × SIZE (values, as weir perf counts them);
 *       latencyMs = request → response
 *
 * `produce` creates the topic (one partition) when it is missing.
 */
import { createConnection, type Socket } from 'node:net';
import {
  ApiKey,
  decodeResponseFrame,
  encodeRequestFrame,
} from '../../../src/protocol/kafka/index.js';
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultFetchRequestFetchTopic,
} from '../../../src/protocol/kafka/generated/messages/fetch.js';
import { buildUncompressedRecordBatch } from '../../../src/records/index.js';
import { createTopics, KafkaClient } from '../../../src/cli/client/index.js';
import { Histogram } from '../lib/histogram.js';

const PRODUCE_VERSION = 9;
const FETCH_VERSION = 12;

const [mode, bootstrap, topic, ...rest] = process.argv.slice(2);

function connect(address: string): Promise<Socket> {
  const at = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = createConnection({
      host: address.slice(0, at),
      port: Number(address.slice(at + 1)),
      noDelay: true,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Calls `onFrame` with each response frame body (after the size prefix). */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let need = -1;
  socket.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    for (;;) {
      if (need < 0) {
        if (pendingBytes < 4) return;
        const head = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [head];
        need = head.readInt32BE(0);
      }
      if (pendingBytes < 4 + need) return;
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      const frame = all.subarray(4, 4 + need);
      const restBytes = all.subarray(4 + need);
      pending = restBytes.length > 0 ? [restBytes] : [];
      pendingBytes = restBytes.length;
      need = -1;
      onFrame(frame);
    }
  });
}

function firstError(value: unknown): number {
  if (Array.isArray(value)) {
    for (const item of value) {
      const code = firstError(item);
      if (code !== 0) return code;
    }
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, field] of Object.entries(value)) {
      if (key === 'errorCode' && typeof field === 'number' && field !== 0) return field;
      const code = firstError(field);
      if (code !== 0) return code;
    }
  }
  return 0;
}

async function ensureTopic(): Promise<void> {
  const client = await KafkaClient.connect({
    bootstrapServers: bootstrap!,
    clientId: 'weir-bench-raw',
  });
  try {
    await createTopics(client, [
      { name: topic!, partitions: 1, replicationFactor: -1, configs: {} },
    ]);
  } finally {
    client.close();
  }
}

async function produce(
  count: number,
  size: number,
  batchBytes: number,
  inFlight: number,
  acks: number,
): Promise<object> {
  await ensureTopic();
  // As many records as fit in BATCH_BYTES with the batch and record overheads (like a
  // producer's batch.size), so a 1 MiB batch stays within max.message.bytes.
  const value = Buffer.alloc(size, 0x52);
  const build = (n: number): Buffer =>
    buildUncompressedRecordBatch(Array.from({ length: n }, () => ({ value })));
  let perBatch = Math.max(1, Math.floor(batchBytes / size));
  let batch = build(perBatch);
  while (perBatch > 1 && batch.length > batchBytes) {
    perBatch -= Math.max(1, Math.ceil((batch.length - batchBytes) / (batch.length / perBatch)));
    perBatch = Math.max(1, perBatch);
    batch = build(perBatch);
  }
  const chunks = encodeRequestFrame(ApiKey.Produce, PRODUCE_VERSION, 0, 'weir-bench-raw', {
    transactionalId: null,
    acks,
    timeoutMs: 30_000,
    topicData: [{ name: topic!, topicId: '', partitionData: [{ index: 0, records: batch }] }],
  });
  const frame = Buffer.concat(chunks);
  const requests = Math.ceil(count / perBatch);
  const socket = await connect(bootstrap!);
  const histogram = new Histogram();
  const sentAt = new Map<number, bigint>();
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let wake: (() => void) | undefined;
  frames(socket, (response) => {
    const { correlationId, body } = decodeResponseFrame(ApiKey.Produce, PRODUCE_VERSION, response);
    if (firstError(body) !== 0) failed += 1;
    histogram.recordSince(sentAt.get(correlationId)!);
    sentAt.delete(correlationId);
    answered += 1;
    wake?.();
  });
  const start = process.hrtime.bigint();
  while (sent < requests) {
    while (sent - answered >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
    // The frame is copied per request (the socket may still hold the previous one).
    const copy = Buffer.from(frame);
    copy.writeInt32BE(sent, 8);
    sentAt.set(sent, process.hrtime.bigint());
    sent += 1;
    if (!socket.write(copy)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  while (answered < requests) await new Promise<void>((resolve) => (wake = resolve));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  socket.destroy();
  if (failed > 0) throw new Error(`${failed} produce requests failed`);
  const records = requests * perBatch;
  return {
    records,
    bytes: records * size,
    seconds,
    recordsPerSec: records / seconds,
    mbPerSec: (records * size) / 1e6 / seconds,
    latencyMs: histogram.summary(),
    requests,
  };
}

async function fetch(count: number, partitionMaxBytes: number, size: number): Promise<object> {
  const socket = await connect(bootstrap!);
  const histogram = new Histogram();
  let onResponse: ((frame: Buffer) => void) | undefined;
  frames(socket, (frame) => onResponse?.(frame));
  let offset = 0n;
  let records = 0;
  let correlationId = 0;
  const start = process.hrtime.bigint();
  while (records < count) {
    const request = {
      ...defaultFetchRequest(),
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 64 * 1024 * 1024,
      topics: [
        {
          ...defaultFetchRequestFetchTopic(),
          topic: topic!,
          partitions: [
            {
              ...defaultFetchRequestFetchPartition(),
              partition: 0,
              fetchOffset: offset,
              partitionMaxBytes,
            },
          ],
        },
      ],
    };
    const t0 = process.hrtime.bigint();
    const response = await new Promise<Buffer>((resolve) => {
      onResponse = resolve;
      socket.write(
        Buffer.concat(
          encodeRequestFrame(
            ApiKey.Fetch,
            FETCH_VERSION,
            correlationId++,
            'weir-bench-raw',
            request,
          ),
        ),
      );
    });
    histogram.recordSince(t0);
    const { body } = decodeResponseFrame(ApiKey.Fetch, FETCH_VERSION, response);
    const error = firstError(body);
    if (error !== 0) throw new Error(`fetch error ${error}`);
    const data = (body as { responses: { partitions: { records: Buffer | null }[] }[] })
      .responses[0]?.partitions[0]?.records;
    if (!data || data.length === 0) continue;
    // Walk batch headers: baseOffset (8) batchLength (4) ... lastOffsetDelta at 23, recordCount at 57.
    for (let at = 0; at + 61 <= data.length;) {
      const length = data.readInt32BE(at + 8);
      if (at + 12 + length > data.length) break;
      records += data.readInt32BE(at + 57);
      offset = data.readBigInt64BE(at) + BigInt(data.readInt32BE(at + 23)) + 1n;
      at += 12 + length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  socket.destroy();
  const bytes = records * size;
  return {
    records,
    bytes,
    seconds,
    recordsPerSec: records / seconds,
    mbPerSec: bytes / 1e6 / seconds,
    latencyMs: histogram.summary(),
  };
}

const n = rest.map(Number);
const result =
  mode === 'produce'
    ? await produce(n[0]!, n[1]!, n[2]!, n[3]!, n[4]!)
    : await fetch(n[0]!, n[1]!, n[2]!);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
