/**
 * Two `weir consume --group` processes share a topic: the second one's arrival rebalances
 * the group (the first learns of it from its heartbeat and rejoins), the range assignor
 * gives each one partition, and every record is printed exactly once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/index.js';
import { WEIR, startTestBroker, weir } from './helpers.js';

interface Member {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function member(bs: string[]): Member {
  const child = spawn(
    process.execPath,
    [WEIR, 'consume', 'shared', '--group', 'pair', '--format', '{partition} {value}', ...bs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    exited: new Promise((resolve) => child.on('close', resolve)),
  };
}

async function waitForAssignment(bs: string[], pattern: RegExp): Promise<string> {
  let described = '';
  for (let i = 0; i < 150; i++) {
    described = (await weir(['group', 'describe', 'pair', ...bs])).stdout;
    if (pattern.test(described)) return described;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no assignment matching ${pattern}:\n${described}`);
}

describe('weir consume --group with two members', () => {
  let broker: Broker;
  let bs: string[];

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrapServers];
    await broker.createTopic('shared', { partitions: 2 });
  });
  after(() => broker.stop());

  it('rebalances to one partition each and prints every record once', async () => {
    const first = member(bs);
    let second: Member | undefined;
    try {
      await waitForAssignment(bs, /shared:0,1\n/);
      second = member(bs);
      const described = await waitForAssignment(
        bs,
        /Members: 2\n[\s\S]*shared:[01]\n[\s\S]*shared:[01]\n/,
      );
      assert.match(described, /State: Stable/);

      const input = Array.from({ length: 20 }, (_, i) => `v${i}`).join('\n');
      assert.equal(
        (await weir(['produce', 'shared', '--partition', '0', ...bs], { input })).code,
        0,
      );
      assert.equal(
        (await weir(['produce', 'shared', '--partition', '1', ...bs], { input })).code,
        0,
      );
      for (let i = 0; i < 100; i++) {
        const lines = (first.output() + second.output()).trimEnd().split('\n').filter(Boolean);
        if (lines.length >= 40) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      first.child.kill('SIGTERM');
      second?.child.kill('SIGTERM');
    }
    assert.equal(await first.exited, 0);
    assert.equal(await second!.exited, 0);
    const partitionsOf = (m: Member): Set<string> =>
      new Set(
        m
          .output()
          .trimEnd()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ')[0]!),
      );
    const all = (first.output() + second!.output()).trimEnd().split('\n').filter(Boolean).sort();
    const expected = ['0', '1']
      .flatMap((p) => Array.from({ length: 20 }, (_, i) => `${p} v${i}`))
      .sort();
    assert.deepEqual(all, expected);
    assert.equal(partitionsOf(first).size, 1, first.output());
    assert.equal(partitionsOf(second!).size, 1, second!.output());
    assert.notDeepEqual(partitionsOf(first), partitionsOf(second!));
  });
});
