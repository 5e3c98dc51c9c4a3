/**
 * Evicting files from the page cache without touching the rest of the machine: fsync the
 * file (dirty pages cannot be dropped), then `dd iflag=nocache count=0`, which asks the
 * kernel (posix_fadvise DONTNEED) to drop the whole file. `fincore` reports what stayed.
 */
import { closeSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
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

/**
 * Page-cache memory on these VMs (Firecracker guests with virtio-balloon free page
 * reporting): memory the guest frees is handed back to the hypervisor about 2 s later, and
 * the next write that needs it faults it in again at a few hundred MB/s (touching 4 GB of
 * fresh memory took 6-15 s here, against ~0.3 s for memory in use). So a file append runs
 * several times faster on memory freed a moment ago than on memory freed seconds ago, and
 * a ceiling and a broker run compare only when both start in the same state:
 *
 * - 'recycled': `bytes` are written to a scratch file and deleted just before the run, so
 *   the run's page cache reuses memory that is still backed (as on a machine without a
 *   balloon); it races the reporting, so runs vary;
 * - 'fresh': the run starts `settleMs` after anything was freed, so all its page cache is
 *   memory the hypervisor must provide anew (the steady state of a log that keeps
 *   growing here); slow, but steady.
 */
export type PageState = 'recycled' | 'fresh';

export const PAGE_STATES: readonly PageState[] = ['recycled', 'fresh'];

export async function preparePages(
  state: PageState,
  dir: string,
  bytes: number,
  settleMs = 5000,
): Promise<void> {
  if (state === 'fresh') {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return;
  }
  writeAndDelete(join(dir, 'recycle.dat'), bytes);
}

/** Writes `bytes` to `file` in 1 MiB writes, then deletes it: its page cache is freed. */
export function writeAndDelete(file: string, bytes: number): void {
  const chunk = Buffer.alloc(1024 * 1024, 0x55);
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}
