/**
 * The shape of one suite run's results (also saved as .tmp/bench-suite/results.json) and
 * the figures derived from them, shared by the runner and the report.
 */
import type { CeilingResults } from './ceilings.js';
import type { PageState } from './lib/page-cache.js';
import type { KcatResult } from './lib/kcat.js';
import type { RssSummary } from './lib/proc.js';
import type { ProfileSummary } from './lib/profile.js';
import type { PerfResult } from './lib/weir.js';

export interface ProduceCase {
  acks: '1' | 'all';
  producers: number;
  recordSize: number;
  batchSize: number;
  compression: 'none' | 'lz4';
  /**
   * Produce requests in flight per connection; absent = 5, Kafka's default. 64 × 16 KiB
   * matches the peers' window of 1000 unacknowledged 1 KiB messages.
   */
  maxInFlight?: number;
}

export interface Row<T> {
  params: T;
  result: PerfResult | null;
  error?: string;
  rss?: RssSummary;
}

/** A run of the pre-encoded load generator (workers/raw-client.ts). */
export interface RawCase {
  kind: 'produce' | 'fetch';
  recordSize: number;
  acks?: '1' | 'all';
  batchSize?: number;
  inFlight?: number;
  cache?: 'warm' | 'cold';
  partitionMaxBytes?: number;
}

export interface PairedRun {
  state: PageState;
  pair: number;
  ceilingMBps: number | null;
  perf: PerfResult | null;
  raw: PerfResult | null;
  errors: string[];
}

export interface SuiteResults {
  startedAt: string;
  finishedAt?: string;
  environment: Record<string, string>;
  config: Record<string, unknown> & { quick: boolean };
  ceilings?: CeilingResults;
  ceilingsAfter?: CeilingResults;
  produce: Row<ProduceCase>[];
  /** fetchSize: `weir perf consume --fetch-size`; absent in older runs (1 MiB, the default). */
  consume: Row<{
    recordSize: number;
    cache: 'warm' | 'cold';
    rep: number;
    records: number;
    fetchSize?: number;
  }>[];
  prefill: Row<{ recordSize: number; records: number }>[];
  raw: Row<RawCase>[];
  /** A/B of the broker with libuv's io_uring on (Node 20's default) and off, alternating. */
  iouring: Row<RawCase & { uring: 'default' | 'off'; pair: number }>[];
  /**
   * The 1 KiB acks=1 target: ceiling 1, weir perf and the pre-encoded client run back to
   * back in one page-cache state (lib/page-cache.ts), pair after pair.
   */
  paired?: PairedRun[];
  e2e: Row<{ rate: number; seconds: number }>[];
  saturation: Row<{ producers: number; backlogBytes: number }>[];
  peers: {
    system: string;
    version: string;
    produce?: PerfResult;
    consume?: PerfResult;
    e2e: { rate: number; result: PerfResult & { sent?: number } }[];
    rss?: RssSummary;
    error?: string;
  }[];
  weirFsync?: { produce?: Row<ProduceCase>; e2e?: Row<{ rate: number; seconds: number }> };
  crosscheck: {
    client: string;
    workload: string;
    recordSize: number;
    result: KcatResult | PerfResult | null;
    error?: string;
  }[];
  profiles: {
    workload: string;
    command: string;
    broker?: ProfileSummary;
    client?: ProfileSummary;
    /** Paths relative to bench/ (or absolute under .tmp for runs that do not write). */
    flameGraphs?: string[];
    error?: string;
  }[];
  notes: string[];
}

/** MB/s (10^6 bytes) from a result's bytes and seconds (weir perf itself prints MiB/s). */
export function mbps(r: { bytes: number; seconds: number }): number {
  return r.seconds > 0 ? r.bytes / 1e6 / r.seconds : 0;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A ceiling as the median of every run of it in this suite run: start and end, and for
 * ceiling 1 also the runs paired with Weir (section 2c).
 */
export function ceilingOf(
  results: SuiteResults,
  which: 'produce' | 'fetchWarm' | 'fetchCold',
): number {
  const key = `${which}Runs` as 'produceRuns' | 'fetchWarmRuns' | 'fetchColdRuns';
  const paired =
    which === 'produce'
      ? (results.paired ?? []).flatMap((p) => (p.ceilingMBps === null ? [] : [p.ceilingMBps]))
      : [];
  return median([
    ...(results.ceilings?.[key] ?? []),
    ...(results.ceilingsAfter?.[key] ?? []),
    ...paired,
  ]);
}
