/**
 * `weir group` end to end: a live member (a `weir consume --group` child) shows up in
 * describe with its assignment; lag follows produced and committed offsets; reset-offsets
 * moves offsets (and --dry-run does not); delete removes the group.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/index.js';
import { WEIR, oneLineError, startTestBroker, weir } from './helpers.js';

interface LagJson {
  group: string;
  totalLag: number;
  partitions: {
    topic: string;
    partition: number;
    committed: number | null;
    logEnd: number;
    lag: number | null;
  }[];
}

describe('weir group', () => {
  let broker: Broker;
  let bs: string[];

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrapServers];
    await broker.createTopic('events', { partitions: 2 });
    const input = Array.from({ length: 10 }, (_, i) => `v${i}`).join('\n');
    // Five records per partition.
    await weir(['produce', 'events', '--partition', '0', ...bs], {
      input: input.split('\n').slice(0, 5).join('\n'),
    });
    await weir(['produce', 'events', '--partition', '1', ...bs], {
      input: input.split('\n').slice(5).join('\n'),
    });
  });
  after(() => broker.stop());

  it('lists and describes a group with a live member, its assignment and lag', async () => {
    const consumed = await weir([
      'consume',
      'events',
      '--group',
      'readers',
      '--from-beginning',
      '--max',
      '10',
      ...bs,
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);

    const member = spawn(
      process.execPath,
      [WEIR, 'consume', 'events', '--group', 'readers', ...bs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let described = '';
      for (let i = 0; i < 100 && !/ASSIGNMENT/.test(described); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        described = (await weir(['group', 'describe', 'readers', ...bs])).stdout;
      }
      assert.match(
        described,
        /^Group: readers {2}State: Stable {2}Protocol: consumer\/range {2}Members: 1\n/,
      );
      assert.match(
        described,
        /MEMBER-ID +CLIENT-ID +HOST +ASSIGNMENT\n\S+ +weir-cli +\S+ +events:0,1\n/,
      );
      assert.match(described, /events +0 +5 +5 +0 +\S+ +weir-cli\n/);

      const listed = await weir(['group', 'list', ...bs]);
      assert.match(listed.stdout, /GROUP +STATE +PROTOCOL-TYPE\nreaders +Stable +consumer\n/);

      const busy = await weir([
        'group',
        'reset-offsets',
        'readers',
        '--topic',
        'events',
        '--to-earliest',
        ...bs,
      ]);
      assert.equal(busy.code, 1);
      oneLineError(busy, 'group', /group 'readers' has 1 active member\(s\)/);
    } finally {
      member.kill('SIGTERM');
    }
    // SIGTERM: commit, leave the group (so it is Empty at once, not after the session
    // timeout) and exit 0.
    assert.equal(await new Promise((resolve) => member.on('close', resolve)), 0);
    const json = JSON.parse((await weir(['group', 'list', '--json', ...bs])).stdout) as {
      group: string;
      state: string;
    }[];
    assert.deepEqual(
      json.find((g) => g.group === 'readers'),
      { group: 'readers', state: 'Empty', protocolType: 'consumer' },
    );
  });

  it('shows lag, resets offsets (dry run first) and deletes the group', async () => {
    await weir(['produce', 'events', '--partition', '1', ...bs], { input: 'late-1\nlate-2\n' });
    const lag = await weir(['group', 'lag', 'readers', ...bs]);
    assert.equal(lag.code, 0, lag.stderr);
    assert.match(lag.stdout, /TOPIC +PARTITION +COMMITTED +LOG-END +LAG/);
    assert.match(lag.stdout, /events +1 +5 +7 +2 /);
    assert.match(lag.stdout, /Total lag: 2\n$/);

    const dry = await weir([
      'group',
      'reset-offsets',
      'readers',
      '--topic',
      'events',
      '--to-earliest',
      '--dry-run',
      ...bs,
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /GROUP +TOPIC +PARTITION +NEW-OFFSET\nreaders +events +0 +0\nreaders +events +1 +0\n\(dry run/,
    );
    let state = JSON.parse(
      (await weir(['group', 'lag', 'readers', '--json', ...bs])).stdout,
    ) as LagJson;
    assert.equal(state.totalLag, 2, 'dry run changes nothing');

    const toOffset = await weir([
      'group',
      'reset-offsets',
      'readers',
      '--topic',
      'events:1',
      '--to-offset',
      '100',
      ...bs,
    ]);
    assert.equal(toOffset.code, 0, toOffset.stderr);
    assert.match(toOffset.stdout, /readers +events +1 +7\n/, 'clamped to the log end');

    const earliest = await weir([
      'group',
      'reset-offsets',
      'readers',
      '--all-topics',
      '--to-earliest',
      '--json',
      ...bs,
    ]);
    assert.deepEqual(JSON.parse(earliest.stdout), [
      { topic: 'events', partition: 0, offset: 0 },
      { topic: 'events', partition: 1, offset: 0 },
    ]);
    state = JSON.parse(
      (await weir(['group', 'lag', 'readers', '--json', ...bs])).stdout,
    ) as LagJson;
    assert.equal(state.totalLag, 12);

    const byTime = await weir([
      'group',
      'reset-offsets',
      'readers',
      '--topic',
      'events',
      '--to-timestamp',
      String(Date.now() + 60_000),
      '--json',
      ...bs,
    ]);
    assert.deepEqual(JSON.parse(byTime.stdout), [
      { topic: 'events', partition: 0, offset: 5 },
      { topic: 'events', partition: 1, offset: 7 },
    ]);
    const byIso = await weir([
      'group',
      'reset-offsets',
      'readers',
      '--topic',
      'events',
      '--to-timestamp',
      '2000-01-01T00:00:00Z',
      '--json',
      ...bs,
    ]);
    assert.deepEqual(JSON.parse(byIso.stdout), [
      { topic: 'events', partition: 0, offset: 0 },
      { topic: 'events', partition: 1, offset: 0 },
    ]);

    const deleted = await weir(['group', 'delete', 'readers', ...bs]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, "Deleted group 'readers'\n");
    const gone = await weir(['group', 'describe', 'readers', ...bs]);
    assert.equal(gone.code, 1);
    oneLineError(gone, 'group', /group 'readers' does not exist/);
  });

  it('rejects bad flags with exit code 64', async () => {
    const results = await Promise.all([
      weir(['group', 'reset-offsets', 'g', '--topic', 'events', ...bs]),
      weir(['group', 'reset-offsets', 'g', '--to-latest', ...bs]),
      weir([
        'group',
        'reset-offsets',
        'g',
        '--topic',
        'events',
        '--to-latest',
        '--to-earliest',
        ...bs,
      ]),
      weir([
        'group',
        'reset-offsets',
        'g',
        '--topic',
        'events',
        '--to-timestamp',
        'yesterday',
        ...bs,
      ]),
      weir(['group', 'describe', ...bs]),
      weir(['group', 'delete', ...bs]),
    ]);
    for (const result of results) {
      assert.equal(result.code, 64, result.stderr);
      assert.match(result.stderr, /^weir group: .*\(see 'weir group \S+ --help'\)\n$/);
    }
  });
});
