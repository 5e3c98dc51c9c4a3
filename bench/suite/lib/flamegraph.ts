/**
 * A flame graph of a V8 .cpuprofile as a standalone SVG: one box per call stack frame,
 * width proportional to the samples under it, callers below callees (root at the bottom),
 * only the samples inside `window` and never "(idle)". Frames are merged by name along
 * each stack, so a function reached by two paths shows twice, as in any flame graph.
 * Colours: Weir's own code (src/) orange, the bench's workers green, Node internals
 * blue, native code and the garbage collector grey.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Frame {
  name: string;
  kind: 'weir' | 'bench' | 'node' | 'native';
  samples: number;
  children: Map<string, Frame>;
}

const W = 1200;
const ROW = 17;

function describeFrame(node: Node): Pick<Frame, 'name' | 'kind'> {
  const { functionName, url } = node.callFrame;
  const fn = functionName || '(anonymous)';
  const dist = /\/dist\/(src|bench)\/(.*)\.js$/.exec(url);
  if (dist)
    return { name: `${fn} ${dist[1]}/${dist[2]}.ts`, kind: dist[1] === 'src' ? 'weir' : 'bench' };
  if (url.startsWith('node:')) return { name: `${fn} ${url}`, kind: 'node' };
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return { name: `${fn} ${nm[1]}`, kind: 'node' };
  return { name: fn, kind: 'native' };
}

const COLOURS: Record<Frame['kind'], string> = {
  weir: '#f0a050',
  bench: '#8cc084',
  node: '#82aede',
  native: '#bdbdbd',
};

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderFlameGraph(
  profilePath: string,
  title: string,
  window?: { fromUs: number; toUs: number },
): string {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    startTime: number;
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const counts = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  const root: Frame = { name: 'all busy samples', kind: 'native', samples: 0, children: new Map() };
  for (const [id, count] of counts) {
    const stack: Node[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n))
      stack.push(byId.get(n)!);
    stack.reverse();
    if (stack.some((n) => n.callFrame.functionName === '(idle)')) continue;
    root.samples += count;
    let frame = root;
    for (const node of stack) {
      if (node.callFrame.functionName === '(root)') continue;
      const { name, kind } = describeFrame(node);
      let child = frame.children.get(name);
      if (!child) {
        child = { name, kind, samples: 0, children: new Map() };
        frame.children.set(name, child);
      }
      child.samples += count;
      frame = child;
    }
  }
  const depthOf = (f: Frame): number => 1 + Math.max(0, ...[...f.children.values()].map(depthOf));
  const depth = depthOf(root);
  const height = depth * ROW + 50;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-family="sans-serif" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${W / 2}" y="34" text-anchor="middle" font-family="sans-serif" fill="#555">${root.samples} busy samples; width = share of them; orange = Weir (src/), green = bench, blue = Node, grey = native/GC. Hover a box for its share.</text>`,
  ];
  const total = Math.max(1, root.samples);
  const draw = (f: Frame, x: number, level: number): void => {
    const width = (f.samples / total) * (W - 10);
    if (width < 0.5) return;
    const y = height - (level + 1) * ROW - 4;
    const share = ((f.samples / total) * 100).toFixed(1);
    out.push(
      `<g><title>${esc(f.name)}: ${share}%</title><rect x="${(x + 5).toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${ROW - 1}" fill="${COLOURS[f.kind]}" stroke="#fff" stroke-width="0.5"/>`,
    );
    const chars = Math.floor((width - 4) / 6.6);
    if (chars >= 4) {
      const label = f.name.length > chars ? `${f.name.slice(0, chars - 1)}…` : f.name;
      out.push(`<text x="${(x + 7).toFixed(1)}" y="${y + 12}">${esc(label)}</text>`);
    }
    out.push('</g>');
    let childX = x;
    for (const child of [...f.children.values()].sort((a, b) => b.samples - a.samples)) {
      draw(child, childX, level + 1);
      childX += (child.samples / total) * (W - 10);
    }
  };
  draw(root, 0, 0);
  out.push('</svg>', '');
  return out.join('\n');
}
