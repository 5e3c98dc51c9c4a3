/**
 * Crash safety with a real client (issue 4): the broker runs as `node bin/weir.js start`
 * on a real data directory while confluent-kafka (librdkafka 2.0.2) produces with
 * acks=all; the broker is killed with SIGKILL twice mid-stream and restarted on the same
 * port each time. librdkafka reconnects and retries, so every record is acknowledged in
 * the end. Then a group-less consumer reads everything back and every acknowledged
 * record must be exactly at the partition/offset it was acknowledged at, with its value,
 * key and timestamp; offsets have no gaps.
 *
 * Without idempotence, a batch the broker wrote but never acknowledged is retried and may
 * be stored twice (an unacknowledged copy is allowed). With idempotence, the broker must
 * rebuild producer state from the log on recovery (as Kafka does) and answer retries of
 * already-written batches as duplicates, so every record is stored exactly once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import { startBroker } from '../../../src/main.js';
import {
  PYTHON,
  indexOfValue,
  makeTempDir,
  pythonScript,
  readJsonLines,
  run,
  spawnBroker,
  waitFor,
  type BrokerProcess,
  type ConsumedRecord,
} from './helpers.js';

const PARTITIONS = 4;
const COUNT = 40_000;
const RATE = 12_000;
const KILL_AT = [8_000, 24_000];
const SCRIPT = pythonScript('confluent_client.py');

interface StreamState {
  acks: Map<number, { partition: number; offset: number }>;
  errors: string[];
  logs: string[];
  done: boolean;
}

async function crashWhileProducing(
  name: string,
  idempotent: boolean,
): Promise<{ state: StreamState; consumed: ConsumedRecord[]; brokerOutput: string }> {
  const temp = await makeTempDir(`kill-${name}`);
  const topic = `interop-crash-${name}`;
  let broker: BrokerProcess | undefined;
  let producer: ReturnType<typeof spawn> | undefined;
  let brokerOutput = '';
  try {
    // The topic is created by an in-process broker on the same directory, then that
    // broker stops and the CLI broker takes over (no dependency on CreateTopics).
    const setup = await startBroker({ port: 0, dataDir: temp.dir, logger: silentLogger });
    await setup.createTopic(topic, { partitions: PARTITIONS });
    await setup.stop();

    broker = await spawnBroker({ dataDir: temp.dir, port: 0 });
    const port = broker.port;
    const bootstrap = broker.bootstrapServers;

    const state: StreamState = { acks: new Map(), errors: [], logs: [], done: false };
    producer = spawn(
      PYTHON,
      [SCRIPT, 'stream', '--bootstrap', bootstrap, '--topic', topic]
        .concat(['--count', String(COUNT), '--rate', String(RATE)])
        .concat(idempotent ? ['--idempotent'] : []),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let producerStderr = '';
    producer.stderr!.on('data', (chunk: Buffer) => (producerStderr += chunk.toString()));
    const producerExit = new Promise<number | null>((resolve) =>
      producer!.on('exit', (code) => resolve(code)),
    );
    createInterface({ input: producer.stdout! }).on('line', (line) => {
      const [kind, ...rest] = line.split(' ');
      if (kind === 'ack') {
        const [index, partition, offset] = rest.map(Number) as [number, number, number];
        assert.ok(!state.acks.has(index), `record ${index} acknowledged twice`);
        state.acks.set(index, { partition, offset });
      } else if (kind === 'err') state.errors.push(line);
      else if (kind === 'done') state.done = true;
      else state.logs.push(line);
    });

    for (const threshold of KILL_AT) {
      await waitFor(`${threshold} acks`, () => state.acks.size >= threshold, 60_000);
      const killed: BrokerProcess = broker;
      killed.child.kill('SIGKILL');
      const exit = await killed.exited;
      assert.equal(exit.signal, 'SIGKILL');
      brokerOutput += killed.output();
      broker = await spawnBroker({ dataDir: temp.dir, port });
    }
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      producerExit,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 120_000))),
    ]);
    clearTimeout(timer);
    assert.equal(code, 0, `producer exit; stderr:\n${producerStderr.slice(-2000)}`);
    assert.ok(state.done, 'producer finished');
    // librdkafka's error callback saw the broker go away: the kills hit a live connection.
    assert.ok(
      state.logs.some((line) => /disconnect|connect|down/i.test(line)),
      `producer noticed the crashes; its log:\n${state.logs.join('\n')}`,
    );

    const out = join(temp.dir, 'consumed.jsonl');
    await run(
      PYTHON,
      [SCRIPT, 'consume', '--bootstrap', bootstrap, '--topic', topic].concat([
        '--partitions',
        String(PARTITIONS),
        '--expect',
        String(COUNT),
        '--out',
        out,
      ]),
      { timeoutMs: 60_000 },
    );
    const consumed = await readJsonLines<ConsumedRecord>(out);

    // A clean stop after the crashes: SIGTERM, exit 0.
    broker.child.kill('SIGTERM');
    const exit = await broker.exited;
    brokerOutput += broker.output();
    assert.equal(exit.code, 0, `broker exit after SIGTERM; output:\n${broker.output()}`);
    assert.match(broker.output(), /weir: stopped cleanly/);
    broker = undefined;
    return { state, consumed, brokerOutput };
  } finally {
    producer?.kill('SIGKILL');
    broker?.child.kill('SIGKILL');
    await temp.remove();
  }
}

function verifyAcknowledged(state: StreamState, consumed: readonly ConsumedRecord[]): void {
  assert.deepEqual(state.errors, [], 'delivery failures');
  assert.equal(state.acks.size, COUNT, 'every record acknowledged');
  const at = new Map<string, ConsumedRecord>();
  const byPartition = new Map<number, number[]>();
  for (const record of consumed) {
    at.set(`${record.partition}/${record.offset}`, record);
    let offsets = byPartition.get(record.partition);
    if (!offsets) byPartition.set(record.partition, (offsets = []));
    offsets.push(record.offset);
  }
  for (const [partition, offsets] of byPartition) {
    offsets.sort((a, b) => a - b);
    offsets.forEach((offset, i) => assert.equal(offset, i, `offsets of partition ${partition}`));
  }
  for (const [index, ack] of state.acks) {
    const record = at.get(`${ack.partition}/${ack.offset}`);
    assert.ok(record, `record ${index} acknowledged at ${ack.partition}/${ack.offset} is gone`);
    assert.equal(
      indexOfValue(record.value!),
      index,
      `record at ${ack.partition}/${ack.offset} (acknowledged for record ${index})`,
    );
    assert.equal(record.key, `key-${index % 997}`, `key of record ${index}`);
    assert.deepEqual(record.headers, [['idx', String(index)]], `headers of record ${index}`);
  }
  // Timestamps: t0 + index, so per record they differ by exactly the index difference.
  const first = at.get(`${state.acks.get(0)!.partition}/${state.acks.get(0)!.offset}`)!;
  for (const [index, ack] of state.acks) {
    const record = at.get(`${ack.partition}/${ack.offset}`)!;
    assert.equal(record.timestamp - first.timestamp, index, `timestamp of record ${index}`);
  }
}

describe('SIGKILL while a client produces with acks=all', () => {
  it('keeps every acknowledged record exactly where it was acknowledged', async (t) => {
    const { state, consumed } = await crashWhileProducing('plain', false);
    t.diagnostic(
      `${consumed.length - COUNT} unacknowledged copies stored; producer log: ${state.logs.length} lines`,
    );
    verifyAcknowledged(state, consumed);
    assert.ok(consumed.length >= COUNT, 'unacknowledged duplicates may add records, never lose');
  });

  it('with the idempotent producer, also stores every record exactly once', async (t) => {
    const { state, consumed } = await crashWhileProducing('idempotent', true);
    t.diagnostic(`${consumed.length} records stored; producer log: ${state.logs.length} lines`);
    verifyAcknowledged(state, consumed);
    const indexes = new Set(consumed.map((r) => indexOfValue(r.value!)));
    assert.equal(indexes.size, COUNT, 'distinct records stored');
    assert.equal(consumed.length, COUNT, 'no record stored twice');
  });
});
