/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the samples fall, by
 * function (self time), by source file, and inclusive time of Weir's own functions, as a
 * percentage of the samples in which the process was busy ("(idle)" left out). Paths of
 * compiled files (dist/src/x.js) are shown as their sources (src/x.ts).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds on the monotonic clock (process.hrtime's). */
  startTime: number;
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  percent: number;
}

export interface ProfileSummary {
  busySamples: number;
  idlePercent: number;
  selfTop: ProfileRow[];
  byFile: ProfileRow[];
  inclusiveTop: ProfileRow[];
}

function shortFile(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const dist = /\/dist\/(src|bench)\/(.*)\.js$/.exec(path);
  if (dist) return `${dist[1]}/${dist[2]}.ts`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (nm) return `${nm[1]}:${nm[2]}`;
  return path.startsWith('node:') ? path : path.split('/').slice(-2).join('/');
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const fn = functionName || '(anonymous)';
  const file = shortFile(url);
  return file ? `${file}:${fn}${lineNumber >= 0 ? ` (line ${lineNumber + 1})` : ''}` : fn;
}

/**
 * `window` (monotonic µs, as process.hrtime.bigint() / 1000) keeps only the samples taken
 * while the workload ran, leaving out start-up and shutdown.
 */
export function summariseProfile(
  path: string,
  top = 15,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  let at = raw.startTime;
  const samples = raw.samples.filter((_, i) => {
    at += raw.timeDeltas[i] ?? 0;
    return !window || (at >= window.fromUs && at <= window.toUs);
  });
  const profile = { ...raw, samples };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const selfCount = new Map<number, number>();
  for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
  let idle = 0;
  for (const [id, count] of selfCount)
    if (byId.get(id)?.callFrame.functionName === '(idle)') idle += count;
  const busy = profile.samples.length - idle;
  const pct = (count: number): number => Math.round((count / Math.max(1, busy)) * 1000) / 10;

  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, count] of selfCount) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const name = label(node);
    self.set(name, (self.get(name) ?? 0) + count);
    const file = shortFile(node.callFrame.url) || node.callFrame.functionName || '(native)';
    files.set(file, (files.get(file) ?? 0) + count);
    // Inclusive: each ancestor frame once per sample, recursion counted once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      const frameName = label(frame);
      if (seen.has(frameName) || !/^src\//.test(shortFile(frame.callFrame.url))) continue;
      seen.add(frameName);
      inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + count);
    }
  }
  const rows = (map: Map<string, number>): ProfileRow[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, count]) => ({ name, percent: pct(count) }));
  return {
    busySamples: busy,
    idlePercent: Math.round((idle / Math.max(1, profile.samples.length)) * 1000) / 10,
    selfTop: rows(self),
    byFile: rows(files),
    inclusiveTop: rows(inclusive),
  };
}
