/**
 * A Weir broker for the suite: `node bin/weir.js start --port 0 --data-dir DIR` in its
 * own process (so that its CPU and RSS are its own), optionally under --cpu-prof. The
 * load generator is `weir perf` in another process.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  repoRoot,
  RssSampler,
  runJson,
  startService,
  type RssSummary,
  type Service,
} from './proc.js';
import type { LatencySummary } from './histogram.js';

export interface WeirBroker {
  bootstrap: string;
  pid: number;
  dataDir: string;
  rss: RssSampler;
  stop(): Promise<void>;
}

export interface WeirStartOptions {
  dataDir: string;
  config?: Record<string, string>;
  /** Write a V8 CPU profile of the broker into this directory. */
  cpuProfDir?: string;
  /** Keep what the data directory already holds (default: start empty). */
  keepData?: boolean;
  /** Extra environment for the broker process (e.g. UV_USE_IO_URING=0). */
  env?: Record<string, string>;
}

export async function startWeir(options: WeirStartOptions): Promise<WeirBroker> {
  if (!options.keepData) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const nodeArgs = options.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, '--cpu-prof-interval=200']
    : [];
  const sets = Object.entries(options.config ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const service: Service = await startService(
    process.execPath,
    [
      ...nodeArgs,
      join(repoRoot(), 'bin', 'weir.js'),
      'start',
      '--port',
      '0',
      '--data-dir',
      options.dataDir,
      '--log-level',
      'warn',
      ...sets,
    ],
    {
      readyPattern: /listening on (\S+):(\d+)/,
      timeoutMs: 30_000,
      env: { ...process.env, ...options.env },
    },
  );
  const rss = new RssSampler(service.pid);
  return {
    bootstrap: `${service.ready[1]}:${service.ready[2]}`,
    pid: service.pid,
    dataDir: options.dataDir,
    rss,
    stop: async () => {
      const code = await service.stop(30_000);
      if (code !== 0) {
        throw new Error(`weir broker exited with ${code}:\n${service.output().slice(-2000)}`);
      }
    },
  };
}

/** Segment files of one topic under a broker's data directory. */
export function segmentFiles(dataDir: string, topic: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((name) => name.startsWith(`${topic}-`) && /-\d+$/.test(name))
    .flatMap((dir) =>
      readdirSync(join(dataDir, dir))
        .filter((name) => name.endsWith('.log'))
        .map((name) => join(dataDir, dir, name)),
    );
}

export interface PerfResult {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs?: Partial<LatencySummary>;
  wallSeconds: number;
}

export interface PerfOptions {
  topic: string;
  numRecords: number;
  recordSize: number;
  throughput?: number;
  producers?: number;
  batchSize?: number;
  lingerMs?: number;
  acks?: string;
  compression?: string;
  maxInFlight?: number;
  /** consume: bytes per partition per Fetch (`--fetch-size`). */
  fetchSize?: number;
  extra?: string[];
}

/** True once `weir perf` exists in the built CLI. */
export function weirPerfAvailable(): boolean {
  const commands = join(repoRoot(), 'dist', 'src', 'cli', 'commands');
  return existsSync(commands) && readdirSync(commands).some((name) => /^perf.*\.js$/.test(name));
}

export function perfArgs(
  mode: 'produce' | 'consume' | 'e2e',
  bootstrap: string,
  o: PerfOptions,
): string[] {
  const args = [
    join(repoRoot(), 'bin', 'weir.js'),
    'perf',
    mode,
    '--bootstrap-server',
    bootstrap,
    '--topic',
    o.topic,
    '--num-records',
    String(o.numRecords),
    '--json',
  ];
  if (mode !== 'consume') args.push('--record-size', String(o.recordSize));
  if (o.throughput !== undefined) args.push('--throughput', String(o.throughput));
  if (o.producers !== undefined) args.push('--producers', String(o.producers));
  if (o.batchSize !== undefined) args.push('--batch-size', String(o.batchSize));
  if (o.lingerMs !== undefined) args.push('--linger-ms', String(o.lingerMs));
  if (o.acks !== undefined) args.push('--acks', o.acks);
  if (o.compression !== undefined) args.push('--compression', o.compression);
  if (o.maxInFlight !== undefined) args.push('--max-in-flight', String(o.maxInFlight));
  if (o.fetchSize !== undefined) args.push('--fetch-size', String(o.fetchSize));
  args.push(...(o.extra ?? []));
  return args;
}

/** Runs `weir perf MODE ... --json` and returns its result. */
export async function weirPerf(
  mode: 'produce' | 'consume' | 'e2e',
  bootstrap: string,
  options: PerfOptions,
  timeoutMs = 180_000,
): Promise<PerfResult> {
  return runJson<Omit<PerfResult, 'wallSeconds'>>(
    process.execPath,
    perfArgs(mode, bootstrap, options),
    {
      timeoutMs,
    },
  );
}

/** The printable command line (for RESULTS.md), with the repository-relative path. */
export function perfCommand(mode: 'produce' | 'consume' | 'e2e', options: PerfOptions): string {
  return ['weir', ...perfArgs(mode, 'HOST:PORT', options).slice(1)].join(' ');
}

export type { RssSummary };
