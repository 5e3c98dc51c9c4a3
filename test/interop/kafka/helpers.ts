/**
 * Shared machinery for the real-client interoperability tests (issue 4): the records every
 * client produces, the checks every client's consumed records must pass, a look at the
 * batches the broker stored, and child-process helpers for kcat, Python and the broker.
 *
 * Every client produces the same shape of record so one verifier covers them all:
 * - value `v<index>:<codec>:<filler>`: the index is parsed back from the value, the filler
 *   varies in length and compresses well;
 * - key `key-<index mod 997>`: many records share a key, so key → partition stickiness
 *   is observable across codecs;
 * - headers idx/codec/client (kcat can only set headers per run: codec and client);
 * - an explicit CreateTime timestamp `t0 + index` where the client can set one.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, silentLogger, type LogLevel } from '../../../src/common/logger.js';
import { startBroker, type Broker } from '../../../src/main.js';
import { ApiKey, ErrorCode } from '../../../src/protocol/kafka/index.js';
import type { FetchResponse } from '../../../src/protocol/kafka/generated/messages/fetch.js';
import type { MetadataResponse } from '../../../src/protocol/kafka/generated/messages/metadata.js';
import { TimestampType, readRecords, walkBatches } from '../../../src/records/index.js';
import { RawKafkaClient, fetchRequest } from '../../helpers/raw-kafka-client.js';

/** Debian's interpreter: the pyenv python3 earlier on PATH lacks the Debian modules. */
export const PYTHON = '/usr/bin/python3';

export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODEC_NAMES)[number];

/** The repository root (holds package.json), from src or from the compiled dist/ copy. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
})();

/** Python helper scripts live next to the TypeScript sources, not in dist/. */
export function pythonScript(name: string): string {
  return join(REPO_ROOT, 'test', 'interop', 'kafka', 'python', name);
}

// ---------------------------------------------------------------------------------------
// The records to produce

export interface SpecRecord {
  index: number;
  codec: Codec;
  key: string;
  value: string;
  headers: [string, string][];
  timestamp: number;
}

const FILLER = 'the quick brown fox jumps over the lazy dog 0123456789 ';

export function recordValue(index: number, codec: Codec): string {
  const length = 16 + ((index * 37) % 240);
  return `v${index}:${codec}:${FILLER.repeat(5).slice(0, length)}`;
}

export function recordKey(index: number): string {
  return `key-${index % 997}`;
}

/** The index a record was produced with, parsed from its value ("v<index>:..."). */
export function indexOfValue(value: string): number {
  const match = /^v(\d+):/.exec(value);
  assert.ok(match, `value does not start with v<index>: ${JSON.stringify(value.slice(0, 40))}`);
  return Number(match[1]);
}

/**
 * `count` records spread evenly over `codecs` (index order = codec order). Timestamps are
 * t0 + index with t0 in the recent past, so all are valid CreateTimes.
 */
export function makeRecords(client: string, count: number, codecs: readonly Codec[]): SpecRecord[] {
  const t0 = Date.now() - count - 60_000;
  const perCodec = Math.ceil(count / codecs.length);
  const records: SpecRecord[] = [];
  for (let index = 0; index < count; index++) {
    const codec = codecs[Math.floor(index / perCodec)]!;
    records.push({
      index,
      codec,
      key: recordKey(index),
      value: recordValue(index, codec),
      headers: [
        ['idx', String(index)],
        ['codec', codec],
        ['client', client],
      ],
      timestamp: t0 + index,
    });
  }
  return records;
}

export function groupByCodec(records: readonly SpecRecord[]): Map<Codec, SpecRecord[]> {
  const groups = new Map<Codec, SpecRecord[]>();
  for (const record of records) {
    let group = groups.get(record.codec);
    if (!group) groups.set(record.codec, (group = []));
    group.push(record);
  }
  return groups;
}

// ---------------------------------------------------------------------------------------
// What came back

export interface ConsumedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  /** 'create' (CreateTime) or 'append' (LogAppendTime), where the client reports it. */
  timestampType?: 'create' | 'append' | undefined;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

/** A producer's acknowledgement: record `index` was stored at partition/offset. */
export interface Ack {
  index: number;
  partition: number;
  offset: number;
}

/**
 * The acks of one produce call that sent `chunk` in order: each record's offset is its
 * partition's base offset (as the client reported it) plus its position among the
 * chunk's records for that partition. `partitionOf` maps record index → partition.
 */
