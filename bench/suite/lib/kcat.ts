/**
 * kcat (librdkafka) as a third-party load generator for the client cross-check.
 *
 * Produce: `kcat -P -l FILE` sends each line of FILE as one record (the file holds COUNT
 * lines of SIZE bytes, made once) and exits when every record is delivered. Consume:
 * `kcat -C -o beginning -e` prints one byte per record ('-f' with a newline) and exits at
 * the end of the partition; the suite counts those bytes. Both are timed from process
 * start to exit, so the figures include kcat's start-up and metadata round trip (~0.1 s).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { run } from './proc.js';

export async function kcatAvailable(): Promise<string | null> {
  try {
    const result = await run('kcat', ['-V']);
    return result.code === 0 ? (result.stdout.split('\n')[0] ?? 'kcat').trim() : null;
  } catch {
    return null;
  }
}

/** Writes COUNT lines of SIZE bytes (plus the newline kcat strips). */
export async function writeRecordFile(path: string, count: number, size: number): Promise<void> {
  const line = Buffer.alloc(size + 1, 0x4b);
  line[size] = 0x0a;
  const perChunk = Math.max(1, Math.floor((1 << 20) / line.length));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => line));
  const out = createWriteStream(path);
  let left = count;
  while (left > 0) {
    const n = Math.min(perChunk, left);
    left -= n;
    if (!out.write(n === perChunk ? chunk : chunk.subarray(0, n * line.length)))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface KcatResult {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
}

export async function kcatProduce(
  bootstrap: string,
  topic: string,
  file: string,
  count: number,
  size: number,
  settings: Record<string, string>,
): Promise<KcatResult> {
  const props = Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const result = await run('kcat', ['-P', '-b', bootstrap, '-t', topic, '-l', file, ...props], {
    timeoutMs: 300_000,
  });
  if (result.code !== 0 || /error|failed/i.test(result.stderr)) {
    throw new Error(`kcat -P failed (${result.code}): ${result.stderr.slice(-2000)}`);
  }
  return {
    records: count,
    bytes: count * size,
    seconds: result.seconds,
    recordsPerSec: count / result.seconds,
    mbPerSec: (count * size) / 1e6 / result.seconds,
  };
}

export function kcatConsume(bootstrap: string, topic: string, size: number): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      'kcat',
      ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '\n'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let records = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      records += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`kcat -C failed (${code}): ${stderr.slice(-2000)}`));
      else
        resolve({
          records,
          bytes: records * size,
          seconds,
          recordsPerSec: records / seconds,
          mbPerSec: (records * size) / 1e6 / seconds,
        });
    });
  });
}
