/**
 * One-offset checkpoints of a partition directory:
 * - `log-start-offset-checkpoint`: the log start offset when DeleteRecords moved it past
 *   the first segment's base (otherwise the first segment's base is the log start).
 * - `recovery-point-checkpoint`: every segment below this base offset is fsynced with
 *   valid index files, so recovery after a crash scans only from there.
 */
import { join } from 'node:path';
import type { FileSystem } from '../fs/file-system.js';
import { LOG_START_CHECKPOINT, RECOVERY_POINT_CHECKPOINT } from '../log/file-names.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';

async function readOffset(fs: FileSystem, path: string): Promise<number | null> {
  const entries = await readCheckpoint(fs, path, 1);
  return entries && entries.length === 1 ? entries[0][0] : null;
}

export function readLogStartOffset(fs: FileSystem, dir: string): Promise<number | null> {
  return readOffset(fs, join(dir, LOG_START_CHECKPOINT));
}

/** Durable when it resolves. */
export function writeLogStartOffset(fs: FileSystem, dir: string, offset: number): Promise<void> {
  return writeCheckpoint(fs, join(dir, LOG_START_CHECKPOINT), [[offset]]);
}

export function readRecoveryPoint(fs: FileSystem, dir: string): Promise<number | null> {
  return readOffset(fs, join(dir, RECOVERY_POINT_CHECKPOINT));
}

/** Durable when it resolves. Write it only after the segments below it are fsynced. */
export function writeRecoveryPoint(fs: FileSystem, dir: string, offset: number): Promise<void> {
  return writeCheckpoint(fs, join(dir, RECOVERY_POINT_CHECKPOINT), [[offset]]);
}
