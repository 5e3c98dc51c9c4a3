/**
 * An HDR-style latency histogram (log-linear buckets, three significant digits), written
 * for the benchmark suite so that every latency figure — Weir's, the peers', the ping-pong
 * floor — is summarised the same way.
 *
 * Values are recorded in microseconds (integers). Below 2048 µs every value has its own
 * bucket; above, each power-of-two range is split into 1024 equal buckets, so a recorded
 * value is off by less than 1/1024 (0.1%). Percentiles report the highest value of the
 * bucket they fall in (as HdrHistogram does); `max` is exact.
 */
const LINEAR = 2048;
const SUB_BUCKETS = 1024;
const SUB_BITS = 10;
const RANGES = 40; // up to 2^50 µs, far beyond any run

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export class Histogram {
  readonly counts = new Float64Array(LINEAR + RANGES * SUB_BUCKETS);
  count = 0;
  max = 0;
  sum = 0;

  /** Records one value in microseconds (rounded, clamped at 0). */
  record(micros: number): void {
    const v = micros <= 0 ? 0 : Math.round(micros);
    this.counts[indexOf(v)]! += 1;
    this.count += 1;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Records the time since `startNs` (a process.hrtime.bigint() reading). */
  recordSince(startNs: bigint): void {
    this.record(Number(process.hrtime.bigint() - startNs) / 1000);
  }

  merge(other: Histogram): void {
    for (let i = 0; i < other.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** Value (µs) at or below which `percent` of the recorded values fall. */
  percentile(percent: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(highestOf(i), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    const ms = (micros: number): number => Math.round(micros) / 1000;
    return {
      count: this.count,
      p50: ms(this.percentile(50)),
      p95: ms(this.percentile(95)),
      p99: ms(this.percentile(99)),
      p999: ms(this.percentile(99.9)),
      max: ms(this.max),
      mean: this.count === 0 ? 0 : ms(this.sum / this.count),
    };
  }
}

function indexOf(v: number): number {
  if (v < LINEAR) return v;
  const shift = Math.floor(Math.log2(v)) - SUB_BITS;
  // Guard against log2 rounding at exact powers of two.
  const top = Math.floor(v / 2 ** shift);
  const fixedShift = top >= 2 * SUB_BUCKETS ? shift + 1 : top < SUB_BUCKETS ? shift - 1 : shift;
  const sub = Math.floor(v / 2 ** fixedShift) - SUB_BUCKETS;
  const index = LINEAR + (fixedShift - 1) * SUB_BUCKETS + sub;
  return Math.min(index, LINEAR + RANGES * SUB_BUCKETS - 1);
}

function highestOf(index: number): number {
  if (index < LINEAR) return index;
  const shift = Math.floor((index - LINEAR) / SUB_BUCKETS) + 1;
  const sub = (index - LINEAR) % SUB_BUCKETS;
  return (sub + SUB_BUCKETS + 1) * 2 ** shift - 1;
}
