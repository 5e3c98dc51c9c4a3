/**
 * `weir produce` and `weir consume` end to end: keys, headers, partitions, acks and
 * compression on the way in; templates, JSON, offsets, partitions, --max, --timeout-ms and
 * groups on the way out. Keys must land where KafkaJS's (Java-compatible) default
 * partitioner puts them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import type { Broker } from '../../src/index.js';
import { logEndOffsets, oneLineError, startTestBroker, weir } from './helpers.js';

const { Partitioners } = kafkajs;

describe('weir produce / consume', () => {
  let broker: Broker;
  let bs: string[];
  let dir: string;

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrapServers];
    dir = await mkdtemp(join(tmpdir(), 'weir-cli-'));
  });
  after(async () => {
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends keyed lines with headers where a Java/KafkaJS producer would, and prints them back', async () => {
    await broker.createTopic('keyed', { partitions: 4 });
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const input = keys.map((k, i) => `${k}:value ${i}`).join('\n') + '\n';
    const produced = await weir(
      [
        'produce',
        'keyed',
        '--key-separator',
        ':',
        '--header',
        'source=test',
        '--header',
        'v=1',
        '--acks',
        '1',
        '--compression',
        'gzip',
        ...bs,
      ],
      { input },
    );
    assert.equal(produced.code, 0, produced.stderr);
    assert.equal(produced.stdout, '');

    const consumed = await weir([
      'consume',
      'keyed',
      '--from-beginning',
      '--max',
      '40',
      '--format',
      '{partition}\\t{offset}\\t{key}\\t{value}\\t{headers}\\t{header:v}',
      ...bs,
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.match(consumed.stderr, /Processed a total of 40 records/);
    const lines = consumed.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.equal(lines.length, 40);
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (const [partition, , key, value, headers, v] of lines) {
      const expected = partitioner({
        topic: 'keyed',
        partitionMetadata,
        message: { key: key!, value: value! },
      });
      assert.equal(Number(partition), expected, `key ${key}`);
      assert.equal(value, `value ${keys.indexOf(key!)}`);
      assert.equal(headers, 'source=test,v=1');
      assert.equal(v, '1');
    }
    const ends = await logEndOffsets(broker.port, 'keyed', 4);
    assert.equal(
      ends.reduce((a, b) => a + b, 0n),
      40n,
    );
  });

  it('reads a file, targets a partition and prints JSON from an offset', async () => {
    await broker.createTopic('filed', { partitions: 2 });
    const file = join(dir, 'lines.txt');
    await writeFile(file, 'one\ntwo\nthree\nfour\n');
    const produced = await weir([
      'produce',
      'filed',
      '--file',
      file,
      '--partition',
      '1',
      '--acks',
      '0',
      '--compression',
      'zstd',
      ...bs,
    ]);
    assert.equal(produced.code, 0, produced.stderr);

    const fromOffset = await weir([
      'consume',
      'filed',
      '--partition',
      '1',
      '--offset',
      '2',
      '--max',
      '2',
      '--json',
      ...bs,
    ]);
    assert.equal(fromOffset.code, 0, fromOffset.stderr);
    const records = fromOffset.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      records.map((r) => [r['partition'], r['offset'], r['key'], r['value'], r['headers']]),
      [
        [1, 2, null, 'three', {}],
        [1, 3, null, 'four', {}],
      ],
    );
    assert.equal(typeof records[0]!['timestamp'], 'number');

    const earliest = await weir([
      'consume',
      'filed',
      '--offset',
      'earliest',
      '--timeout-ms',
      '500',
      '--format',
      '{key} {value}',
      ...bs,
    ]);
    assert.equal(earliest.code, 0, earliest.stderr);
    assert.equal(earliest.stdout, 'null one\nnull two\nnull three\nnull four\n');
  });

  it('starts at the end by default and stops after --timeout-ms without records', async () => {
    await broker.createTopic('quiet', { partitions: 1 });
    await weir(['produce', 'quiet', ...bs], { input: 'old\n' });
    const started = Date.now();
    const result = await weir(['consume', 'quiet', '--timeout-ms', '300', ...bs]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.ok(Date.now() - started < 10_000);
  });

  it('consumes as a group from committed offsets and commits what it printed', async () => {
    await broker.createTopic('grouped', { partitions: 3 });
    const input = Array.from({ length: 30 }, (_, i) => `k${i}:v${i}`).join('\n');
    assert.equal(
      (await weir(['produce', 'grouped', '--key-separator', ':', ...bs], { input })).code,
      0,
    );

    const first = await weir([
      'consume',
      'grouped',
      '--group',
      'g',
      '--from-beginning',
      '--max',
      '12',
      '--format',
      '{value}',
      ...bs,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const rest = await weir([
      'consume',
      'grouped',
      '--group',
      'g',
      '--timeout-ms',
      '1000',
      '--format',
      '{value}',
      ...bs,
    ]);
    assert.equal(rest.code, 0, rest.stderr);
    const seen = [...first.stdout.trimEnd().split('\n'), ...rest.stdout.trimEnd().split('\n')];
    assert.equal(first.stdout.trimEnd().split('\n').length, 12);
    assert.deepEqual(seen.sort(), Array.from({ length: 30 }, (_, i) => `v${i}`).sort());

    const again = await weir(['consume', 'grouped', '--group', 'g', '--timeout-ms', '500', ...bs]);
    assert.equal(again.stdout, '', 'everything was committed');
  });

  it('reports unknown topics, partitions and bad flags', async () => {
    const results = await Promise.all([
      weir(['consume', 'nowhere', '--max', '1', ...bs]),
      weir(['consume', 'keyed', '--partition', '9', ...bs]),
      weir(['produce', 'keyed', '--partition', '9', ...bs], { input: 'x\n' }),
      weir(['produce', 'keyed', '--key-separator', ':', ...bs], { input: 'no separator here\n' }),
      weir(['produce', 'keyed', '--file', join(dir, 'missing.txt'), ...bs]),
    ]);
    const patterns = [
      /topic 'nowhere' does not exist/,
      /topic 'keyed' has no partition 9/,
      /topic 'keyed' has no partition 9/,
      /line 1 has no key separator ':'/,
      /cannot read .*missing\.txt: ENOENT/,
    ];
    results.forEach((result, i) => {
      assert.equal(result.code, 1, result.stderr);
      oneLineError(result, i < 2 ? 'consume' : 'produce', patterns[i]!);
    });

    const usage = await Promise.all([
      weir(['consume', 'keyed', '--group', 'g', '--offset', '3', ...bs]),
      weir(['consume', 'keyed', '--format', '{nope}', ...bs]),
      weir(['consume', 'keyed', '--max', '0', ...bs]),
      weir(['produce', 'keyed', '--acks', '2', ...bs]),
      weir(['produce', 'keyed', '--compression', 'brotli', ...bs]),
      weir(['produce', ...bs]),
    ]);
    for (const result of usage) assert.equal(result.code, 64, result.stderr);
    oneLineError(usage[1]!, 'consume', /unknown placeholder '\{nope\}'/);
    oneLineError(usage[3]!, 'produce', /--acks expects 0, 1 or all, got '2'/);
  });

  it('auto-creates a topic on produce when the broker allows it, like Kafka producers', async () => {
    const result = await weir(['produce', 'fresh', ...bs], { input: 'hello\n' });
    assert.equal(result.code, 0, result.stderr);
    const consumed = await weir(['consume', 'fresh', '--from-beginning', '--max', '1', ...bs]);
    assert.equal(consumed.stdout, 'hello\n');
  });
});
