/**
 * The clean-shutdown marker, `.clean-shutdown` in the partition directory. close()
 * writes it last, after fsyncing every segment and index, recording the log end offset
 * and the active segment's base and size. open() reads it and deletes it (durably)
 * before the log accepts writes, so only a restart that follows a clean close skips the
 * recovery scan. A marker that disagrees with the files is ignored.
 */
import { join } from 'node:path';
import type { FileSystem } from '../fs/file-system.js';
import { CLEAN_SHUTDOWN_MARKER } from '../log/file-names.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';

export interface CleanShutdown {
  logEndOffset: number;
  activeBaseOffset: number;
  activeSize: number;
}

export async function writeCleanShutdown(
  fs: FileSystem,
  dir: string,
  state: CleanShutdown,
): Promise<void> {
  await writeCheckpoint(fs, join(dir, CLEAN_SHUTDOWN_MARKER), [
    [state.logEndOffset, state.activeBaseOffset, state.activeSize],
  ]);
}

/** Reads and removes the marker; null when there was none (or it was unreadable). */
export async function takeCleanShutdown(
  fs: FileSystem,
  dir: string,
): Promise<CleanShutdown | null> {
  const path = join(dir, CLEAN_SHUTDOWN_MARKER);
  let entries: number[][] | null;
  try {
    entries = await readCheckpoint(fs, path, 3);
  } catch {
    entries = null;
  }
  if ((await fs.stat(path)) === null) return null;
  await fs.unlink(path);
  await fs.syncDir(dir);
  if (!entries || entries.length !== 1) return null;
  const [logEndOffset, activeBaseOffset, activeSize] = entries[0];
  return { logEndOffset, activeBaseOffset, activeSize };
}
