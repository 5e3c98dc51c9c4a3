/**
 * Suite part 1: this machine's ceilings, measured in the same run as everything else.
 *
 * - Ceiling 1 (produce path): one Node process sends framed 1 MiB chunks over loopback
 *   TCP to another, which reads them into one reused buffer and appends them to a file
 *   in writes of at most 512 KiB, four in flight (workers/ceiling-worker.ts says why).
 *   MB/s from the first byte sent to the receiver's "appended" reply.
 * - Ceiling 2 (fetch path): one Node process reads that file in 1 MiB chunks into fresh
 *   buffers and sends them over TCP; the other counts bytes. Warm (file in the page
 *   cache) and cold (file evicted first).
 * - Latency floor: closed-loop ping-pong of 1 KiB frames between two Node processes.
 *
 * Each throughput ceiling is the median of `reps` runs, after one write of the same size
 * to warm the page cache (see warmPageCache).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LatencySummary } from './lib/histogram.js';
import { evict, writeAndDelete } from './lib/page-cache.js';
import { median, runJson, startService, workerScript } from './lib/proc.js';

export interface CeilingResults {
  /** Ceiling 1: receive framed 1 MiB chunks over TCP and append to a file, MB/s. */
  produceMBps: number;
  produceRuns: number[];
  /** Ceiling 2: read a file and send it over TCP, MB/s (page cache warm / cold). */
  fetchWarmMBps: number;
  fetchWarmRuns: number[];
  fetchColdMBps: number;
  fetchColdRuns: number[];
  /** Ping-pong of 1 KiB over loopback. */
  pingPong: { roundTripsPerSec: number; latencyMs: LatencySummary };
  bytesPerRun: number;
}

const MiB = 1024 * 1024;

/** One run of ceiling 1; `prepare` runs once the receiver is up, just before the sender. */
export async function produceCeiling(
  file: string,
  bytes: number,
  prepare?: () => Promise<void>,
): Promise<number> {
  const server = await startService(
    process.execPath,
    [workerScript('ceiling-worker'), 'append-server', file],
    {
      readyPattern: /ready (\d+)/,
    },
  );
  try {
    await prepare?.();
    const result = await runJson<{ mbPerSec: number }>(process.execPath, [
      workerScript('ceiling-worker'),
      'append-client',
      server.ready[1]!,
      String(bytes),
      String(MiB),
    ]);
    return result.mbPerSec;
  } finally {
    await server.stop();
  }
}

async function fetchCeiling(file: string): Promise<number> {
  const server = await startService(
    process.execPath,
    [workerScript('ceiling-worker'), 'read-server', file, String(MiB)],
    { readyPattern: /ready (\d+)/ },
  );
  try {
    const result = await runJson<{ mbPerSec: number }>(process.execPath, [
      workerScript('ceiling-worker'),
      'read-client',
      server.ready[1]!,
    ]);
    return result.mbPerSec;
  } finally {
    await server.stop();
  }
}

async function pingPong(size: number, count: number): Promise<CeilingResults['pingPong']> {
  const server = await startService(
    process.execPath,
    [workerScript('ceiling-worker'), 'echo-server'],
    {
      readyPattern: /ready (\d+)/,
    },
  );
  try {
    const result = await runJson<{ perSec: number; latencyMs: LatencySummary }>(process.execPath, [
      workerScript('ceiling-worker'),
      'ping-client',
      server.ready[1]!,
      String(size),
      String(count),
      String(Math.floor(count / 10)),
    ]);
    return { roundTripsPerSec: result.perSec, latencyMs: result.latencyMs };
  } finally {
    await server.stop();
  }
}

/**
 * Writes and deletes `bytes` once: the first pass over fresh page-cache memory on these
 * VMs runs several times slower than later ones, and would otherwise land in run 1.
 */
export function warmPageCache(dir: string, bytes: number): void {
  writeAndDelete(join(dir, 'warm-up.dat'), bytes);
}

export async function measureCeilings(
  workDir: string,
  options: { bytes: number; reps: number; pingCount: number },
  log: (line: string) => void,
): Promise<CeilingResults> {
  const file = join(workDir, 'ceiling.dat');
  const produceRuns: number[] = [];
  const fetchWarmRuns: number[] = [];
  const fetchColdRuns: number[] = [];
  warmPageCache(workDir, options.bytes);
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      produceRuns.push(await produceCeiling(file, options.bytes));
      log(
        `ceiling 1 (TCP receive -> file append) run ${rep + 1}: ${produceRuns.at(-1)!.toFixed(0)} MB/s`,
      );
      fetchWarmRuns.push(await fetchCeiling(file));
      log(
        `ceiling 2 warm (file read -> TCP send) run ${rep + 1}: ${fetchWarmRuns.at(-1)!.toFixed(0)} MB/s`,
      );
      const left = await evict([file]);
      fetchColdRuns.push(await fetchCeiling(file));
      log(
        `ceiling 2 cold run ${rep + 1}: ${fetchColdRuns.at(-1)!.toFixed(0)} MB/s (${(left / MiB).toFixed(1)} MiB stayed cached)`,
      );
    }
  } finally {
    rmSync(file, { force: true });
  }
  const ping = await pingPong(1024, options.pingCount);
  log(
    `latency floor (1 KiB ping-pong): p50 ${ping.latencyMs.p50} ms, p99 ${ping.latencyMs.p99} ms, ${ping.roundTripsPerSec.toFixed(0)} round trips/s`,
  );
  return {
    produceMBps: median(produceRuns),
    produceRuns,
    fetchWarmMBps: median(fetchWarmRuns),
    fetchWarmRuns,
    fetchColdMBps: median(fetchColdRuns),
    fetchColdRuns,
    pingPong: ping,
    bytesPerRun: options.bytes,
  };
}
