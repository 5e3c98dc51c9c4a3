/**
 * `leader-epoch-checkpoint`: which leader epoch started at which offset, one
 * "epoch startOffset" line per epoch, in Kafka's checkpoint format. Replication uses it
 * to answer OffsetForLeaderEpoch and to truncate a diverging follower.
 */
import { join } from 'node:path';
import type { FileSystem } from '../fs/file-system.js';
import { LEADER_EPOCH_CHECKPOINT } from '../log/file-names.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export async function readLeaderEpochs(fs: FileSystem, dir: string): Promise<EpochEntry[]> {
  const rows = await readCheckpoint(fs, join(dir, LEADER_EPOCH_CHECKPOINT), 2);
  return (rows ?? []).map(([epoch, startOffset]) => ({ epoch, startOffset }));
}

/** Durable when it resolves. */
export async function writeLeaderEpochs(
  fs: FileSystem,
  dir: string,
  entries: readonly EpochEntry[],
): Promise<void> {
  await writeCheckpoint(
    fs,
    join(dir, LEADER_EPOCH_CHECKPOINT),
    entries.map((e) => [e.epoch, e.startOffset]),
  );
}
