import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram } from '../../src/cli/perf/histogram.js';
import { niceScale, renderChart } from '../../src/cli/perf/svg-chart.js';

/** The exact percentile (nearest rank), as HdrHistogram defines it. */
function exact(sorted: number[], percentile: number): number {
  return sorted[Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1)]!;
}

describe('Histogram', () => {
  it('is exact below 2048 and within 0.1% above, across the range', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = Array.from({ length: 100_000 }, () =>
      Math.floor(Math.exp(random() * Math.log(3.6e9))),
    );
    const h = new Histogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [0, 1, 10, 50, 90, 95, 99, 99.9, 99.99, 100]) {
      const want = exact(sorted, p);
      const got = h.valueAtPercentile(p);
      if (want < 2048) assert.equal(got, want, `p${p}`);
      else assert.ok(got >= want && (got - want) / want <= 0.001, `p${p}: ${got} vs ${want}`);
    }
    assert.equal(h.count, values.length);
    assert.equal(h.max, sorted[sorted.length - 1]);
    assert.equal(h.min, sorted[0]);
    assert.ok(Math.abs(h.mean - values.reduce((a, b) => a + b, 0) / values.length) < 1e-3 * h.mean);
  });

  it('handles powers of two and their neighbours, clamps, merges and resets', () => {
    const h = new Histogram(1_000_000);
    for (let k = 11; k < 20; k++) {
      for (const v of [2 ** k - 1, 2 ** k, 2 ** k + 1]) {
        h.reset();
        h.record(v);
        const got = h.valueAtPercentile(50);
        assert.ok(got >= v && got - v <= v / 1024 + 1 && got <= h.max, `${v} -> ${got}`);
      }
    }
    h.reset();
    h.record(5e9);
    assert.equal(h.max, 1_000_000);
    const other = new Histogram(1_000_000);
    other.record(10, 3);
    h.add(other);
    assert.equal(h.count, 4);
    assert.equal(h.valueAtPercentile(75), 10);
    assert.equal(new Histogram().valueAtPercentile(99), 0);
  });
});

describe('Histogram buckets', () => {
  it('keeps every value to 3 significant digits around each power of two, below and above 2^32', () => {
    const h = new Histogram(2 ** 42);
    for (let k = 11; k <= 40; k++) {
      for (const v of [
        2 ** k - 1,
        2 ** k,
        2 ** k + 1,
        1.5 * 2 ** k,
        2 ** (k + 1) - 2 ** (k - 10),
      ]) {
        h.reset();
        h.record(v);
        h.record(v + 1); // the max caps p50, so a second, larger value exposes the bucket
        const got = h.valueAtPercentile(50);
        assert.ok(got >= v && (got - v) / v < 1 / 1024, `${v} -> ${got}`);
      }
    }
  });

  it('buckets are ordered and contiguous: percentiles of a dense run are exact to the bucket', () => {
    const h = new Histogram();
    const values: number[] = [];
    for (let v = 1; v < 2 ** 33; v = Math.ceil(v * 1.013) + 1) values.push(v);
    for (const v of values) h.record(v);
    values.sort((a, b) => a - b);
    for (let i = 1; i <= 100; i++) {
      const p = i;
      const want = exact(values, p);
      const got = h.valueAtPercentile(p);
      const limit = Math.min(want, h.highestTrackableValue);
      assert.ok(got >= limit && (got - limit) / limit <= 0.001, `p${p}: ${got} vs ${want}`);
    }
    h.reset();
    h.record(Number.NaN);
    h.record(-5);
    assert.equal(h.max, 0);
    assert.equal(h.count, 2);
  });
});

describe('SVG chart', () => {
  it('picks round axis steps and draws one line per series with the saturation mark', () => {
    assert.deepEqual(niceScale(87), { max: 100, step: 20 });
    assert.deepEqual(niceScale(412_000), { max: 500_000, step: 100_000 });
    const svg = renderChart({
      title: 'a <test>',
      xLabel: 'x',
      yLabel: 'y',
      series: ['p50', 'p99'],
      points: [
        { label: '1p', x: 100, ys: [1, 2] },
        { label: '2p', x: 180, ys: [2, 5] },
      ],
      mark: 1,
    });
    assert.match(svg, /^<svg [^>]*viewBox="0 0 720 420"/);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.match(svg, /a &lt;test&gt;/);
    assert.match(svg, />saturation</);
    assert.match(svg, /<\/svg>\n$/);
  });
});
