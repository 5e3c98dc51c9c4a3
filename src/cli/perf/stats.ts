/**
 * What `weir perf` measures and how it reports it: the result object (the `--json` line),
 * the Kafka-style summary line, and the live progress line (rewritten in place on a
 * terminal, one line per interval otherwise), all on stderr except the summary.
 */
import { Histogram } from './histogram.js';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** The `--json` object; field names are a contract with scripts. */
export interface PerfResult {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs: LatencySummary;
}

const MB = 1024 * 1024;
const round = (n: number, digits: number): number => Number(n.toFixed(digits));

/** `micros` holds latencies in microseconds. MB/s counts 1024*1024 bytes, as Kafka's tools do. */
export function perfResult(
  records: number,
  bytes: number,
  seconds: number,
  micros: Histogram,
): PerfResult {
  const ms = (percentile: number): number => round(micros.valueAtPercentile(percentile) / 1000, 3);
  return {
    records,
    bytes,
    seconds: round(seconds, 6),
    recordsPerSec: seconds > 0 ? round(records / seconds, 1) : 0,
    mbPerSec: seconds > 0 ? round(bytes / MB / seconds, 2) : 0,
    latencyMs: {
      p50: ms(50),
      p95: ms(95),
      p99: ms(99),
      p999: ms(99.9),
      max: round(micros.max / 1000, 3),
    },
  };
}

/** "1000000 records sent, 250000.0 records/s (23.84 MB/s), latency ms: avg 4.1, p50 3.2, ...". */
export function summaryLine(verb: string, result: PerfResult, micros: Histogram): string {
  const l = result.latencyMs;
  return (
    `${result.records} records ${verb} in ${result.seconds.toFixed(2)} s, ` +
    `${result.recordsPerSec.toFixed(1)} records/s (${result.mbPerSec.toFixed(2)} MB/s), ` +
    `latency ms: avg ${(micros.mean / 1000).toFixed(2)}, p50 ${l.p50}, p95 ${l.p95}, p99 ${l.p99}, p99.9 ${l.p999}, max ${l.max}\n`
  );
}

/** Windowed progress: records, rate and latency since the previous line. */
export class Progress {
  readonly #verb: string;
  readonly #tty: boolean;
  readonly #window = new Histogram();
  #timer: NodeJS.Timeout | null = null;
  #records = 0;
  #windowRecords = 0;
  #windowBytes = 0;
  #windowStart = performance.now();
  #dirty = false;

  constructor(verb: string, enabled: boolean, intervalMs?: number) {
    this.#verb = verb;
    this.#tty = process.stderr.isTTY === true;
    if (enabled) {
      this.#timer = setInterval(() => this.#print(), intervalMs ?? (this.#tty ? 1_000 : 5_000));
      this.#timer.unref();
    }
  }

  add(records: number, bytes: number, latencyMicros: number | null): void {
    this.#records += records;
    this.#windowRecords += records;
    this.#windowBytes += bytes;
    // Nobody reads the window of a disabled progress line: skip the per-record work.
    if (latencyMicros !== null && this.#timer !== null) this.#window.record(latencyMicros, records);
  }

  /** Whether a progress line is printed (and so wants per-record latencies). */
  get enabled(): boolean {
    return this.#timer !== null;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#dirty) process.stderr.write('\n');
    this.#dirty = false;
  }

  #print(): void {
    const now = performance.now();
    const seconds = (now - this.#windowStart) / 1000;
    const rate = seconds > 0 ? this.#windowRecords / seconds : 0;
    const mb = seconds > 0 ? this.#windowBytes / MB / seconds : 0;
    const latency =
      this.#window.count > 0
        ? `, latency ms avg ${(this.#window.mean / 1000).toFixed(1)} p99 ${(this.#window.valueAtPercentile(99) / 1000).toFixed(1)} max ${(this.#window.max / 1000).toFixed(1)}`
        : '';
    const line = `${this.#records} records ${this.#verb}, ${rate.toFixed(1)} records/s (${mb.toFixed(2)} MB/s)${latency}`;
    if (this.#tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      this.#dirty = true;
    } else {
      process.stderr.write(`${line}\n`);
    }
    this.#window.reset();
    this.#windowRecords = 0;
    this.#windowBytes = 0;
    this.#windowStart = now;
  }
}
