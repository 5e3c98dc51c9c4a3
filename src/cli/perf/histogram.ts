/**
 * A latency histogram in the style of HdrHistogram: exact counts up to 2048, then
 * log-linear buckets of 1024 sub-buckets each, so every recorded value is kept to within
 * 0.1% (three significant digits) from 1 up to `highestTrackableValue`, in constant memory
 * (about 24k counters for one hour in microseconds) and O(1) per record.
 *
 * Percentiles report the highest value equivalent to the bucket that reaches the
 * percentile (as HdrHistogram does), capped at the largest value recorded.
 */

/** 2^SUB_BUCKET_BITS sub-buckets per power of two: 3 significant digits. */
const SUB_BUCKET_BITS = 10;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_BITS;

export class Histogram {
  readonly highestTrackableValue: number;
  readonly #counts: Float64Array;
  #total = 0;
  #min = Infinity;
  #max = 0;
  #sum = 0;

  /** Values are integers in [0, highestTrackableValue]; larger ones are clamped. */
  constructor(highestTrackableValue = 3_600_000_000) {
    this.highestTrackableValue = highestTrackableValue;
    this.#counts = new Float64Array(bucketIndex(highestTrackableValue) + 1);
  }

  get count(): number {
    return this.#total;
  }

  get min(): number {
    return this.#total === 0 ? 0 : this.#min;
  }

  get max(): number {
    return this.#max;
  }

  get mean(): number {
    return this.#total === 0 ? 0 : this.#sum / this.#total;
  }

  record(value: number, count = 1): void {
    // `v > 0` is also false for NaN, which counts as 0.
    const rounded = Math.round(value);
    const v =
      rounded > 0
        ? rounded < this.highestTrackableValue
          ? rounded
          : this.highestTrackableValue
        : 0;
    this.#counts[bucketIndex(v)]! += count;
    this.#total += count;
    this.#sum += v * count;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** The value at `percentile` (0-100); 0 for an empty histogram. */
  valueAtPercentile(percentile: number): number {
    if (this.#total === 0) return 0;
    const target = Math.max(
      1,
      Math.ceil((Math.min(100, Math.max(0, percentile)) / 100) * this.#total),
    );
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= target) return Math.min(highestEquivalentValue(i), this.#max);
    }
    return this.#max;
  }

  /** Adds every value recorded in `other`. */
  add(other: Histogram): void {
    if (other.#counts.length > this.#counts.length) throw new RangeError('histogram ranges differ');
    for (let i = 0; i < other.#counts.length; i++) this.#counts[i]! += other.#counts[i]!;
    this.#total += other.#total;
    this.#sum += other.#sum;
    if (other.#total > 0) {
      this.#min = Math.min(this.#min, other.#min);
      this.#max = Math.max(this.#max, other.#max);
    }
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = 0;
  }
}

/**
 * Bucket 0 holds 0..2047 exactly; bucket e >= 1 holds [2^(e+10), 2^(e+11)) in steps of
 * 2^e. Integer arithmetic only (a leading-zero count, a shift) below 2^32, which covers
 * an hour in microseconds: recording is on the per-record path of `weir perf`.
 */
function bucketIndex(value: number): number {
  if (value < 2 * SUB_BUCKET_HALF) return value;
  if (value <= 0xffffffff) {
    const e = 31 - Math.clz32(value) - SUB_BUCKET_BITS;
    return (e + 1) * SUB_BUCKET_HALF + ((value >>> e) - SUB_BUCKET_HALF);
  }
  let e = Math.floor(Math.log2(value)) - SUB_BUCKET_BITS;
  // Math.log2 can round up just below a power of two; fix the exponent if so.
  if (Math.floor(value / 2 ** e) < SUB_BUCKET_HALF) e--;
  const sub = Math.floor(value / 2 ** e); // in [1024, 2047]
  return (e + 1) * SUB_BUCKET_HALF + (sub - SUB_BUCKET_HALF);
}

function highestEquivalentValue(index: number): number {
  if (index < 2 * SUB_BUCKET_HALF) return index;
  const e = Math.floor(index / SUB_BUCKET_HALF) - 1;
  const sub = (index % SUB_BUCKET_HALF) + SUB_BUCKET_HALF;
  return (sub + 1) * 2 ** e - 1;
}
