/**
 * The embedding API (issue 6): `startBroker` from the package's main export, two brokers
 * in one process with a KafkaJS producer and consumer against each, a start time under
 * 200 ms for an in-memory broker, and a clean stop that leaves no open handles (checked
 * in a child process that has to exit by itself).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../src/index.js';
import { timedStart, twoBrokers } from './scenario.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'no-open-handles.js');

describe('embedding API', () => {
  it('runs two brokers in one process, each serving its own KafkaJS clients', async () => {
    await twoBrokers();
  });

  it('starts an in-memory broker in under 200 ms and stops it', async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { broker, ms } = await timedStart();
      times.push(ms);
      assert.match(broker.bootstrapServers, /^127\.0\.0\.1:\d+$/);
      assert.equal(broker.port, Number(broker.bootstrapServers.split(':')[1]));
      await broker.stop();
      await broker.stop(); // idempotent
    }
    assert.ok(
      Math.min(...times) < 200,
      `startBroker took ${times.map((t) => t.toFixed(1)).join(', ')} ms`,
    );
  });

  it('keeps brokers apart: a topic created on one does not exist on the other', async () => {
    const [a, b] = await Promise.all([
      startBroker({ port: 0, dataDir: 'memory' }),
      startBroker({ port: 0, dataDir: 'memory' }),
    ]);
    try {
      await a.createTopic('only-on-a', { partitions: 3 });
      await assert.rejects(a.createTopic('only-on-a'));
      const onB = await b.createTopic('only-on-a', { partitions: 1 });
      assert.equal(onB.partitions, 1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('leaves no open handles: a node --test process using it exits by itself', async () => {
    // NODE_TEST_CONTEXT would make the child report to this runner instead of running.
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', FIXTURE], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.notEqual(code, null, `the child did not exit within 30 s (open handles?):\n${output}`);
    assert.equal(code, 0, output);
    assert.match(output, /✔ two embedded brokers, KafkaJS against each, stopped/);
  });
});
