/**
 * Names of the files in a partition directory, after Kafka's: segments are named by
 * their base offset, zero-padded to 20 digits so they sort by name.
 *
 *   00000000000000000000.log        record batches
 *   00000000000000000000.index      sparse offset index
 *   00000000000000000000.timeindex  sparse time index
 *   00000000000000001234.snapshot   producer-state snapshot taken at offset 1234
 *   leader-epoch-checkpoint, log-start-offset-checkpoint, recovery-point-checkpoint
 *   .clean-shutdown                 written by close(), removed by open()
 */
import { join } from 'node:path';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const SNAPSHOT_SUFFIX = '.snapshot';
/** Left behind by an interrupted atomic write; removed on open. */
export const TEMP_SUFFIX = '.tmp';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const LOG_START_CHECKPOINT = 'log-start-offset-checkpoint';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-checkpoint';
export const CLEAN_SHUTDOWN_MARKER = '.clean-shutdown';

const OFFSET_NAME = /^(\d{20})\.(log|index|timeindex|snapshot)$/;

export function offsetName(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function segmentPaths(
  dir: string,
  baseOffset: number,
): { log: string; index: string; timeIndex: string } {
  const stem = join(dir, offsetName(baseOffset));
  return {
    log: stem + LOG_SUFFIX,
    index: stem + INDEX_SUFFIX,
    timeIndex: stem + TIME_INDEX_SUFFIX,
  };
}

/** `{ offset, kind }` for a segment, index or snapshot file name; null for anything else. */
export function parseOffsetName(
  name: string,
): { offset: number; kind: 'log' | 'index' | 'timeindex' | 'snapshot' } | null {
  const match = OFFSET_NAME.exec(name);
  if (!match) return null;
  const offset = Number(match[1]);
  if (!Number.isSafeInteger(offset)) return null;
  return { offset, kind: match[2] as 'log' | 'index' | 'timeindex' | 'snapshot' };
}
