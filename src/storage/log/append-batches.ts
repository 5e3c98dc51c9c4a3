/**
 * The per-append work on the produce path, done on batch headers only (records are never
 * decoded): checking that a buffer is whole magic-2 batches, then, when the append's turn
 * comes, assigning offsets by patching each baseOffset in place, stamping the leader
 * epoch or LogAppendTime if asked, and feeding the segment's indexes.
 */
import {
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  RecordBatchView,
  TimestampType,
} from '../../records/index.js';
import { StorageError } from '../errors.js';
import {
  batchSizeAt,
  lastOffsetDeltaAt,
  leaderEpochAt,
  magicAt,
  maxTimestampAt,
  setBaseOffsetAt,
  setLeaderEpochAt,
} from './batch-header.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogSegment } from './segment.js';

export interface AppendOptions {
  /** ms. When set, each batch becomes LogAppendTime with this maxTimestamp (CRC recomputed). */
  logAppendTime?: number;
  /** When set, stamped into each batch's partitionLeaderEpoch (outside the CRC). */
  partitionLeaderEpoch?: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The LogAppendTime stamped, or -1 for CreateTime. */
  logAppendTime: number;
}

/** One append() call waiting for, or in, a write. */
export interface AppendRequest {
  readonly batches: Buffer;
  /** Offsets the batches take (sum of lastOffsetDelta + 1). */
  readonly offsets: number;
  readonly options: AppendOptions | undefined;
  readonly result: AppendResult;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Checks framing (whole batches, magic 2, each at most `maxBatchBytes`) and counts the
 * offsets. CRCs are the caller's job (it validated the produce request).
 */
export function countOffsets(batches: Buffer, maxBatchBytes: number): number {
  let at = 0;
  let offsets = 0;
  if (batches.length === 0) throw new StorageError('CORRUPT_MESSAGE', 'nothing to append');
  while (at < batches.length) {
    if (batches.length - at < LOG_OVERHEAD + MIN_BATCH_LENGTH) {
      throw new StorageError('CORRUPT_MESSAGE', `truncated batch at byte ${at}`);
    }
    const size = batchSizeAt(batches, at);
    if (size < LOG_OVERHEAD + MIN_BATCH_LENGTH || at + size > batches.length) {
      throw new StorageError('CORRUPT_MESSAGE', `batch at byte ${at} claims ${size} bytes`);
    }
    if (magicAt(batches, at) !== CURRENT_MAGIC) {
      throw new StorageError(
        'CORRUPT_MESSAGE',
        `batch at byte ${at} has magic ${magicAt(batches, at)}`,
      );
    }
    if (size > maxBatchBytes) {
      throw new StorageError(
        'RECORD_LIST_TOO_LARGE',
        `batch of ${size} bytes exceeds segment.bytes ${maxBatchBytes}`,
      );
    }
    const delta = lastOffsetDeltaAt(batches, at);
    if (delta < 0) throw new StorageError('CORRUPT_MESSAGE', `negative lastOffsetDelta ${delta}`);
    offsets += delta + 1;
    at += size;
  }
  return offsets;
}

/**
 * Patches `request`'s batches to start at `firstOffset`, located at file `position` of
 * `segment`, and indexes them. A batch carrying a leader epoch newer than the cache's
 * latest opens that epoch at its base offset. Returns the next offset.
 */
export function assignOffsets(
  request: AppendRequest,
  firstOffset: number,
  segment: LogSegment,
  position: number,
  epochs: LeaderEpochCache,
): number {
  const { batches, options } = request;
  let at = 0;
  let offset = firstOffset;
  while (at < batches.length) {
    const size = batchSizeAt(batches, at);
    setBaseOffsetAt(batches, at, offset);
    if (options?.partitionLeaderEpoch !== undefined)
      setLeaderEpochAt(batches, at, options.partitionLeaderEpoch);
    if (options?.logAppendTime !== undefined) {
      new RecordBatchView(batches.subarray(at, at + size)).setMaxTimestamp(
        TimestampType.LOG_APPEND_TIME,
        BigInt(options.logAppendTime),
      );
    }
    const epoch = leaderEpochAt(batches, at);
    if (epoch > epochs.latestEpoch()) epochs.assignInMemory(epoch, offset);
    const lastOffset = offset + lastOffsetDeltaAt(batches, at);
    segment.indexBatch(position + at, size, lastOffset, maxTimestampAt(batches, at));
    offset = lastOffset + 1;
    at += size;
  }
  request.result.baseOffset = firstOffset;
  request.result.lastOffset = offset - 1;
  return offset;
}
