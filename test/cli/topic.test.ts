/**
 * `weir topic` end to end against an in-process broker: output, exit codes and the
 * one-line errors (unknown topic, unreachable broker, bad flags).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/index.js';
import { logEndOffsets, oneLineError, startTestBroker, weir } from './helpers.js';

describe('weir topic', () => {
  let broker: Broker;
  let bs: string[];

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrapServers];
  });
  after(() => broker.stop());

  it('creates, lists, describes, alters and deletes a topic', async () => {
    const created = await weir([
      'topic',
      'create',
      'orders',
      '--partitions',
      '3',
      '--config',
      'retention.ms=86400000',
      ...bs,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created topic 'orders' \(3 partitions, replication factor 1\)/);

    const [listed, asJson] = await Promise.all([
      weir(['topic', 'list', ...bs]),
      weir(['topic', 'list', '--json', '--internal', ...bs]),
    ]);
    assert.equal(listed.code, 0);
    assert.equal(listed.stdout, 'orders\n');
    const rows = JSON.parse(asJson.stdout) as {
      name: string;
      partitions: number;
      internal: boolean;
    }[];
    assert.deepEqual(
      rows.find((r) => r.name === 'orders'),
      { name: 'orders', partitions: 3, replicationFactor: 1, internal: false },
    );
    assert.ok(rows.some((r) => r.name === '__consumer_offsets' && r.internal));

    const produced = await weir(['produce', 'orders', '--partition', '1', ...bs], {
      input: 'a\nb\n',
    });
    assert.equal(produced.code, 0, produced.stderr);

    const described = await weir(['topic', 'describe', 'orders', ...bs]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(
      described.stdout,
      /^Topic: orders {2}Id: \S+ {2}Partitions: 3 {2}ReplicationFactor: 1 {2}Configs: retention\.ms=86400000\n/,
    );
    assert.match(described.stdout, /PARTITION +LEADER +REPLICAS +ISR +LOG-START +LOG-END +SIZE/);
    // Partition 1 holds two records: its size on disk comes from DescribeLogDirs.
    assert.match(described.stdout, /\n1 +0 +0 +0 +0 +2 +[1-9]\d* B\n/);

    const json = await weir(['topic', 'describe', '--topic', 'orders', '--json', ...bs]);
    const [topic] = JSON.parse(json.stdout) as {
      name: string;
      partitions: {
        partition: number;
        leader: number;
        isr: number[];
        logStartOffset: number;
        logEndOffset: number;
      }[];
      configs: Record<string, string>;
    }[];
    assert.equal(topic!.name, 'orders');
    assert.deepEqual(
      topic!.partitions.map((p) => [
        p.partition,
        p.leader,
        p.isr,
        p.logStartOffset,
        p.logEndOffset,
      ]),
      [
        [0, 0, [0], 0, 0],
        [1, 0, [0], 0, 2],
        [2, 0, [0], 0, 0],
      ],
    );
    assert.deepEqual(await logEndOffsets(broker.port, 'orders', 3), [0n, 2n, 0n]);
    assert.equal(topic!.configs['retention.ms'], '86400000');

    const altered = await weir([
      'topic',
      'alter',
      'orders',
      '--partitions',
      '5',
      '--config',
      'cleanup.policy=compact',
      '--delete-config',
      'retention.ms',
      ...bs,
    ]);
    assert.equal(altered.code, 0, altered.stderr);
    assert.match(altered.stdout, /partitions 3 -> 5, cleanup\.policy=compact, -retention\.ms/);
    const after = JSON.parse(
      (await weir(['topic', 'describe', 'orders', '--json', ...bs])).stdout,
    ) as {
      partitions: unknown[];
      configs: Record<string, string>;
    }[];
    assert.equal(after[0]!.partitions.length, 5);
    assert.deepEqual(after[0]!.configs, { 'cleanup.policy': 'compact' });

    const deleted = await weir(['topic', 'delete', 'orders', ...bs]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, "Deleted topic 'orders'\n");
    assert.equal((await weir(['topic', 'list', ...bs])).stdout, '');
  });

  it('fails with exit code 1 and one line for unknown topics and existing ones', async () => {
    await weir(['topic', 'create', 'dup', ...bs]);
    const [dup, ifNotExists, describeMissing, deleteMissing, deleteIfExists, alterMissing] =
      await Promise.all([
        weir(['topic', 'create', 'dup', ...bs]),
        weir(['topic', 'create', 'dup', '--if-not-exists', ...bs]),
        weir(['topic', 'describe', 'missing', ...bs]),
        weir(['topic', 'delete', 'missing', ...bs]),
        weir(['topic', 'delete', 'missing', '--if-exists', ...bs]),
        weir(['topic', 'alter', 'missing', '--partitions', '4', ...bs]),
      ]);
    assert.equal(dup.code, 1);
    oneLineError(dup, 'topic', /topic 'dup' already exists/);
    assert.equal(ifNotExists.code, 0, ifNotExists.stderr);
    for (const result of [describeMissing, deleteMissing, alterMissing]) {
      assert.equal(result.code, 1);
      oneLineError(result, 'topic', /topic 'missing' does not exist/);
    }
    assert.equal(deleteIfExists.code, 0, deleteIfExists.stderr);
  });

  it('fails with exit code 1 and one line when the broker is unreachable', async () => {
    const result = await weir(['topic', 'list', '--bootstrap-server', '127.0.0.1:1']);
    assert.equal(result.code, 1);
    oneLineError(result, 'topic', /cannot reach broker at 127\.0\.0\.1:1: connection refused/);
    assert.equal(result.stdout, '');
  });

  it('rejects bad flags with exit code 64', async () => {
    const results = await Promise.all([
      weir(['topic', 'create', 'x', '--partitions', 'many', ...bs]),
      weir(['topic', 'create', ...bs]),
      weir(['topic', 'list', '--nope', ...bs]),
      weir(['topic', 'frobnicate', ...bs]),
      weir(['topic']),
      weir(['topic', 'alter', 'x', ...bs]),
      weir(['topic', 'create', 'x', '--config', 'novalue', ...bs]),
    ]);
    const patterns = [
      /--partitions expects an integer >= 1, got 'many'/,
      /missing TOPIC/,
      /unknown option '--nope'/,
      /unknown subcommand 'frobnicate'/,
      /missing subcommand/,
      /nothing to change/,
      /--config expects KEY=VALUE/,
    ];
    results.forEach((result, i) => {
      assert.equal(result.code, 64, result.stderr);
      oneLineError(result, 'topic', patterns[i]!);
    });
  });
});