export function acksFromBaseOffsets(
  chunk: readonly SpecRecord[],
  partitionOf: ReadonlyMap<number, number>,
  baseOffsets: ReadonlyMap<number, number>,
): Ack[] {
  const next = new Map<number, number>();
  return chunk.map((r) => {
    const partition = partitionOf.get(r.index)!;
    const position = next.get(partition) ?? 0;
    next.set(partition, position + 1);
    const base = baseOffsets.get(partition);
    assert.ok(base !== undefined, `no offset reported for partition ${partition}`);
    return { index: r.index, partition, offset: base + position };
  });
}

export interface VerifyOptions {
  partitions: number;
  /** Acks from the producer; every record must be consumed exactly where it was acked. */
  acks?: readonly Ack[];
  /** The client set per-record timestamps (record.timestamp) and headers (record.headers). */
  exactTimestamps: boolean;
  exactHeaders: boolean;
  /** Without exact timestamps: the wall-clock window the records were produced in. */
  timestampWindow?: { from: number; to: number };
  /** Without exact headers: the headers every record of a codec carries. */
  headersOf?: (record: SpecRecord) => [string, string][];
}

/**
 * Checks a full consume-back against what was produced: count, content (value, key,
 * headers), key → partition stickiness, per-partition order, contiguous offsets starting
 * at 0, timestamps, and (given acks) that each record sits exactly where it was acked.
 */
