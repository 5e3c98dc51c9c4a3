/**
 * A small SVG line chart for `weir perf produce --sweep`: throughput on the x axis,
 * latency percentiles on the y axis, one point per step labelled with its producer count.
 * The curve's knee (throughput stops growing while latency climbs) is the saturation
 * point, marked with a dashed line.
 */

export interface ChartPoint {
  label: string;
  x: number;
  /** One value per series, in the order of `series`. */
  ys: number[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: string[];
  points: ChartPoint[];
  /** Index into points of the point to mark, if any. */
  mark?: number;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const MARGIN = { top: 40, right: 120, bottom: 50, left: 70 };

/** A "nice" axis maximum and step: 1, 2 or 5 times a power of ten. */
export function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 0.2 };
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return { max: Math.ceil(max / step) * step, step };
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function compact(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return `${+n.toFixed(2)}`;
}

export function renderChart(options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xScale = niceScale(Math.max(...options.points.map((p) => p.x), 0));
  const yScale = niceScale(Math.max(...options.points.flatMap((p) => p.ys), 0));
  const px = (x: number): number => MARGIN.left + (x / xScale.max) * plotW;
  const py = (y: number): number => MARGIN.top + plotH - (y / yScale.max) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(options.title)}</text>`,
  );
  for (let v = 0; v <= xScale.max + 1e-9; v += xScale.step) {
    out.push(
      `<line x1="${px(v)}" y1="${MARGIN.top}" x2="${px(v)}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${px(v)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${compact(v)}</text>`,
    );
  }
  for (let v = 0; v <= yScale.max + 1e-9; v += yScale.step) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${py(v)}" x2="${MARGIN.left + plotW}" y2="${py(v)}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 8}" y="${py(v) + 4}" text-anchor="end">${compact(v)}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
  );
  if (options.mark !== undefined && options.points[options.mark]) {
    const x = px(options.points[options.mark]!.x);
    out.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotH}" stroke="#888" stroke-dasharray="4 4"/>`,
      `<text x="${x + 4}" y="${MARGIN.top + 14}" fill="#555">saturation</text>`,
    );
  }
  options.series.forEach((name, s) => {
    const color = COLORS[s % COLORS.length]!;
    const coords = options.points.map(
      (p) => `${px(p.x).toFixed(1)},${py(p.ys[s] ?? 0).toFixed(1)}`,
    );
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${coords.join(' ')}"/>`,
    );
    options.points.forEach((p, i) => {
      out.push(
        `<circle cx="${coords[i]!.split(',')[0]}" cy="${coords[i]!.split(',')[1]}" r="3.5" fill="${color}"/>`,
      );
      if (s === options.series.length - 1) {
        out.push(
          `<text x="${px(p.x) + 6}" y="${py(p.ys[s] ?? 0) - 6}" fill="#333">${escape(p.label)}</text>`,
        );
      }
    });
    const ly = MARGIN.top + 10 + s * 18;
    out.push(
      `<line x1="${MARGIN.left + plotW + 12}" y1="${ly}" x2="${MARGIN.left + plotW + 32}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + plotW + 38}" y="${ly + 4}">${escape(name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
