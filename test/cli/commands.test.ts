/**
 * The `weir` command as a whole: help for every command and subcommand (with examples),
 * exit codes for usage errors, and `weir start` as a child process that other commands
 * talk to and that stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { REPO_ROOT, WEIR, oneLineError, weir } from './helpers.js';

const SUBCOMMANDS: Record<string, string[]> = {
  start: [],
  topic: ['create', 'list', 'describe', 'alter', 'delete'],
  produce: [],
  consume: [],
  group: ['list', 'describe', 'lag', 'reset-offsets', 'delete'],
  perf: ['produce', 'consume', 'e2e'],
};

describe('weir', () => {
  it('prints help with examples for every command and subcommand, exit code 0', async () => {
    const top = await weir(['--help']);
    assert.equal(top.code, 0);
    for (const name of Object.keys(SUBCOMMANDS))
      assert.match(top.stdout, new RegExp(`\\n  ${name} +\\S`));
    assert.match(
      top.stdout,
      /Exit codes: 0 success, 1 failure \(one line on stderr\), 64 usage error/,
    );

    const runs: Promise<void>[] = [];
    for (const [command, subs] of Object.entries(SUBCOMMANDS)) {
      const variants =
        subs.length === 0
          ? [[command, '--help']]
          : [[command, '--help'], ...subs.map((s) => [command, s, '-h'])];
      for (const args of variants) {
        runs.push(
          weir(args).then((result) => {
            assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
            assert.match(result.stdout, /^Usage: weir /, args.join(' '));
            assert.match(result.stdout, /\nExamples:\n {2}(\S.*)?weir /, args.join(' '));
            if (command !== 'start' && args.length === 3)
              assert.match(result.stdout, /--bootstrap-server/, args.join(' '));
            assert.equal(result.stderr, '');
          }),
        );
      }
    }
    await Promise.all(runs);
  });

  it('answers an unknown command with exit code 64', async () => {
    const result = await weir(['frobnicate']);
    assert.equal(result.code, 64);
    assert.match(result.stderr, /^weir: unknown command 'frobnicate'/);
  });

  it('start: runs a broker the other commands reach, and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [WEIR, 'start', '--port', '0', '--data-dir', 'memory', '--set', 'num.partitions=2'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      for (let i = 0; i < 200 && !/listening on/.test(output); i++)
        await new Promise((r) => setTimeout(r, 25));
      const bootstrap = /\(bootstrap (\S+)\)/.exec(output)?.[1];
      assert.ok(bootstrap, output);
      const created = await weir(['topic', 'create', 'via-start', '--bootstrap-server', bootstrap]);
      assert.match(created.stdout, /2 partitions/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.match(output, /weir: SIGTERM, shutting down\nweir: stopped cleanly\n/);
  });

  it('start: bad flags are usage errors', async () => {
    const results = await Promise.all([
      weir(['start', '--port', '99999']),
      weir(['start', '--set', 'novalue']),
      weir(['start', 'extra']),
    ]);
    for (const result of results) {
      assert.equal(result.code, 64);
      oneLineError(result, 'start', /--port expects|--set expects|unexpected argument/);
    }
  });
});
