/**
 * Evicting files from the page cache without touching the rest of the machine: fsync the
 * file (dirty pages cannot be dropped), then `dd iflag=nocache count=0`, which asks the
 * kernel (posix_fadvise DONTNEED) to drop the whole file. `fincore` reports what stayed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc.js';

export function filesUnder(dir: string, suffix = ''): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

/** Drops the files' pages; returns how many bytes of them are still cached afterwards. */
export async function evict(files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0;
  await run('sync', [...files]);
  for (const file of files) {
    await run('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
  return cachedBytes(files);
}

export async function cachedBytes(files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0;
  const result = await run('fincore', [
    '--bytes',
    '--noheadings',
    '--raw',
    '--output',
    'RES',
    ...files,
  ]);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .reduce((sum, line) => sum + Number(line), 0);
}
