/**
 * `weir perf` end to end. Its counts are checked against the broker's own log end offsets
 * (asked with the test's raw client, not the CLI's), its --json line against the contract
 * scripts rely on, and the sweep against its table and chart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/index.js';
import { logEndOffsets, oneLineError, startTestBroker, weir } from './helpers.js';

interface PerfJson {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number };
}

function lastJsonLine(stdout: string): PerfJson {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as PerfJson;
}

function assertShape(result: PerfJson, records: number, recordSize: number): void {
  assert.deepEqual(Object.keys(result), [
    'records',
    'bytes',
    'seconds',
    'recordsPerSec',
    'mbPerSec',
    'latencyMs',
  ]);
  assert.deepEqual(Object.keys(result.latencyMs), ['p50', 'p95', 'p99', 'p999', 'max']);
  assert.equal(result.records, records);
  assert.equal(result.bytes, records * recordSize);
  assert.ok(result.seconds > 0);
  assert.ok(
    Math.abs(result.recordsPerSec - records / result.seconds) / result.recordsPerSec < 0.01,
  );
  assert.ok(Math.abs(result.mbPerSec - result.bytes / 1048576 / result.seconds) < 0.02);
  const { p50, p95, p99, p999, max } = result.latencyMs;
  assert.ok(
    p50 > 0 && p50 <= p95 && p95 <= p99 && p99 <= p999 && p999 <= max,
    JSON.stringify(result.latencyMs),
  );
}

describe('weir perf', () => {
  let broker: Broker;
  let bs: string[];
  let dir: string;

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrapServers];
    dir = await mkdtemp(join(tmpdir(), 'weir-perf-'));
  });
  after(async () => {
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('produce: records/s, MB/s and latency percentiles that match the broker log end offsets', async () => {
    const result = await weir([
      'perf',
      'produce',
      '--topic',
      'load',
      '--partitions',
      '3',
      '--num-records',
      '30000',
      '--record-size',
      '200',
      '--throughput',
      '-1',
      '--producers',
      '2',
      '--batch-size',
      '8192',
      '--linger-ms',
      '2',
      '--acks',
      '1',
      '--compression',
      'lz4',
      '--json',
      ...bs,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout.trimEnd().split('\n').length,
      1,
      'with --json, stdout is the JSON line alone',
    );
    const perf = lastJsonLine(result.stdout);
    assertShape(perf, 30_000, 200);
    const ends = await logEndOffsets(broker.port, 'load', 3);
    assert.equal(
      ends.reduce((a, b) => a + b, 0n),
      30_000n,
    );
    assert.ok(
      ends.every((e) => e > 0n),
      'keyless records spread over every partition',
    );
    assert.match(
      result.stderr,
      /30000 records sent in [\d.]+ s, [\d.]+ records\/s \([\d.]+ MB\/s\), latency ms: avg [\d.]+, p50/,
    );
    assert.match(
      result.stderr,
      /Broker log end offsets of 'load' grew by 30000 \(30000 records acknowledged, they match\)/,
    );
  });

  it('produce at a fixed rate holds that rate', async () => {
    const result = await weir([
      'perf',
      'produce',
      '--topic',
      'paced',
      '--num-records',
      '2000',
      '--record-size',
      '50',
      '--throughput',
      '4000',
      '--json',
      '--quiet',
      ...bs,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const perf = lastJsonLine(result.stdout);
    assertShape(perf, 2000, 50);
    assert.ok(
      perf.seconds >= 0.45 && perf.recordsPerSec <= 4400,
      `rate ${perf.recordsPerSec}/s in ${perf.seconds}s`,
    );
    assert.equal((await logEndOffsets(broker.port, 'paced', 1))[0], 2000n);
  });

  it('produce with linger 0 and --max-in-flight 1 acknowledges every record', async () => {
    const result = await weir([
      'perf',
      'produce',
      '--topic',
      'one-in-flight',
      '--num-records',
      '20000',
      '--record-size',
      '100',
      '--linger-ms',
      '0',
      '--max-in-flight',
      '1',
      '--batch-size',
      '65536',
      '--json',
      '--quiet',
      ...bs,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assertShape(lastJsonLine(result.stdout), 20_000, 100);
    assert.equal((await logEndOffsets(broker.port, 'one-in-flight', 1))[0], 20_000n);
  });

  it('consume reads what was produced; e2e measures send-to-receipt latency', async () => {
    const consume = await weir([
      'perf',
      'consume',
      '--topic',
      'load',
      '--num-records',
      '30000',
      '--json',
      '--quiet',
      ...bs,
    ]);
    assert.equal(consume.code, 0, consume.stderr);
    assertShape(lastJsonLine(consume.stdout), 30_000, 200);

    const e2e = await weir([
      'perf',
      'e2e',
      '--topic',
      'e2e',
      '--num-records',
      '3000',
      '--record-size',
      '64',
      '--throughput',
      '5000',
      '--json',
      '--quiet',
      ...bs,
    ]);
    assert.equal(e2e.code, 0, e2e.stderr);
    assertShape(lastJsonLine(e2e.stdout), 3000, 64);
    assert.match(e2e.stderr, /3000 records received .* end-to-end latency ms: avg/);
    assert.equal((await logEndOffsets(broker.port, 'e2e', 1))[0], 3000n);

    const short = await weir([
      'perf',
      'consume',
      '--topic',
      'e2e',
      '--num-records',
      '5000',
      '--timeout-ms',
      '300',
      '--quiet',
      ...bs,
    ]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /only 3000 of 5000 records arrived/);
  });

  it('sweeps the producer count: table, saturation point and SVG chart', async () => {
    const chart = join(dir, 'sweep.svg');
    const result = await weir([
      'perf',
      'produce',
      '--topic',
      'sweep',
      '--partitions',
      '2',
      '--num-records',
      '5000',
      '--sweep',
      '1,2',
      '--chart',
      chart,
      '--quiet',
      '--json',
      ...bs,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /PRODUCERS +RECORDS\/S +MB\/S +P50-MS +P95-MS +P99-MS +P99\.9-MS +MAX-MS\n1 +[\d.]+ .*\n2 +[\d.]+ /,
    );
    assert.match(result.stderr, /Saturation at [12] producer\(s\)/);
    const summary = lastJsonLine(result.stdout) as PerfJson & {
      producers: number;
      sweep: PerfJson[];
    };
    assert.equal(summary.sweep.length, 2);
    assert.equal(summary.records, 5000);
    const svg = await readFile(chart, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<polyline /);
    assert.match(svg, />saturation</);
    assert.equal(
      (await logEndOffsets(broker.port, 'sweep', 2)).reduce((a, b) => a + b, 0n),
      10_000n,
    );
  });

  it('fails clearly: unknown topic for consume, bad options', async () => {
    const missing = await weir(['perf', 'consume', '--topic', 'nothing', ...bs]);
    assert.equal(missing.code, 1);
    oneLineError(missing, 'perf', /topic 'nothing' does not exist/);
    const bad = await Promise.all([
      weir(['perf', 'produce', '--throughput', '0', ...bs]),
      weir(['perf', 'produce', '--record-size', '-5', ...bs]),
      weir(['perf', 'e2e', '--record-size', '4', ...bs]),
      weir(['perf', 'produce', '--sweep', '1,x', ...bs]),
      weir(['perf', 'produce', '--max-in-flight', '0', ...bs]),
    ]);
    for (const result of bad) {
      assert.equal(result.code, 64, result.stderr);
      assert.match(result.stderr, /^weir perf: .* \(see 'weir perf (produce|e2e) --help'\)\n$/);
    }
  });
});
