/**
 * The saturation chart (issue 7, suite part 5) as a standalone SVG: producers on the x axis
 * (evenly spaced), throughput in MB/s as bars on the left axis with the produce-path
 * ceiling as a dashed line, p99 latency in ms as a line on the right axis, and the
 * saturation step marked.
 */
export interface SaturationPoint {
  producers: number;
  mbPerSec: number;
  p99Ms: number;
}

const W = 720;
const H = 420;
const M = { top: 56, right: 70, bottom: 56, left: 70 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function saturationIndex(points: readonly SaturationPoint[]): number {
  const best = Math.max(...points.map((p) => p.mbPerSec));
  return points.findIndex((p) => p.mbPerSec >= 0.95 * best);
}

export function renderSaturationChart(
  title: string,
  subtitle: string,
  points: readonly SaturationPoint[],
  ceilingMBps: number,
): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const yMax = niceMax(Math.max(ceilingMBps, ...points.map((p) => p.mbPerSec)) * 1.05);
  const lMax = niceMax(Math.max(...points.map((p) => p.p99Ms)) * 1.1);
  const slot = plotW / points.length;
  const x = (i: number): number => M.left + slot * (i + 0.5);
  const y = (mb: number): number => M.top + plotH - (mb / yMax) * plotH;
  const yl = (ms: number): number => M.top + plotH - (ms / lMax) * plotH;
  const knee = saturationIndex(points);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`,
  );
  for (let t = 0; t <= 5; t++) {
    const gy = M.top + plotH - (t / 5) * plotH;
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${gy}" y2="${gy}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${gy + 4}" text-anchor="end" fill="#1f5fa8">${+((yMax * t) / 5).toFixed(1)}</text>`,
      `<text x="${W - M.right + 6}" y="${gy + 4}" fill="#c0392b">${+((lMax * t) / 5).toFixed(2)}</text>`,
    );
  }
  points.forEach((p, i) => {
    const bw = slot * 0.5;
    out.push(
      `<rect x="${x(i) - bw / 2}" y="${y(p.mbPerSec)}" width="${bw}" height="${M.top + plotH - y(p.mbPerSec)}" fill="${i === knee ? '#1f5fa8' : '#7fa7d6'}"/>`,
      `<text x="${x(i)}" y="${y(p.mbPerSec) - 5}" text-anchor="middle" fill="#1f5fa8">${p.mbPerSec.toFixed(0)}</text>`,
      `<text x="${x(i)}" y="${M.top + plotH + 18}" text-anchor="middle">${p.producers}</text>`,
    );
  });
  const cy = y(ceilingMBps);
  out.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${cy}" y2="${cy}" stroke="#1f5fa8" stroke-dasharray="6 4"/>`,
    `<text x="${M.left + 6}" y="${cy - 6}" fill="#1f5fa8">ceiling 1 (TCP receive + file append): ${ceilingMBps.toFixed(0)} MB/s</text>`,
    `<polyline fill="none" stroke="#c0392b" stroke-width="2" points="${points.map((p, i) => `${x(i)},${yl(p.p99Ms)}`).join(' ')}"/>`,
    ...points.map(
      (p, i) =>
        `<circle cx="${x(i)}" cy="${yl(p.p99Ms)}" r="4" fill="#c0392b"/><text x="${x(i) + 7}" y="${yl(p.p99Ms) - 6}" fill="#c0392b">${p.p99Ms.toFixed(1)}</text>`,
    ),
  );
  if (knee >= 0) {
    out.push(
      `<line x1="${x(knee)}" x2="${x(knee)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333" stroke-dasharray="3 3"/>`,
      `<text x="${x(knee) + 4}" y="${M.top + 12}" fill="#333">saturation: ${points[knee]!.producers} producer(s)</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 14}" text-anchor="middle">producers (each its own connection, all at max rate)</text>`,
    `<text transform="translate(18 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#1f5fa8">throughput, MB/s (bars)</text>`,
    `<text transform="translate(${W - 16} ${M.top + plotH / 2}) rotate(90)" text-anchor="middle" fill="#c0392b">produce p99 latency, ms (line)</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}
