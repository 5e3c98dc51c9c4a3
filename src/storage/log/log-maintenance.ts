/**
 * Operations that reshape a log: truncation (replication), DeleteRecords, retention,
 * and writing the clean-shutdown state. Each runs as a task on the log's serial queue
 * (nothing else writes meanwhile) and leaves the log consistent and durable when it
 * resolves: checkpoints that describe the new shape are written before the files they
 * describe are deleted, so a crash in between never exposes a half-done change.
 *
 * Who may call: PartitionLog's queued tasks only.
 */
import { writeCleanShutdown } from '../checkpoint/clean-shutdown-marker.js';
import { writeLogStartOffset, writeRecoveryPoint } from '../checkpoint/offset-checkpoints.js';
import { StorageError } from '../errors.js';
import type { LogConfig } from './config.js';
import type { LogState } from './log-state.js';
import { selectExpiredSegments, type RetentionDecision } from './retention.js';
import { LogSegment } from './segment.js';
import { readSegment } from './segment-reader.js';

const NO_RETENTION = { retentionMs: -1, retentionBytes: -1 };

/**
 * Removes every batch holding an offset >= `offset`: the batch containing `offset`
 * goes whole, later segments are deleted. At or below the first segment's base (or
 * below the log start) the log restarts empty at `offset`.
 */
export async function truncateTo(state: LogState, offset: number): Promise<void> {
  if (offset >= state.logEndOffset) return;
  if (offset <= state.segments[0].baseOffset || offset < state.logStartOffset) {
    return truncateFullyAndStartAt(state, offset);
  }
  const i = state.segmentIndexFor(offset);
  const segment = state.segments[i];
  const located = await readSegment(segment, {
    fromOffset: offset,
    maxBytes: 1,
    upTo: Number.MAX_SAFE_INTEGER,
    end: segment.size,
    endOffset: segment.nextOffset,
    startPosition: (await segment.offsetIndex()).lookup(offset),
    exact: false,
    scanSlack: state.config.indexIntervalBytes,
  });
  state.changeLayout();
  // The recovery point first: the cut segment becomes active and must be rescanned.
  await writeRecoveryPoint(state.context.fs, state.dir, segment.baseOffset);
  for (const later of state.segments.splice(i + 1)) await later.delete();
  if (located !== null) await segment.truncateTo(located.endPosition - located.records.length);
  await segment.activate();
  segment.createdMs = state.now();
  state.logEndOffset = segment.nextOffset;
  state.epochs.truncateFromEnd(state.logEndOffset);
  await state.epochs.flush();
  await state.snapshots.deleteAfter(state.logEndOffset);
  state.logger.info('truncated log', { dir: state.dir, logEndOffset: state.logEndOffset });
}

/** Deletes every segment and restarts the log, empty, at `offset` (start = end). */
export async function truncateFullyAndStartAt(state: LogState, offset: number): Promise<void> {
  state.changeLayout();
  await writeLogStartOffset(state.context.fs, state.dir, offset);
  await writeRecoveryPoint(state.context.fs, state.dir, offset);
  for (const segment of state.segments.splice(0)) await segment.delete();
  state.segments.push(await LogSegment.create(state.context, offset, state.now()));
  state.logStartOffset = offset;
  state.logEndOffset = offset;
  state.epochs.clear();
  await state.epochs.flush();
  await state.snapshots.deleteAll();
  state.logger.info('truncated log fully', { dir: state.dir, logStartOffset: offset });
}

/** DeleteRecords: see PartitionLog.deleteRecordsBefore. */
export async function deleteRecordsBefore(state: LogState, offset: number): Promise<number> {
  if (offset > state.logEndOffset) {
    throw new StorageError(
      'OFFSET_OUT_OF_RANGE',
      `offset ${offset} is past the log end ${state.logEndOffset}`,
    );
  }
  if (offset <= state.logStartOffset) return state.logStartOffset;
  await writeLogStartOffset(state.context.fs, state.dir, offset);
  await moveLogStart(state, offset);
  const decision = selectExpiredSegments(state.segments, NO_RETENTION, 0, offset);
  await deleteOldest(state, decision.count);
  return state.logStartOffset;
}

/** Retention: deletes what selectExpiredSegments picks (never the active segment). */
export async function applyRetention(
  state: LogState,
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes'>,
  now: number,
): Promise<RetentionDecision> {
  const decision = selectExpiredSegments(state.segments, config, now, state.logStartOffset);
  if (decision.count === 0) return decision;
  await moveLogStart(state, state.segments[decision.count].baseOffset);
  await deleteOldest(state, decision.count);
  state.logger.info('retention deleted segments', {
    dir: state.dir,
    count: decision.count,
    reason: decision.reason,
  });
  return decision;
}

/**
 * Everything a clean restart trusts, fsynced, then the marker that says so: the active
 * segment's data, every changed index, the leader epochs and the recovery point.
 */
export async function writeCleanState(state: LogState): Promise<void> {
  const active = state.active;
  active.seal();
  await active.sync();
  for (const segment of state.segments) await segment.persistIndexes();
  await state.epochs.flush();
  await writeRecoveryPoint(state.context.fs, state.dir, active.baseOffset);
  await writeCleanShutdown(state.context.fs, state.dir, {
    logEndOffset: state.logEndOffset,
    activeBaseOffset: active.baseOffset,
    activeSize: active.size,
  });
}

async function moveLogStart(state: LogState, offset: number): Promise<void> {
  if (offset <= state.logStartOffset) return;
  state.logStartOffset = offset;
  state.epochs.truncateFromStart(offset);
  await state.epochs.flush();
  await state.snapshots.deleteBefore(offset);
}

async function deleteOldest(state: LogState, count: number): Promise<void> {
  if (count === 0) return;
  state.changeLayout();
  for (const segment of state.segments.splice(0, count)) await segment.delete();
}