export function verifyConsumed(
  expected: readonly SpecRecord[],
  consumed: readonly ConsumedRecord[],
  options: VerifyOptions,
): void {
  assert.equal(consumed.length, expected.length, 'number of records consumed');
  const seen = new Map<number, ConsumedRecord>();
  for (const record of consumed) {
    assert.notEqual(record.value, null, `null value at ${record.partition}/${record.offset}`);
    const index = indexOfValue(record.value!);
    assert.ok(index >= 0 && index < expected.length, `index ${index} out of range`);
    assert.ok(!seen.has(index), `record ${index} consumed twice`);
    seen.set(index, record);
    const want = expected[index]!;
    const where = `record ${index} at ${record.partition}/${record.offset}`;
    assert.equal(record.value, want.value, `value of ${where}`);
    assert.equal(record.key, want.key, `key of ${where}`);
    const headers = options.exactHeaders ? want.headers : options.headersOf!(want);
    assert.deepEqual(record.headers, headers, `headers of ${where}`);
    if (record.timestampType !== undefined) {
      assert.equal(record.timestampType, 'create', `timestamp type of ${where}`);
    }
    if (options.exactTimestamps) {
      assert.equal(record.timestamp, want.timestamp, `timestamp of ${where}`);
    } else {
      const window = options.timestampWindow!;
      assert.ok(
        record.timestamp >= window.from && record.timestamp <= window.to,
        `timestamp ${record.timestamp} of ${where} outside the produce window ${window.from}..${window.to}`,
      );
    }
    assert.ok(
      record.partition >= 0 && record.partition < options.partitions,
      `partition of ${where}`,
    );
  }

  // Key → partition stickiness, and the keys really spread over the partitions.
  const partitionOfKey = new Map<string, number>();
  for (const record of consumed) {
    const previous = partitionOfKey.get(record.key!);
    if (previous === undefined) partitionOfKey.set(record.key!, record.partition);
    else
      assert.equal(
        record.partition,
        previous,
        `key ${record.key} in partitions ${previous} and ${record.partition}`,
      );
  }
  const used = new Set(partitionOfKey.values());
  assert.equal(used.size, options.partitions, `partitions used: ${[...used].sort().join(',')}`);

  // Per partition: offsets 0..n-1 without gaps, produce order kept.
  const byPartition = new Map<number, ConsumedRecord[]>();
  for (const record of consumed) {
    let list = byPartition.get(record.partition);
    if (!list) byPartition.set(record.partition, (list = []));
    list.push(record);
  }
  for (const [partition, records] of byPartition) {
    records.sort((a, b) => a.offset - b.offset);
    records.forEach((record, position) => {
      assert.equal(record.offset, position, `offsets of partition ${partition} are contiguous`);
    });
    for (let i = 1; i < records.length; i++) {
      const before = indexOfValue(records[i - 1]!.value!);
      const after = indexOfValue(records[i]!.value!);
      assert.ok(before < after, `partition ${partition}: record ${after} after ${before}`);
      if (!options.exactTimestamps) {
        assert.ok(
          records[i]!.timestamp >= records[i - 1]!.timestamp,
          `partition ${partition}: timestamps go back at offset ${records[i]!.offset}`,
        );
      }
    }
  }

  if (options.acks) {
    assert.equal(options.acks.length, expected.length, 'number of acknowledged records');
    for (const ack of options.acks) {
      const record = seen.get(ack.index);
      assert.ok(record, `acked record ${ack.index} not consumed`);
      assert.deepEqual(
        [record.partition, record.offset],
        [ack.partition, ack.offset],
        `record ${ack.index} acked at ${ack.partition}/${ack.offset}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------
// The batches the broker stored

export interface StoredBatch {
  partition: number;
  baseOffset: bigint;
  /** From the batch's compression attribute. */
  codec: Codec;
  producerId: bigint;
  timestampType: 'create' | 'append';
  /** The codec each record says it was produced with (from its value). */
  recordCodecs: Set<Codec>;
}

export interface StoredTopic {
  batches: StoredBatch[];
  records: ConsumedRecord[];
  highWatermarks: Map<number, bigint>;
}

/**
 * Reads every partition of `topic` straight from the broker with Weir's own codecs (raw
 * Fetch v12, read_uncommitted): every batch with its header fields, every record decoded.
 * Independent of the client under test, so a test can tell a producer bug from a
 * consumer bug, and see which codec each stored batch really uses.
 */
export async function readStoredTopic(port: number, topic: string): Promise<StoredTopic> {
  const client = await RawKafkaClient.connect(port);
  try {
    const metadata = await client.send<MetadataResponse>(ApiKey.Metadata, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(metadata.topics[0]!.errorCode, ErrorCode.NONE, `metadata of ${topic}`);
    const partitions = metadata.topics[0]!.partitions.map((p) => p.partitionIndex);
    const result: StoredTopic = { batches: [], records: [], highWatermarks: new Map() };
    for (const partition of partitions) {
      let offset = 0n;
      for (;;) {
        const response = await client.send<FetchResponse>(
          ApiKey.Fetch,
          12,
          fetchRequest(topic, partition, offset, { maxBytes: 8 << 20 }),
        );
        const data = response.responses[0]!.partitions[0]!;
        assert.equal(data.errorCode, ErrorCode.NONE, `raw fetch of ${topic}/${partition}`);
        result.highWatermarks.set(partition, data.highWatermark);
        let progressed = false;
        for (const batch of walkBatches(data.records ?? Buffer.alloc(0))) {
          if (batch.lastOffset < offset) continue;
          progressed = true;
          const stored: StoredBatch = {
            partition,
            baseOffset: batch.baseOffset,
            codec: CODEC_NAMES[batch.compression]!,
            producerId: batch.producerId,
            timestampType:
              batch.timestampType === TimestampType.LOG_APPEND_TIME ? 'append' : 'create',
            recordCodecs: new Set(),
          };
          result.batches.push(stored);
          for (const record of await readRecords(batch)) {
            if (record.offset < offset) continue;
            const value = record.value === null ? null : record.value.toString();
            if (value !== null && /^v\d+:[a-z0-9]+:/.test(value)) {
              stored.recordCodecs.add(codecOfValue({ value }));
            }
            result.records.push({
              partition,
              offset: Number(record.offset),
              timestamp: Number(record.timestamp),
              timestampType: stored.timestampType,
              key: record.key === null ? null : record.key.toString(),
              value,
              headers: record.headers.map((h) => [
                h.key,
                h.value === null ? null : h.value.toString(),
              ]),
            });
          }
          offset = batch.lastOffset + 1n;
        }
        if (!progressed || offset >= data.highWatermark) break;
      }
    }
    return result;
  } finally {
    client.close();
  }
}

/** The codec a record was produced with, from its value "v<index>:<codec>:...". */
export function codecOfValue(record: { value: string }): Codec {
  const codec = record.value.split(':')[1] as Codec;
  assert.ok(CODEC_NAMES.includes(codec), `no codec in value ${record.value.slice(0, 30)}`);
  return codec;
}

/**
 * Every stored batch is compressed with the codec its records were produced with, and
 * the batches use exactly `codecs`: the client really compressed with each codec (e.g.
 * librdkafka 2.0.2 silently stops compressing when the advertised Produce floor is not 0)
 * and the broker stored what it was sent.
 */
/**
 * Every stored batch uses the codec its records were sent with, and every codec appears.
 * `uncompressedFallback`: the client sends a batch uncompressed when compressing would not
 * shrink it (kafka-python and librdkafka do, for small batches), so a batch of any codec
 * may be stored as none — but most batches of each codec must still be compressed with it.
 */
export function assertStoredCodecs(
  stored: StoredTopic,
  codecs: readonly Codec[],
  options: { uncompressedFallback?: boolean } = {},
): void {
  const used = new Map<Codec, number>();
  const sent = new Map<Codec, number>();
  for (const batch of stored.batches) {
    const [recordCodec] = batch.recordCodecs;
    const fellBack = options.uncompressedFallback === true && batch.codec === 'none';
    assert.deepEqual(
      [...batch.recordCodecs],
      fellBack && batch.recordCodecs.size === 1 ? [recordCodec] : [batch.codec],
      `batch ${batch.partition}@${batch.baseOffset} is stored as ${batch.codec}`,
    );
    used.set(batch.codec, (used.get(batch.codec) ?? 0) + 1);
    sent.set(recordCodec!, (sent.get(recordCodec!) ?? 0) + 1);
  }
  for (const codec of codecs) {
    const compressed = used.get(codec) ?? 0;
    assert.ok(
      compressed > (sent.get(codec) ?? 0) / 2,
      `codecs of the stored batches: ${JSON.stringify(Object.fromEntries(used))}, sent: ${JSON.stringify(Object.fromEntries(sent))}`,
    );
  }
  assert.deepEqual([...used.keys()].sort(), [...codecs].sort(), 'no codec beyond those sent');
}

/** Every stored batch carries a producer id (>= 0), or none (-1). */
export function assertProducerIds(stored: StoredTopic, idempotent: boolean): void {
  const ids = new Set(stored.batches.map((batch) => batch.producerId));
  if (idempotent) {
    assert.ok(
      [...ids].every((id) => id >= 0n),
      `idempotent batches carry producer ids, got ${[...ids].join(',')}`,
    );
  } else {
    assert.deepEqual([...ids], [-1n], 'batches without a producer id');
  }
}

// ---------------------------------------------------------------------------------------
// Files and processes

export async function makeTempDir(
  prefix: string,
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `weir-interop-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeJsonLines(path: string, items: readonly unknown[]): Promise<void> {
  await writeFile(path, items.map((item) => JSON.stringify(item)).join('\n') + '\n');
}

export async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a command to completion without blocking the event loop (an in-process broker
 * must keep serving meanwhile). Rejects on a non-zero exit or after `timeoutMs`, with the
 * tail of stderr in the message.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: string | Buffer; timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd ?? REPO_ROOT,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        code,
        signal,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
        ms: Date.now() - started,
      };
      if (code === 0) resolve(result);
      else {
        const why =
          signal === 'SIGKILL' ? `timed out after ${options.timeoutMs} ms` : `exit ${code}`;
        reject(
          new Error(
            `${command} ${args.join(' ')}: ${why}\n--- stderr (tail) ---\n${result.stderr.slice(-4000)}` +
              `\n--- stdout (tail) ---\n${result.stdout.slice(-1000)}`,
          ),
        );
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A broker started as `node bin/weir.js start` in a child process. */
export interface BrokerProcess {
  child: ChildProcess;
  host: string;
  port: number;
  bootstrapServers: string;
  /** Everything the broker printed on stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code/signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node bin/weir.js start --port PORT --data-dir DIR` and waits for its
 * "weir: listening on HOST:PORT (bootstrap B), data in DIR" line.
 */
export function spawnBroker(options: {
  dataDir: string;
  port: number;
  extraArgs?: readonly string[];
  timeoutMs?: number;
}): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'weir.js'),
      'start',
      '--port',
      String(options.port),
      '--data-dir',
      options.dataDir,
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start in time; output:\n${output}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (): void => {
      const match = /weir: listening on (\S+):(\d+) \(bootstrap (\S+)\)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        child,
        host: match[1]!,
        port: Number(match[2]),
        bootstrapServers: match[3]!,
        output: () => output,
        exited,
      });
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code ?? signal}) before listening; output:\n${output}`));
    });
  });
}

/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` passes. */
export async function waitFor(
  what: string | (() => string),
  condition: () => boolean,
  timeoutMs: number,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------
// An in-process broker on a real temporary data directory

export interface TestBroker {
  broker: Broker;
  dataDir: string;
  bootstrap: string;
  stop(): Promise<void>;
}

/**
 * Starts a broker in this process with a fresh data directory. Logs are dropped unless
 * WEIR_INTEROP_LOG is set to a level (e.g. debug), which sends them to stderr.
 */
export async function startTestBroker(name: string): Promise<TestBroker> {
  const temp = await makeTempDir(name);
  const level = process.env['WEIR_INTEROP_LOG'] as LogLevel | undefined;
  const broker = await startBroker({
    port: 0,
    dataDir: temp.dir,
    logger: level ? createLogger(level) : silentLogger,
  });
  return {
    broker,
    dataDir: temp.dir,
    bootstrap: broker.bootstrapServers,
    stop: async () => {
      await broker.stop();
      await temp.remove();
    },
  };
}
